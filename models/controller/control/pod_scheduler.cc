#include "models/controller/control/pod_scheduler.h"

#include <algorithm>
#include <vector>

namespace planelab {

size_t PodScheduler::FeasibleToFind(size_t nodes) {
  // kube-scheduler (schedule_one.go numFeasibleNodesToFind), default percentageOfNodesToScore.
  if (nodes < 100) return nodes;
  double percent = std::max(5.0, 50.0 - static_cast<double>(nodes) / 125.0);
  size_t n = static_cast<size_t>(static_cast<double>(nodes) * percent / 100.0);
  return std::max<size_t>(n, 100);
}

NodeLoad* PodScheduler::PickSampled(const ApiObject& pod, const std::vector<NodeLoad*>& nodes, size_t* start) {
  if (nodes.empty()) return nullptr;
  size_t want = FeasibleToFind(nodes.size()), found = 0, examined = 0;
  NodeLoad* best = nullptr;
  double best_score = -1;
  for (; examined < nodes.size() && found < want; ++examined) {
    NodeLoad* load = nodes[(*start + examined) % nodes.size()];
    const ApiObject& n = *load->node;
    // Filters: a NotReady node carries the not-ready NoSchedule taint; a cordoned one is unschedulable;
    // the kubelet admits at most max_pods.
    if (!n.node_ready || n.unschedulable || load->pods >= n.max_pods) continue;
    ++found;
    // Scores: NodeResourcesFit (least allocated) and PodTopologySpread over nodes (fewer of the same owner).
    double free_share = 1.0 - static_cast<double>(load->pods) / n.max_pods;
    auto it = load->per_deployment.find(pod.deployment);
    uint32_t same = it == load->per_deployment.end() ? 0 : it->second;
    double score = free_share * 100.0 + 100.0 / (1.0 + same);
    if (score > best_score) {
      best_score = score;
      best = load;
    }
  }
  *start = (*start + examined) % nodes.size();
  return best;
}

}  // namespace planelab
