// The store-member device kind: an etcd-like member (data: key-value service and state machine; control: Raft
// with its WAL on the member's disk). Management is not modelled: operators see the store through the API server.
#pragma once
#include "sim/core/device.h"

namespace planelab {

/// Registers the "store-member" kind.
void RegisterStoreKind(DeviceRegistry& registry);

}  // namespace planelab
