// The host device kind: request/response workloads over real ns-3 UDP and TCP, measured as users feel them.
#pragma once
#include "sim/core/device.h"

namespace planelab {

/// Registers the "host" kind.
void RegisterHostKind(DeviceRegistry& registry);

}  // namespace planelab
