// One Envoy sidecar's outbound path, as a pure core (no ns-3): a request the application sends to a service host
// is routed by the proxy's last configuration (route, weighted cluster, LEAST_REQUEST host), admitted by the
// circuit breakers, sent over mTLS to the chosen pod's sidecar, retried by Istio's default policy (connect
// failures and 503, another host each time, Envoy's jittered back-off), fed to outlier detection, and answered to
// the application with Envoy's status and response flags (access log). The host (a service client's data plane,
// a node's data plane for one pod's sidecar) supplies time, timers, randomness, the send and the stats.
#pragma once
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "models/mesh/core/envoy_router.h"
#include "models/proto/cluster_api.h"

namespace planelab {

class SidecarAgent;

/// The outbound listener of one proxy (its route table is the agent's) and the requests it carries.
class OutboundProxy {
 public:
  struct Hooks {
    std::function<SimTime()> now;
    std::function<void(SimTime, std::function<void()>)> after;  // the host's timer
    std::function<void(const std::string& kind, const std::string& detail)> emit;
    std::mt19937_64* rng = nullptr;
    /// One attempt on the wire to the pod's node at `addr` (the host fills in its own address and port).
    std::function<void(uint32_t addr, std::shared_ptr<ServiceRequest>)> send;
    /// The application's request `id` is answered with `code` (200; 404 NR; 503; 504). Not called when the
    /// application already gave up (GiveUp).
    std::function<void(uint64_t id, int code)> done;
    // Envoy's stats as the host records them (any may be empty).
    std::function<void(int code, const std::vector<envoy::Flag>& flags)> answered;
    std::function<void(const std::string& cluster)> cluster_picked;
    std::function<void()> retried, ejected, ssl_error;
    /// The attempt ended before its answer (UT, the application gone): the transport resets the stream (may be
    /// empty).
    std::function<void(uint64_t attempt)> cancel;
    /// Added to access log lines (the pod whose sidecar logs; empty for a service client's own sidecar).
    std::string source;
  };
  OutboundProxy(SidecarAgent& agent, Hooks hooks);
  ~OutboundProxy();
  OutboundProxy(const OutboundProxy&) = delete;
  OutboundProxy& operator=(const OutboundProxy&) = delete;

  /// The application sends request `id` (unique per proxy) to `service`.
  void Start(uint64_t id, const std::string& service, uint32_t request_bytes, uint32_t response_bytes);
  /// An upstream answer (its id is the attempt's): 2xx, a 5xx from the upstream application, a refusal or an mTLS
  /// failure at the pod's sidecar.
  void OnResponse(const ServiceResponse& r);
  /// The application closed its connection before Envoy answered: Envoy logs DC; nothing is answered.
  void GiveUp(uint64_t id);
  /// The outlier detection interval timer (every `outlier.interval`).
  void Sweep(SimTime now);
  /// The sidecar died: every request in flight ends with a reset (`done` with `code`), nothing logged.
  void Abort(int code);
  bool busy(uint64_t id) const { return rq_.count(id) > 0; }
  size_t in_flight() const { return rq_.size(); }

 private:
  struct Request {
    uint64_t id = 0;
    std::string service, cluster, host;
    std::set<std::string> tried;
    uint32_t retries = 0;
    bool pending = false;  // waiting for a connection (circuit breaker)
    bool on_wire = false;
    uint32_t request_bytes = 200, response_bytes = 1000;
  };
  void Dispatch(uint64_t id);
  void Send(uint64_t id);
  void Release(envoy::UpstreamCluster& cluster, const std::string& host, bool connection_failed);
  void Finish(uint64_t id, int code, const std::vector<envoy::Flag>& flags, const std::string& detail);
  void Later(SimTime d, std::function<void()> fn);

  SidecarAgent& agent_;
  Hooks h_;
  std::shared_ptr<bool> alive_;  // timers of a destroyed proxy do nothing
  std::map<uint64_t, Request> rq_;                     // by application request id
  std::map<uint64_t, uint64_t> attempts_;              // attempt id -> application request id
  std::map<std::string, std::deque<uint64_t>> waiting_;  // host -> pending requests
  uint64_t next_attempt_ = 1;
  SimTime log_second_ = -1;
  uint32_t logged_in_second_ = 0;
};

}  // namespace planelab
