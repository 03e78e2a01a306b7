// The built-in device kinds.
#pragma once
#include "sim/core/device.h"

namespace planelab {

/// Registers router, host and monitor.
void RegisterBuiltinModels(DeviceRegistry& registry);

}  // namespace planelab
