#include "models/controller/control/cluster_bootstrap.h"

#include <map>

#include "models/controller/control/pod_scheduler.h"

namespace planelab {

std::string NodeSlotName(uint32_t n) { return "node-" + std::to_string(n); }

std::vector<ObjectPtr> BootstrapObjects(const ClusterSpec& spec) {
  std::vector<ObjectPtr> out;
  std::map<std::string, NodeLoad> loads;
  for (uint32_t i = 1; i <= spec.nodes; ++i) {
    auto n = std::make_shared<ApiObject>();
    n->kind = ObjectKind::kNode;
    n->name = NodeSlotName(i);
    n->node_ready = true;
    n->max_pods = spec.max_pods;
    out.push_back(n);
    loads[n->name].node = n;
    auto l = std::make_shared<ApiObject>();
    l->kind = ObjectKind::kLease;
    l->name = n->name;
    l->renew_time = 0;
    out.push_back(l);
  }
  for (const auto& d : spec.deployments) {
    auto o = std::make_shared<ApiObject>();
    o->kind = ObjectKind::kDeployment;
    o->name = d.name;
    o->replicas = d.replicas;
    o->revision = 1;
    o->pod_capacity_rps = d.pod_capacity_rps;
    o->ready_replicas = o->updated_replicas = d.replicas;
    out.push_back(o);
    for (uint32_t r = 0; r < d.replicas; ++r) {
      auto p = std::make_shared<ApiObject>();
      p->kind = ObjectKind::kPod;
      p->name = d.name + "-1-" + std::to_string(r);
      p->deployment = d.name;
      p->revision = 1;
      p->phase = PodPhase::kRunning;
      p->pod_ready = true;
      p->node = PodScheduler::Pick(*p, loads);
      if (!p->node.empty()) {
        ++loads[p->node].pods;
        ++loads[p->node].per_deployment[d.name];
      } else {
        p->phase = PodPhase::kPending;
        p->pod_ready = false;
      }
      out.push_back(p);
    }
  }
  return out;
}

}  // namespace planelab
