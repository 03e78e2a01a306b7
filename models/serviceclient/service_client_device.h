// The service-client device kind: users of the cluster's services (data plane only).
#pragma once
#include "sim/core/device.h"

namespace planelab {

/// Registers the "service-client" kind.
void RegisterServiceClientKind(DeviceRegistry& registry);

}  // namespace planelab
