#include "models/controller/control/pod_scheduler.h"

namespace planelab {

std::string PodScheduler::Pick(const ApiObject& pod, const std::map<std::string, NodeLoad>& nodes) {
  std::string best;
  double best_score = -1;
  for (const auto& [name, load] : nodes) {
    const ApiObject& n = *load.node;
    // Filters: a NotReady node carries the not-ready NoSchedule taint; a cordoned one is unschedulable;
    // the kubelet admits at most max_pods.
    if (!n.node_ready || n.unschedulable || load.pods >= n.max_pods) continue;
    // Scores: NodeResourcesFit (least allocated) and PodTopologySpread over nodes (fewer of the same owner).
    double free_share = 1.0 - static_cast<double>(load.pods) / n.max_pods;
    auto it = load.per_deployment.find(pod.deployment);
    uint32_t same = it == load.per_deployment.end() ? 0 : it->second;
    double score = free_share * 100.0 + 100.0 / (1.0 + same);
    if (score > best_score) {
      best_score = score;
      best = name;
    }
  }
  return best;
}

}  // namespace planelab
