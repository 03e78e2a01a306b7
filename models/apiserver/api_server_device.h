// The api-server device kind: control = kube-apiserver with its watch cache; management = the operators' kubectl.
#pragma once
#include "sim/core/device.h"

namespace planelab {

/// Registers the "api-server" kind.
void RegisterApiServerKind(DeviceRegistry& registry);

}  // namespace planelab
