// The controller manager (with the scheduler): informers over the API server feed reconcilers — scheduling,
// deployments (rolling updates), node lifecycle (NotReady and eviction) — whose writes go back through the API.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/controller/control/node_lifecycle.h"
#include "models/proto/cluster_api.h"
#include "sim/core/plane_actor.h"
#include "sim/scenario/scenario.h"
#include "models/cluster/cluster_section.h"

namespace planelab {

class MetricsEndpoint;

class Network;
class ApiClient;
class MessageSocket;
struct ApiResponse;

/// kube-controller-manager and kube-scheduler as one actor: level-triggered loops with per-item backoff.
class ControllerManagerControlPlane : public PlaneActor {
 public:
  ControllerManagerControlPlane(RunContext& ctx, const std::string& device, const ClusterSpec& spec, Network& net);
  ~ControllerManagerControlPlane() override;
  void Start() override;
  Health MeasureHealth() override;

 protected:
  /// A crash loses the clients, the informers' caches and every in-memory intent, backoff and timestamp; the
  /// restarted process lists everything again (Start()). What the API objects hold survives.
  void HandleCrash() override;

 private:
  using Cache = std::map<std::string, std::pair<ObjectPtr, int64_t>>;
  void OnEvents(Cache& cache, const std::vector<ApiWatchBatch::Event>& events, bool relist);
  void Loop();
  void Schedule();
  void ReconcileDeployments();
  void NodeLifecycleLoop();
  /// The horizontal pod autoscaler: scrape the kubelets of each autoscaled deployment, then decide.
  void AutoscaleLoop();
  void Autoscale(uint64_t round);
  /// Sends a write; on failure the item backs off exponentially (client-go: 5 ms doubling to 1000 s).
  /// `expect` names the change the loops wait to see in the watch; a failure forgets it (and calls `fail`).
  void Write(const std::string& item, const std::string& expect, ApiRequest req,
             std::function<void(const ApiResponse&)> ok = nullptr, std::function<void()> fail = nullptr);
  bool BackingOff(const std::string& item) const;

  const ClusterSpec& spec_;
  Network& net_;
  std::unique_ptr<ApiClient> api_;        // kube-controller-manager: --kube-api-qps 20, --kube-api-burst 30
  std::unique_ptr<ApiClient> sched_api_;  // kube-scheduler: 50 QPS, burst 100
  NodeLifecycle lifecycle_;
  Cache nodes_, leases_, pods_, deployments_;
  bool synced_[4] = {false, false, false, false};
  // In-flight intents, so a loop does not repeat a write the watch has not shown yet (ControllerExpectations).
  std::map<std::string, SimTime> expecting_;
  std::map<std::string, std::string> assumed_;   // pod -> node the scheduler bound it to, until the watch shows it
  std::map<std::string, std::pair<SimTime, int>> backoff_;  // item -> (not before, failures)
  std::map<std::string, SimTime> not_ready_since_;
  std::map<std::string, SimTime> lease_seen_;   // node -> when this controller last saw its lease change
  std::map<std::string, uint32_t> rolled_out_;  // deployment -> revision whose rollout was reported complete
  uint64_t pod_counter_ = 0;
  size_t schedule_start_ = 0;  // kube-scheduler's nextStartNodeIndex
  // HPA state.
  std::unique_ptr<MessageSocket> metrics_sock_;
  std::unique_ptr<MetricsEndpoint> metrics_endpoint_;  // /metrics (TCP 10257), while the station scrapes it
  uint64_t scrape_round_ = 0;
  std::vector<PodMetric> scraped_;
  std::map<std::string, std::deque<std::pair<SimTime, uint32_t>>> recommendations_;
  Counter* hpa_scale_ups_ = nullptr;
  Counter* hpa_scale_downs_ = nullptr;
  Counter* hpa_write_failures_ = nullptr;
  Gauge* hpa_utilization_ = nullptr;
  bool dirty_ = true;
  SimTime last_full_loop_ = 0;
  uint64_t interval_writes_ = 0, interval_failures_ = 0;
  Counter* writes_ = nullptr;
  Counter* failures_ = nullptr;
  Counter* pods_scheduled_ = nullptr;
  Counter* pods_created_ = nullptr;
  Counter* evictions_ = nullptr;
  Gauge* queue_depth_ = nullptr;
  Gauge* pending_pods_ = nullptr;
  Histogram* rollout_duration_ = nullptr;
  Histogram* schedule_latency_ = nullptr;
};

}  // namespace planelab
