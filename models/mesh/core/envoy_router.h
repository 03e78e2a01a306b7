// The Envoy sidecar's outbound routing, as a pure core (no ns-3): the route table istiod pushed (virtual hosts
// with weighted clusters, retries, timeouts), each upstream cluster's hosts with outlier detection, the healthy
// panic threshold, LEAST_REQUEST host selection and the circuit breakers. Time and randomness come in as values.
#pragma once
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "models/mesh/core/envoy_defaults.h"

namespace planelab::envoy {

/// An endpoint of a cluster (EDS): the pod, the node it runs on and that node's address.
struct Endpoint {
  std::string pod;
  std::string node;
  uint32_t addr = 0;
  bool operator==(const Endpoint& o) const { return pod == o.pod && node == o.node && addr == o.addr; }
};

/// A route's share of traffic to one cluster (a VirtualService destination with its weight).
struct WeightedCluster {
  std::string cluster;
  uint32_t weight = 100;
};

/// A virtual host's route (RDS): weighted destinations, timeout (0: none, Istio's default), retries.
struct RouteEntry {
  std::vector<WeightedCluster> clusters;
  SimTime timeout = 0;
  RetryPolicy retry;
};

/// What one xDS push carries to a proxy: listeners/routes (by service host) and clusters with their endpoints.
struct Snapshot {
  uint64_t version = 0;
  std::map<std::string, RouteEntry> routes;
  std::map<std::string, std::vector<Endpoint>> clusters;
  /// Bytes on the wire, close to what Istio sends: ~2 KB of listeners and bootstrap, ~1 KB per route and cluster,
  /// ~150 B per endpoint (an LbEndpoint with its metadata).
  uint32_t Bytes() const;
};

/// Envoy's response flags (access log %RESPONSE_FLAGS%), the ones the mesh produces.
enum class Flag : uint8_t { kNone, kUF, kUH, kNR, kUO, kUT, kURX, kDC };
const char* FlagName(Flag f);  // "UF", "UH", ... ("-" for none, as Envoy writes it)

/// One upstream cluster of one proxy.
class UpstreamCluster {
 public:
  UpstreamCluster(OutlierConfig outlier, CircuitBreakers cb) : outlier_(outlier), cb_(cb) {}

  /// EDS update: the hosts become `eps`. A host that stays keeps its outlier state and connections; one that
  /// leaves while requests are on it drains (not picked again) until they finish.
  void SetEndpoints(const std::vector<Endpoint>& eps);
  /// Host selection as Envoy's LEAST_REQUEST (Istio's default load balancer): two random hosts, the one with
  /// fewer active requests. Candidates are the healthy (not ejected) hosts, or every host when the healthy share is
  /// below the panic threshold (50 %). `exclude` are hosts already tried (the previous_hosts retry predicate).
  /// Returns "" when the cluster has no host to pick (no healthy upstream, UH).
  std::string Pick(std::mt19937_64& rng, SimTime now, const std::set<std::string>& exclude);
  bool InPanic(SimTime now) const;

  /// Circuit breaking before a request goes to `host` (HTTP/1.1 pool: one request per connection, idle
  /// connections reused). kGo: sent now; kPending: waits for a connection; kOverflow: a breaker tripped (UO).
  enum class Admission { kGo, kPending, kOverflow };
  Admission Admit(const std::string& host);
  /// The request on `host` finished; `connection_failed` closes its connection. True when a pending request of
  /// that host takes the freed connection, or a new one replacing the failed one (the caller sends it).
  bool Release(const std::string& host, bool connection_failed);
  /// A pending request that gives up (timeout, downstream gone) before it got a connection.
  void CancelPending(const std::string& host);

  /// Outlier detection: a 5xx or a connect failure (`failed`) or a success from `host`. consecutive_5xx failures in
  /// a row eject it at once for base_ejection_time x times ejected (max max_ejection_time), unless ejected hosts
  /// would exceed max_ejection_percent (Envoy lets one host go when the percentage rounds below one host).
  /// Returns true when this result ejected the host.
  bool OnResult(const std::string& host, bool failed, SimTime now);
  /// The interval timer: returns ejected hosts whose time is up to service; returns how many came back.
  size_t Sweep(SimTime now);

  /// The endpoint of `host` (listed or draining), or null.
  const Endpoint* Find(const std::string& host) const;
  size_t hosts() const;          // hosts EDS lists (not the draining ones)
  size_t ejected(SimTime now) const;
  uint32_t active_requests() const { return active_rq_; }
  uint32_t pending_requests() const { return pending_total_; }
  uint32_t connections() const { return cx_total_; }
  const OutlierConfig& outlier() const { return outlier_; }

 private:
  struct Host {
    Endpoint ep;
    bool listed = true;        // false: EDS removed it, draining
    uint32_t consecutive_5xx = 0;
    SimTime ejected_until = -1;  // -1: not ejected
    uint32_t times_ejected = 0;
    uint32_t active = 0, connections = 0, pending = 0;
  };
  bool Ejected(const Host& h, SimTime now) const { return h.ejected_until >= 0 && now < h.ejected_until; }
  void MaybeForget(const std::string& host);

  OutlierConfig outlier_;
  CircuitBreakers cb_;
  std::map<std::string, Host> hosts_;  // by pod name: deterministic order
  uint32_t active_rq_ = 0, pending_total_ = 0, cx_total_ = 0;
};

/// The proxy's configuration: routes by service host and the clusters they name.
class RouteTable {
 public:
  RouteTable(OutlierConfig outlier, CircuitBreakers cb) : outlier_(outlier), cb_(cb) {}
  /// A push: routes replaced, clusters' endpoints updated (existing hosts keep their state), clusters gone
  /// removed. Records the version.
  void Apply(const Snapshot& s);
  bool configured() const { return configured_; }
  uint64_t version() const { return version_; }
  /// The route of `service`, or null: no route (NR, 404).
  const RouteEntry* Route(const std::string& service) const;
  /// The weighted choice of a route's cluster for a draw in [0, total weight) (Envoy's weighted_clusters).
  static const std::string& PickCluster(const RouteEntry& r, uint64_t draw);
  static uint32_t TotalWeight(const RouteEntry& r);
  /// The cluster named `name`, or null when the push did not carry it.
  UpstreamCluster* Cluster(const std::string& name);
  std::map<std::string, UpstreamCluster>& clusters() { return clusters_; }

 private:
  OutlierConfig outlier_;
  CircuitBreakers cb_;
  bool configured_ = false;
  uint64_t version_ = 0;
  std::map<std::string, RouteEntry> routes_;
  std::map<std::string, UpstreamCluster> clusters_;
};

/// Envoy's fully jittered exponential retry back-off: the n-th retry (1-based) waits a uniform draw in
/// [0, min(max, base x (2^n - 1))]. `u` is in [0, 1).
SimTime RetryBackoff(const RetryPolicy& p, uint32_t retry, double u);

}  // namespace planelab::envoy
