// The controller-manager device kind: control = kube-controller-manager and kube-scheduler.
#pragma once
#include "sim/core/device.h"

namespace planelab {

/// Registers the "controller-manager" kind.
void RegisterControllerManagerKind(DeviceRegistry& registry);

}  // namespace planelab
