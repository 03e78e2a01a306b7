// The state a cluster has when a scenario starts: nodes registered and Ready, leases fresh, deployments at
// revision 1 with every replica bound, running and ready. Every store member starts from these objects.
#pragma once
#include <vector>

#include "models/proto/cluster_api.h"
#include "sim/scenario/scenario.h"
#include "models/cluster/cluster_section.h"

namespace planelab {

/// The initial objects of `spec`, in a fixed order (deterministic).
std::vector<ObjectPtr> BootstrapObjects(const ClusterSpec& spec);
/// Name of the n-th node slot (1-based), as the cluster generator names devices.
std::string NodeSlotName(uint32_t n);

}  // namespace planelab
