// The built-in device kinds.
#pragma once
#include "sim/core/device.h"

namespace planelab {

/// Registers every device kind: router, host, monitor and the orchestrated cluster's kinds.
void RegisterBuiltinModels(DeviceRegistry& registry);

}  // namespace planelab
