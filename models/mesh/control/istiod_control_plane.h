// istiod's control plane: discovery and the CA. It watches pods (endpoints of every service) and VirtualServices
// through the API server, merges changes with the push debounce, builds one snapshot per push and sends it to
// every connected proxy (PILOT_PUSH_THROTTLE concurrent, on istiod's cores), counts ACKs (convergence), and signs
// the workload certificates the agents ask for.
#pragma once
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/cluster/cluster_section.h"
#include "models/mesh/core/push_debounce.h"
#include "models/mesh/mesh_section.h"
#include "models/mesh/proto/xds.h"
#include "models/proto/cluster_api.h"
#include "sim/core/plane_actor.h"

namespace planelab {

class Network;
class ApiClient;
class MessageSocket;

/// control -> management: what the monitoring port shows at a scrape.
struct IstiodStats {
  uint64_t connected = 0;
};
/// management -> control: a scrape.
struct IstiodScrape {};

class IstiodControlPlane : public PlaneActor {
 public:
  IstiodControlPlane(RunContext& ctx, const std::string& device, const ClusterSpec& cs, const MeshSpec& spec,
                     Network& net, Port<IstiodStats>& to_mgmt);
  ~IstiodControlPlane() override;
  void Start() override;
  Health MeasureHealth() override;
  void OnScrape() { IstiodStats s; s.connected = proxies_.size(); to_mgmt_.Send(s); }
  /// istiod-slow-push: every proxy push takes `extra` more.
  void SetPushDelay(SimTime extra) { extra_push_ = extra; }

 protected:
  /// istiod restarts with nothing: no proxies, no caches; it lists again and the proxies reconnect.
  void HandleCrash() override;

 private:
  struct Proxy {
    uint32_t addr = 0;
    uint16_t port = 0;
    bool full_scope = false;
    std::string workload;
    uint64_t sent = 0, acked = 0;
    SimTime last_heard = 0, connected_at = 0, sent_at = 0;
    bool first_acked = false;
  };
  struct Round {
    SimTime start = 0, first_event = 0;
    std::set<std::string> remaining;
  };
  void OnUp(uint32_t addr, uint16_t port, const XdsUp& m);
  void OnPods(const std::string& deployment, const std::vector<ApiWatchBatch::Event>& ev, bool relist);
  void OnVirtualServices(const std::vector<ApiWatchBatch::Event>& ev, bool relist);
  void Changed();
  void CheckDebounce();
  void StartRound();
  void Enqueue(const std::string& proxy);
  void Pump();
  SimTime OnCpu(SimTime cost);  // when work of `cost` queued now finishes
  void Sweep();
  void Send(const Proxy& p, std::shared_ptr<XdsDown> m);
  /// What a proxy's push carries: everything (full scope), the routes and clusters of the services its workload
  /// calls (Istio's Sidecar egress), or null (its inbound listener only).
  std::shared_ptr<const envoy::Snapshot> ScopeFor(const Proxy& p);

  const ClusterSpec& cs_;
  const MeshSpec& spec_;
  Network& net_;
  Port<IstiodStats>& to_mgmt_;
  std::unique_ptr<ApiClient> api_;
  std::unique_ptr<MessageSocket> sock_;
  mesh::PushDebouncer debounce_;
  std::map<std::string, std::map<std::string, ObjectPtr>> pods_;  // deployment -> its pods
  std::map<std::string, ObjectPtr> vs_;                           // host -> VirtualService
  std::map<std::string, uint32_t> node_addr_;
  std::set<std::string> synced_;
  size_t watches_ = 0;
  std::map<std::string, Proxy> proxies_;
  std::shared_ptr<const envoy::Snapshot> snapshot_;
  std::map<std::string, std::shared_ptr<const envoy::Snapshot>> scoped_;  // by calling workload, this version
  uint64_t version_ = 0;
  std::map<uint64_t, Round> rounds_;
  std::deque<std::string> queue_;
  std::set<std::string> queued_;
  uint32_t inflight_ = 0;
  bool round_sending_ = false;
  std::vector<SimTime> lanes_;
  SimTime extra_push_ = 0;
  Gauge* connected_ = nullptr;
  Counter* pushes_ = nullptr;
  Counter* triggers_ = nullptr;
  Counter* debounce_events_ = nullptr;
  Histogram* push_time_ = nullptr;
  Histogram* convergence_ = nullptr;
  Histogram* connect_push_time_ = nullptr;
  Histogram* propagation_ = nullptr;
  // Measurement only, not istiod's state (a crash keeps it, as the store's safety probe keeps its record): when each
  // VirtualService was applied (the object's creation by kubectl), the last one pushed per host, and the first
  // version that carried each applied rule.
  std::map<std::string, SimTime> pushed_rule_;
  std::vector<std::pair<uint64_t, SimTime>> rule_versions_;
  Gauge* stale_ = nullptr;
  Gauge* version_gauge_ = nullptr;
  Counter* csrs_ = nullptr;
  Counter* issued_ = nullptr;
};

/// istiod's management plane: its monitoring port as Prometheus scrapes it.
class IstiodMgmtPlane : public PlaneActor {
 public:
  IstiodMgmtPlane(RunContext& ctx, const std::string& device, Port<IstiodScrape>& to_control);
  void Start() override;
  Health MeasureHealth() override;
  void OnStats(const IstiodStats& s);

 private:
  void Scrape();
  Port<IstiodScrape>& to_control_;
  SimTime last_ok_ = 0;
  bool answered_ = true;
  Gauge* up_ = nullptr;
  Gauge* scraped_ = nullptr;
  Gauge* age_ = nullptr;
};

}  // namespace planelab
