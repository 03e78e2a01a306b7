// The worker node's control plane: the kubelet (registers the node, renews its lease, starts and stops the pods
// bound here, reports their readiness) and kube-proxy (watches service endpoints and programs the data plane).
#pragma once
#include <map>
#include <memory>
#include <set>
#include <string>

#include "models/node/node_plane_messages.h"
#include "models/proto/cluster_api.h"
#include "sim/core/plane_actor.h"
#include "sim/scenario/scenario.h"
#include "models/cluster/cluster_section.h"

namespace planelab {

class MetricsEndpoint;

class Network;
class ApiClient;
class MessageSocket;

/// The node agents; their health is whether the node keeps its lease and its pods' state current.
class KubeletControlPlane : public PlaneActor {
 public:
  KubeletControlPlane(RunContext& ctx, const std::string& device, const ClusterSpec& spec, Network& net,
                      bool registered_at_start, Port<NodeProgram>& to_data);
  ~KubeletControlPlane() override;
  void Start() override;
  Health MeasureHealth() override;
  /// The instance was powered off (terminated) or on (a fresh instance boots into this slot).
  void PowerOff();
  void PowerOn();
  void OnPodStats(const PodStats& s);

 protected:
  /// A kubelet crash loses its client, its metrics endpoint and what it held in memory; the pods keep running
  /// (the data plane is not told anything). The restarted kubelet re-registers, lists its pods and adopts those
  /// running, as at the start of the run.
  void HandleCrash() override;
  void HandleRestart() override { Up("start"); }

 private:
  void Up(const char* reason);
  struct Running {
    ObjectPtr obj;
    int64_t rv = 0;
    bool started = false;
    bool ready = false;
    bool stopping = false;
  };
  void Register();
  void RenewLease();
  void OnPods(const std::vector<ApiWatchBatch::Event>& events, bool relist);
  void OnEndpoints(const std::string& service, const std::vector<ApiWatchBatch::Event>& events, bool relist);
  void SyncPod(const std::string& name);
  void UpdatePod(const std::string& name, std::function<void(ApiObject&)> change);
  void PushPods();
  void PushEndpoints();

  const ClusterSpec& spec_;
  Network& net_;
  bool registered_at_start_;
  Port<NodeProgram>& to_data_;
  std::unique_ptr<ApiClient> api_;
  std::unique_ptr<MessageSocket> metrics_sock_;  // port 10250: /metrics/resource
  std::unique_ptr<MetricsEndpoint> metrics_endpoint_;  // TCP 10250 /metrics, while the station scrapes it
  PodStats stats_;
  std::map<std::string, Running> pods_;
  std::map<std::string, double> capacity_of_;  // deployment -> pod capacity
  std::map<std::string, std::map<std::string, ObjectPtr>> service_pods_;  // kube-proxy: service -> its pods
  bool endpoints_armed_ = false;
  bool adopt_ = false;
  std::set<std::string> posting_ready_;  // pods whose Ready status is being posted again
  uint64_t interval_renewals_ = 0, interval_renew_failures_ = 0;
  Counter* lease_renewals_ = nullptr;
  Counter* lease_failures_ = nullptr;
  Counter* pods_started_ = nullptr;
  Gauge* pods_running_ = nullptr;
};

}  // namespace planelab
