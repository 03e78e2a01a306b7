#include "models/controller/control/deployment_reconciler.h"

#include <algorithm>

namespace planelab {

DeploymentActions DeploymentReconciler::Reconcile(const ApiObject& d, const std::vector<ObjectPtr>& pods) {
  DeploymentActions a;
  const uint32_t want = d.replicas;
  // Kubernetes docs, "Deployments / Rolling Update Deployment": defaults 25% and 25%.
  const uint32_t surge = (want * 25 + 99) / 100;
  const uint32_t unavailable = want * 25 / 100;
  uint32_t max_total = want + std::max<uint32_t>(surge, unavailable == 0 ? 1 : 0);
  uint32_t min_available = want > unavailable ? want - unavailable : 0;
  std::vector<ObjectPtr> fresh, old_ready, old_unready, failed;
  for (const auto& p : pods) {
    if (p->phase == PodPhase::kFailed || p->phase == PodPhase::kSucceeded) { failed.push_back(p); continue; }
    if (p->revision == d.revision) {
      fresh.push_back(p);
      if (p->pod_ready) ++a.ready_updated;
    } else if (p->pod_ready) {
      old_ready.push_back(p);
    } else {
      old_unready.push_back(p);
    }
  }
  for (const auto& p : failed) a.remove.push_back(p->name);
  a.updated = static_cast<uint32_t>(fresh.size());
  uint32_t ready_total = a.ready_updated + static_cast<uint32_t>(old_ready.size());
  a.ready = ready_total;
  uint32_t total = static_cast<uint32_t>(fresh.size() + old_ready.size() + old_unready.size());
  if (old_ready.empty() && old_unready.empty()) {
    // Plain scaling: create the missing, delete the surplus (unready and newest first).
    if (fresh.size() < want) a.create = want - static_cast<uint32_t>(fresh.size());
    if (fresh.size() > want) {
      std::vector<ObjectPtr> order = fresh;
      std::stable_sort(order.begin(), order.end(), [](const ObjectPtr& x, const ObjectPtr& y) {
        if (x->pod_ready != y->pod_ready) return !x->pod_ready;
        if (x->node.empty() != y->node.empty()) return x->node.empty();
        return x->created != y->created ? x->created > y->created : x->name > y->name;
      });
      for (size_t i = 0; i < fresh.size() - want; ++i) a.remove.push_back(order[i]->name);
    }
    a.complete = a.create == 0 && fresh.size() == want && a.ready_updated == want;
    return a;
  }
  // Old pods that are not ready count for nothing: remove them at once.
  for (const auto& p : old_unready) a.remove.push_back(p->name);
  total -= static_cast<uint32_t>(old_unready.size());
  // Surge new pods up to max_total.
  if (fresh.size() < want && total < max_total) {
    a.create = std::min<uint32_t>(want - static_cast<uint32_t>(fresh.size()), max_total - total);
  }
  // Scale old ones down as far as availability allows (deployment controller, reconcileOldReplicaSets):
  // all pods - minAvailable - new pods not yet available.
  uint32_t new_unavailable = static_cast<uint32_t>(fresh.size()) - a.ready_updated;
  int64_t max_down = int64_t(total) - int64_t(min_available) - int64_t(new_unavailable);
  if (max_down > 0) {
    uint32_t n = std::min<uint32_t>(static_cast<uint32_t>(max_down), static_cast<uint32_t>(old_ready.size()));
    for (uint32_t i = 0; i < n; ++i) a.remove.push_back(old_ready[i]->name);
  }
  return a;
}

}  // namespace planelab
