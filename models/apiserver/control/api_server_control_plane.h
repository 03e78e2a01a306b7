// The API server: Kubernetes verbs over the network with kube-apiserver's inflight limits and timeouts;
// writes go to the replicated store, reads and watches are served from a watch cache fed by one store watch.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/client/store_endpoint_balancer.h"
#include "models/proto/cluster_api.h"
#include "sim/core/plane_actor.h"
#include "sim/scenario/scenario.h"
#include "models/cluster/cluster_section.h"

namespace planelab {

class MetricsEndpoint;

class Network;
class MessageSocket;

/// The cluster's control plane front door; its health is what every component that writes feels.
class ApiServerControlPlane : public PlaneActor {
 public:
  ApiServerControlPlane(RunContext& ctx, const std::string& device, const ClusterSpec& spec, Network& net);
  ~ApiServerControlPlane() override;
  void Start() override;
  Health MeasureHealth() override;

 protected:
  /// A crash loses the sockets, the requests in progress, the watch cache and every watch stream; clients see
  /// no answers and bookmarks stop, and the restarted server lists the store again (Start()).
  void HandleCrash() override;

 private:
  struct VerbStats {
    Counter* requests = nullptr;
    Counter* errors = nullptr;
    Histogram* latency = nullptr;
  };
  struct Watcher {
    uint32_t addr = 0;
    uint16_t port = 0;
    uint64_t watch_id = 0;
    ObjectKind kind = ObjectKind::kPod;
    std::string filter;
    uint64_t seq = 0;
    std::vector<ApiWatchBatch::Event> pending;
  };
  struct StoreCall {
    std::function<void(const StoreResponse*)> done;  // null response: no answer in time
    size_t member = 0;
  };
  void OnRequest(uint32_t addr, uint16_t port, const ApiRequest& r);
  void Respond(uint32_t addr, uint16_t port, const ApiRequest& r, ApiResponse resp, SimTime started, bool mutating);
  void Write(uint32_t addr, uint16_t port, const ApiRequest& r, SimTime started);
  void CallStore(StoreRequest req, std::function<void(const StoreResponse*)> done);
  void InitCache();
  void WatchStore();
  void CheckStoreWatch();
  void OnStoreBatch(const StoreWatchBatch& b);
  void Apply(const KvEvent& ev);
  void FlushWatchers();
  void Bookmarks();
  bool Matches(const Watcher& w, const ApiObject& o) const;
  void IndexObject(const std::string& key, const ApiObject* o, bool add);
  template <class F>
  void ForEachMatching(ObjectKind kind, const std::string& filter, F fn);

  const ClusterSpec& spec_;
  Network& net_;
  std::unique_ptr<MessageSocket> sock_;         // port 6443
  std::unique_ptr<MetricsEndpoint> metrics_endpoint_;  // TCP 6443 /metrics, while the station scrapes it
  std::unique_ptr<MessageSocket> store_sock_;   // the store client
  std::unique_ptr<MessageSocket> watch_sock_;   // the watch cache's stream
  std::vector<uint32_t> members_;
  StoreEndpointBalancer balancer_;
  size_t watch_member_ = 0;
  std::map<uint64_t, StoreCall> store_calls_;
  uint64_t next_store_id_ = 1;
  // The watch cache.
  std::map<std::string, std::pair<ObjectPtr, int64_t>> cache_;
  int64_t cache_rv_ = 0;
  std::map<std::string, std::set<std::string>> by_field_;  // pod field value -> keys
  bool cache_ready_ = false;
  uint64_t store_watch_id_ = 0;
  uint64_t store_seq_ = 0;
  SimTime store_heard_ = 0;
  std::map<std::pair<uint32_t, uint16_t>, Watcher> watchers_;  // by the client's (address, port)
  // Watchers by "kind|filter", so a change reaches only those that can match it; and those with pending events.
  std::map<std::string, std::set<std::pair<uint32_t, uint16_t>>> index_;
  std::set<std::pair<uint32_t, uint16_t>> dirty_;
  bool flush_armed_ = false;
  uint32_t inflight_ = 0, inflight_mutating_ = 0;
  uint64_t interval_requests_ = 0, interval_errors_ = 0;
  Histogram interval_mutating_;  // this interval's mutating latencies, for the SLO check (not recorded)
  std::map<Verb, VerbStats> verbs_;
  Counter* throttled_ = nullptr;
  Counter* store_errors_ = nullptr;
  Gauge* inflight_gauge_ = nullptr;
  Gauge* watchers_gauge_ = nullptr;
  Gauge* cache_rv_gauge_ = nullptr;
};

}  // namespace planelab
