#include "models/controller/control/cluster_bootstrap.h"

#include <vector>

namespace planelab {

std::string NodeSlotName(uint32_t n) { return "node-" + std::to_string(n); }

std::vector<ObjectPtr> BootstrapObjects(const ClusterSpec& spec) {
  std::vector<ObjectPtr> out;
  for (uint32_t i = 1; i <= spec.nodes; ++i) {
    auto n = std::make_shared<ApiObject>();
    n->kind = ObjectKind::kNode;
    n->name = NodeSlotName(i);
    n->node_ready = true;
    n->max_pods = spec.max_pods;
    out.push_back(n);
    auto l = std::make_shared<ApiObject>();
    l->kind = ObjectKind::kLease;
    l->name = n->name;
    l->renew_time = 0;
    out.push_back(l);
  }
  // Replicas were placed over time by the scheduler, which spreads a deployment: here they go round robin over the
  // nodes (each node gets its even share), which is what spreading converges to, in O(pods).
  std::vector<uint32_t> on_node(spec.nodes, 0);
  uint32_t next = 0;
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
      for (uint32_t tries = 0; tries < spec.nodes && on_node[next] >= spec.max_pods; ++tries) next = (next + 1) % spec.nodes;
      if (spec.nodes > 0 && on_node[next] < spec.max_pods) {
        p->node = NodeSlotName(next + 1);
        ++on_node[next];
        next = (next + 1) % spec.nodes;
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
