// The scheduler's pure core: filter nodes a pod fits on, score them, pick one (kube-scheduler's framework reduced
// to the plugins that matter here: NodeReady/Unschedulable, pod count, least allocated, spread by owner).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "models/proto/cluster_api.h"

namespace planelab {

/// What the scheduler knows of a node: its object and the pods bound to it.
struct NodeLoad {
  ObjectPtr node;
  uint32_t pods = 0;
  std::map<std::string, uint32_t> per_deployment;
};

/// Picks a node for one pod; deterministic (ties go to the first node examined).
class PodScheduler {
 public:
  /// The chosen node, or null when no node fits (the pod stays Pending, "0/N nodes are available").
  /// As kube-scheduler does on large clusters, nodes are filtered from a rotating start and the search stops
  /// after NumFeasibleNodesToFind of them (percentageOfNodesToScore: 50% - nodes/125, at least 5% and
  /// 100 nodes); those are scored. `*start` is advanced past the nodes examined.
  static NodeLoad* PickSampled(const ApiObject& pod, const std::vector<NodeLoad*>& nodes, size_t* start);
  static size_t FeasibleToFind(size_t nodes);
};

}  // namespace planelab
