// The cloud-api device kind: control = instance API, auto-scaling group and retirement; data = load balancer.
#pragma once
#include "sim/core/device.h"

namespace planelab {

/// Registers the "cloud-api" kind.
void RegisterCloudKind(DeviceRegistry& registry);

}  // namespace planelab
