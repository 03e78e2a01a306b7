// The orchestrated cluster's device kinds as the catalogue knows them: help and each plane's metric table.
// Pure: no ns-3.
#pragma once
#include <vector>

#include "sim/scenario/kind_catalog.h"

namespace planelab {

/// store-member, api-server, controller-manager, node, cloud-api, service-client.
std::vector<DeviceKindDecl> ClusterKinds();

}  // namespace planelab
