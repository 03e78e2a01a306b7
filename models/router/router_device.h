// The router device kind: data, control and management planes and the ports between them.
#pragma once
#include "sim/core/device.h"

namespace planelab {

/// Registers the "router" kind.
void RegisterRouterKind(DeviceRegistry& registry);

}  // namespace planelab
