// The orchestrator's pure cores without the kernel: disk model, scheduler, deployment rolling update,
// node lifecycle, autoscaler formula, the bootstrap state.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "models/client/store_endpoint_balancer.h"
#include "models/controller/control/cluster_bootstrap.h"
#include "models/controller/control/deployment_reconciler.h"
#include "models/controller/control/node_lifecycle.h"
#include "models/controller/control/pod_autoscaler.h"
#include "models/controller/control/pod_scheduler.h"
#include "models/disk/disk_model.h"
#include "models/cluster/cluster_section.h"

namespace planelab {
namespace {

// ---- Disk ----

TEST(DiskModel, FsyncLatencyMatchesTheConfiguredDistribution) {
  DiskConfig cfg;
  DiskModel disk(cfg, 7);
  std::vector<double> lat;
  SimTime now = 0;
  for (int i = 0; i < 2000; ++i) {
    now += 50 * kMs;  // idle disk: no queueing
    lat.push_back(ToSeconds(disk.Submit(now, 4096, true) - now));
  }
  std::sort(lat.begin(), lat.end());
  double p50 = lat[lat.size() / 2], p99 = lat[lat.size() * 99 / 100];
  EXPECT_NEAR(p50, 0.001, 0.0003);  // median fsync 1 ms
  EXPECT_GT(p99, 0.003);            // log-normal tail, sigma 0.7: p99 about 5 ms
  EXPECT_LT(p99, 0.010);            // within etcd's 10 ms guidance
}

TEST(DiskModel, OperationsQueueBehindEachOther) {
  DiskConfig cfg;
  cfg.latency_sigma = 0.0001;
  DiskModel disk(cfg, 1);
  SimTime a = disk.Submit(0, 0, true);
  SimTime b = disk.Submit(0, 0, true);
  SimTime c = disk.Submit(0, 0, true);
  EXPECT_NEAR(ToSeconds(a), 0.001, 1e-5);
  EXPECT_NEAR(ToSeconds(b), 0.002, 1e-5);
  EXPECT_NEAR(ToSeconds(c), 0.003, 1e-5);
  EXPECT_EQ(disk.QueueDepth(0), 3u);
  EXPECT_EQ(disk.QueueDepth(c), 0u);
}

TEST(DiskModel, PressureAddsFsyncLatencyAndLowersIops) {
  DiskConfig cfg;
  cfg.latency_sigma = 0.0001;
  DiskModel disk(cfg, 1);
  DiskPressure p;
  p.extra_fsync_latency = 500 * kMs;
  disk.SetPressure(p);
  EXPECT_NEAR(ToSeconds(disk.Submit(0, 0, true)), 0.501, 1e-4);
  // Buffered writes are not hit; they still take one IOPS slot (1/3000 s).
  EXPECT_NEAR(ToSeconds(disk.Submit(10 * kSec, 0, false) - 10 * kSec), 1.0 / 3000, 1e-5);
  disk.ClearPressure();
  p = DiskPressure();
  p.iops_factor = 0.01;  // 30 IOPS: at least 33 ms per operation
  disk.SetPressure(p);
  EXPECT_NEAR(ToSeconds(disk.Submit(20 * kSec, 0, true) - 20 * kSec), 1.0 / 30, 1e-3);
}

TEST(DiskModel, NoisyNeighbourFillsTheQueue) {
  DiskConfig cfg;
  cfg.latency_sigma = 0.0001;
  DiskModel quiet(cfg, 1), noisy(cfg, 1);
  DiskPressure p;
  p.neighbor_iops = 2900;  // close to the disk's 3000 IOPS
  noisy.SetPressure(p);
  SimTime q = 0, n = 0;
  for (int i = 1; i <= 100; ++i) {
    SimTime now = i * 10 * kMs;
    q = std::max(q, quiet.Submit(now, 4096, true) - now);
    n = std::max(n, noisy.Submit(now, 4096, true) - now);
  }
  EXPECT_LT(ToSeconds(q), 0.002);
  EXPECT_GT(ToSeconds(n), 10 * ToSeconds(q));
}

// ---- Scheduler ----

ObjectPtr Node(const std::string& name, bool ready = true, uint32_t max_pods = 110) {
  auto n = std::make_shared<ApiObject>();
  n->kind = ObjectKind::kNode;
  n->name = name;
  n->node_ready = ready;
  n->max_pods = max_pods;
  return n;
}

// The scheduler over a name-ordered set of nodes, from the first one.
std::string PickFrom(const ApiObject& pod, std::map<std::string, NodeLoad>& nodes) {
  std::vector<NodeLoad*> order;
  for (auto& [name, load] : nodes) order.push_back(&load);
  size_t start = 0;
  NodeLoad* chosen = PodScheduler::PickSampled(pod, order, &start);
  return chosen ? chosen->node->name : "";
}

TEST(PodScheduler, SkipsNotReadyCordonedAndFullNodes) {
  std::map<std::string, NodeLoad> nodes;
  nodes["a"].node = Node("a", false);
  auto cordoned = std::make_shared<ApiObject>(*Node("b"));
  cordoned->unschedulable = true;
  nodes["b"].node = cordoned;
  nodes["c"].node = Node("c", true, 2);
  nodes["c"].pods = 2;
  ApiObject pod;
  pod.deployment = "web";
  EXPECT_EQ(PickFrom(pod, nodes), "");
  nodes["d"].node = Node("d");
  EXPECT_EQ(PickFrom(pod, nodes), "d");
}

TEST(PodScheduler, SpreadsADeploymentAndPrefersEmptierNodes) {
  std::map<std::string, NodeLoad> nodes;
  for (const char* n : {"a", "b", "c"}) nodes[n].node = Node(n, true, 10);
  ApiObject pod;
  pod.deployment = "web";
  std::map<std::string, int> placed;
  for (int i = 0; i < 9; ++i) {
    std::string n = PickFrom(pod, nodes);
    ASSERT_FALSE(n.empty());
    ++nodes[n].pods;
    ++nodes[n].per_deployment["web"];
    ++placed[n];
  }
  EXPECT_EQ(placed["a"], 3);
  EXPECT_EQ(placed["b"], 3);
  EXPECT_EQ(placed["c"], 3);
}

TEST(PodScheduler, LargeClustersScoreASampleAsKubeSchedulerDoes) {
  EXPECT_EQ(PodScheduler::FeasibleToFind(50), 50u);      // small clusters: every node
  EXPECT_EQ(PodScheduler::FeasibleToFind(1000), 420u);   // 50% - 1000/125 = 42%
  EXPECT_EQ(PodScheduler::FeasibleToFind(5000), 500u);   // 50% - 40% = 10%
  EXPECT_EQ(PodScheduler::FeasibleToFind(10000), 500u);  // floor of 5%
  std::vector<NodeLoad> loads(1000);
  std::vector<NodeLoad*> order;
  for (size_t i = 0; i < loads.size(); ++i) {
    loads[i].node = Node("n" + std::to_string(i), i % 2 == 0, 110);  // every other node NotReady
    order.push_back(&loads[i]);
  }
  ApiObject pod;
  pod.deployment = "web";
  size_t start = 0;
  NodeLoad* a = PodScheduler::PickSampled(pod, order, &start);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->node->node_ready);
  EXPECT_EQ(start, 839u);  // 420 feasible nodes found among the first 840 examined
  NodeLoad* b = PodScheduler::PickSampled(pod, order, &start);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);  // the next pod starts where the last search stopped
}

// ---- Deployment controller ----

std::vector<ObjectPtr> Pods(uint32_t revision, int n, bool ready, int first = 0) {
  std::vector<ObjectPtr> out;
  for (int i = 0; i < n; ++i) {
    auto p = std::make_shared<ApiObject>();
    p->name = "p" + std::to_string(revision) + "-" + std::to_string(first + i);
    p->revision = revision;
    p->pod_ready = ready;
    p->node = "n";
    p->phase = PodPhase::kRunning;
    out.push_back(p);
  }
  return out;
}

ApiObject Deployment(uint32_t replicas, uint32_t revision) {
  ApiObject d;
  d.kind = ObjectKind::kDeployment;
  d.replicas = replicas;
  d.revision = revision;
  return d;
}

TEST(DeploymentReconciler, ScalesUpAndDown) {
  auto a = DeploymentReconciler::Reconcile(Deployment(5, 1), Pods(1, 3, true));
  EXPECT_EQ(a.create, 2u);
  EXPECT_TRUE(a.remove.empty());
  EXPECT_FALSE(a.complete);
  auto pods = Pods(1, 6, true);
  auto b = DeploymentReconciler::Reconcile(Deployment(5, 1), pods);
  EXPECT_EQ(b.create, 0u);
  EXPECT_EQ(b.remove.size(), 1u);
  auto c = DeploymentReconciler::Reconcile(Deployment(5, 1), Pods(1, 5, true));
  EXPECT_TRUE(c.complete);
}

TEST(DeploymentReconciler, RollingUpdateKeepsSurgeAndAvailabilityBounds) {
  // 20 replicas: maxSurge 5, maxUnavailable 5 (Kubernetes' 25% defaults).
  auto first = DeploymentReconciler::Reconcile(Deployment(20, 2), Pods(1, 20, true));
  EXPECT_EQ(first.create, 5u);          // surge: at most 25 pods in all
  EXPECT_EQ(first.remove.size(), 5u);   // down to 15 available, the minimum
  // Simulate the rollout to the end; check the bounds at every step.
  std::vector<ObjectPtr> old_pods = Pods(1, 20, true), new_pods;
  int made = 0;
  for (int step = 0; step < 20; ++step) {
    std::vector<ObjectPtr> all = old_pods;
    all.insert(all.end(), new_pods.begin(), new_pods.end());
    auto a = DeploymentReconciler::Reconcile(Deployment(20, 2), all);
    if (a.complete) break;
    for (const auto& name : a.remove) {
      old_pods.erase(std::remove_if(old_pods.begin(), old_pods.end(), [&](const ObjectPtr& p) { return p->name == name; }),
                     old_pods.end());
    }
    // Pods created in this step become ready by the next one.
    for (auto& p : new_pods) {
      auto q = std::make_shared<ApiObject>(*p);
      q->pod_ready = true;
      p = q;
    }
    auto fresh = Pods(2, static_cast<int>(a.create), false, made);
    made += static_cast<int>(a.create);
    new_pods.insert(new_pods.end(), fresh.begin(), fresh.end());
    size_t ready = old_pods.size();
    for (const auto& p : new_pods) ready += p->pod_ready ? 1 : 0;
    EXPECT_LE(old_pods.size() + new_pods.size(), 25u) << "step " << step;
    EXPECT_GE(ready, 15u) << "step " << step;
  }
  EXPECT_TRUE(old_pods.empty());
  EXPECT_EQ(new_pods.size(), 20u);
}

TEST(DeploymentReconciler, FailedPodsAreReplaced) {
  auto pods = Pods(1, 3, true);
  auto failed = std::make_shared<ApiObject>(*pods[0]);
  failed->phase = PodPhase::kFailed;
  pods[0] = failed;
  auto a = DeploymentReconciler::Reconcile(Deployment(3, 1), pods);
  ASSERT_EQ(a.remove.size(), 1u);
  EXPECT_EQ(a.remove[0], failed->name);
  EXPECT_EQ(a.create, 1u);
}

// ---- Node lifecycle ----

TEST(NodeLifecycle, NotReadyAfterGraceThenEvictionAfterTimeout) {
  NodeLifecycle nl(40 * kSec, 300 * kSec);
  EXPECT_TRUE(nl.Judge(40 * kSec, 0, -1).ready);
  NodeVerdict v = nl.Judge(41 * kSec, 0, -1);
  EXPECT_FALSE(v.ready);
  EXPECT_FALSE(v.evict);
  EXPECT_FALSE(nl.Judge(340 * kSec, 0, 41 * kSec).evict);
  EXPECT_TRUE(nl.Judge(341 * kSec, 0, 41 * kSec).evict);
}

// ---- Autoscaler ----

TEST(PodAutoscaler, FollowsTheDocumentedFormula) {
  EXPECT_EQ(PodAutoscaler::Desired(10, 0.9, 0.6, 1, 100), 15u);   // ceil(10 * 1.5)
  EXPECT_EQ(PodAutoscaler::Desired(10, 0.65, 0.6, 1, 100), 10u);  // within the 0.1 tolerance
  EXPECT_EQ(PodAutoscaler::Desired(10, 0.1, 0.6, 3, 100), 3u);    // clamped to min
  EXPECT_EQ(PodAutoscaler::Desired(10, 6.0, 0.6, 1, 50), 50u);    // clamped to max
}

// ---- Bootstrap ----

TEST(ClusterBootstrap, EveryReplicaIsBoundWithinMaxPods) {
  ClusterSpec spec;
  spec.nodes = 4;
  spec.max_pods = 5;
  DeploymentSpec d;
  d.name = "web";
  d.replicas = 18;
  spec.deployments.push_back(d);
  std::map<std::string, int> per_node;
  int pods = 0, nodes = 0, leases = 0;
  for (const auto& o : BootstrapObjects(spec)) {
    if (o->kind == ObjectKind::kPod) {
      ++pods;
      ASSERT_FALSE(o->node.empty());
      EXPECT_TRUE(o->pod_ready);
      ++per_node[o->node];
    }
    nodes += o->kind == ObjectKind::kNode;
    leases += o->kind == ObjectKind::kLease;
  }
  EXPECT_EQ(pods, 18);
  EXPECT_EQ(nodes, 4);
  EXPECT_EQ(leases, 4);
  for (const auto& [n, c] : per_node) EXPECT_LE(c, 5) << n;
}

// Issue 12.6: the store client spreads calls over every member and stops using one that failed.
TEST(StoreEndpointBalancer, RoundRobinSpreadsAndSkipsAFailedMember) {
  StoreEndpointBalancer b(3, "kube-apiserver");
  std::map<size_t, int> used;
  for (int i = 0; i < 9; ++i) ++used[b.Pick(0)];
  EXPECT_EQ(used, (std::map<size_t, int>{{0, 3}, {1, 3}, {2, 3}}));
  b.Failed(0, 10 * kSec);
  for (int i = 0; i < 6; ++i) EXPECT_NE(b.Pick(10 * kSec + i * kMs), 0u);
  // After minHealthRetryDuration the member is tried again.
  used.clear();
  for (int i = 0; i < 3; ++i) ++used[b.Pick(13 * kSec)];
  EXPECT_EQ(used.count(0), 1u);
}

TEST(StoreEndpointBalancer, RepeatedFailuresBackOffUntilASuccess) {
  StoreEndpointBalancer b(3, "kube-apiserver");
  b.Failed(1, 0);            // out until 3 s
  b.Failed(1, 3 * kSec);     // out until 9 s
  EXPECT_FALSE(b.Healthy(1, 8 * kSec));
  EXPECT_TRUE(b.Healthy(1, 9 * kSec));
  b.Succeeded(1);
  b.Failed(1, 10 * kSec);    // back to 3 s
  EXPECT_TRUE(b.Healthy(1, 13 * kSec));
  for (int i = 0; i < 20; ++i) b.Failed(2, 0);
  EXPECT_FALSE(b.Healthy(2, 119 * kSec));
  EXPECT_TRUE(b.Healthy(2, 120 * kSec));  // capped at gRPC's 120 s
}

TEST(StoreEndpointBalancer, ClientsStartOnDifferentMembersAndNeverGetNone) {
  std::map<size_t, int> first;
  for (const char* name : {"api-1", "api-2", "api-3", "api-4", "api-5", "api-6"}) ++first[StoreEndpointBalancer(3, name).Pick(0)];
  EXPECT_GE(first.size(), 2u);
  StoreEndpointBalancer b(3, "x");
  b.Failed(0, 0);
  b.Failed(1, 1 * kSec);
  b.Failed(2, 2 * kSec);
  EXPECT_EQ(b.Pick(2 * kSec), 0u);  // all quarantined: the one that recovers first
}

}  // namespace
}  // namespace planelab
