#include "sim/scenario/kind_catalog.h"

namespace planelab {

const std::vector<DeviceKindDoc>& DeviceKinds() {
  static const std::vector<DeviceKindDoc> kKinds = {
      {"router",
       "IP router: data = forwarding ASIC + FIB (ns-3 IPv4), control = link-state routing on the route "
       "processor CPU, management = status agent on the out-of-band port",
       {"data", "control", "management"},
       {
           {"data", "transit_packets", "packets", "transit packets received for forwarding"},
           {"data", "forwarded_packets", "packets", "transit packets forwarded"},
           {"data", "dropped_packets", "packets", "transit packets dropped (dead ASIC or no route)"},
           {"data", "punted_packets", "packets", "packets addressed to the router, punted to its CPU"},
           {"data", "ttl_expired_packets", "packets", "packets dropped with TTL expired (forwarding loops)"},
           {"data", "drop_ratio", "1", "share of transit packets dropped in the interval"},
           {"data", "forwarded_bps", "bit/s", "forwarded transit traffic in the interval"},
           {"data", "fib_routes", "routes", "routes programmed in the FIB"},
           {"data", "queue_depth_max", "packets", "deepest egress queue at the sampling instant"},
           {"data", "interfaces_up", "interfaces", "interfaces with carrier"},
           {"control", "cpu_utilization", "1", "busy share of the route processor in the interval"},
           {"control", "cpu_queue_depth", "items", "control work waiting or in service"},
           {"control", "cpu_wait_p50", "s", "queueing delay of control work"},
           {"control", "cpu_wait_p99", "s", "queueing delay of control work"},
           {"control", "cpu_wait_count", "1", "control work items started"},
           {"control", "cpu_wait_max", "s", "longest wait of control work in the interval"},
           {"control", "adjacencies_up", "neighbours", "routing adjacencies (BGP: sessions) established"},
           {"control", "rib_fib_divergence", "routes", "route changes computed but not yet in the FIB"},
           {"control", "rib_routes", "routes", "routes in the routing table"},
           {"control", "spf_runs", "runs", "route computations"},
           {"control", "route_changes", "changes", "FIB changes sent to the data plane"},
           {"control", "convergence_p50", "s", "time from a topology event to the FIB programmed"},
           {"control", "convergence_p99", "s", "time from a topology event to the FIB programmed"},
           {"control", "convergence_count", "1", "convergences completed in the interval"},
           {"control", "messages_received", "messages", "routing protocol messages processed"},
           {"control", "bgp_updates_sent", "messages", "BGP UPDATE messages sent"},
           {"control", "bgp_updates_received", "messages", "BGP UPDATE messages received"},
           {"control", "bgp_withdrawals_received", "prefixes", "withdrawn prefixes received"},
           {"control", "bgp_session_drops", "sessions", "established sessions that went down"},
           {"control", "bgp_suppressed_routes", "routes", "routes suppressed by flap damping"},
           {"control", "adj_rib_in_routes", "routes", "routes received from all peers (Adj-RIB-In)"},
           {"management", "polls_answered", "polls", "status polls answered by the agent"},
           {"management", "oob_reachable", "1", "1 while the out-of-band access path is intact"},
       }},
      {"host",
       "end host running request/response workloads; measures what users feel",
       {"data"},
       {
           {"data", "requests_sent", "requests", "requests sent by this host's clients"},
           {"data", "responses_ok", "responses", "successful responses received"},
           {"data", "errors", "responses", "error responses and failed connections"},
           {"data", "timeouts", "requests", "requests with no response within the timeout"},
           {"data", "loss_ratio", "1", "share of requests due in the interval that timed out or failed"},
           {"data", "latency_p50", "s", "request latency"},
           {"data", "latency_p99", "s", "request latency"},
           {"data", "latency_count", "1", "responses in the interval"},
           {"data", "goodput_bps", "bit/s", "response payload received in the interval"},
           {"data", "tcp_retransmits", "segments", "TCP segments sent again"},
           {"data", "connection_resets", "connections", "TCP connections lost or refused"},
           {"data", "requests_served", "requests", "requests answered by this host's servers"},
       }},
      {"link",
       "a point-to-point data link (its metrics are recorded under the link id)",
       {"data"},
       {
           {"data", "utilization", "1", "busier direction's share of the link rate in the interval"},
       }},
      {"monitor",
       "operators' monitoring station and dashboard: polls every agent over the out-of-band network",
       {"management"},
       {
           {"management", "polls_sent", "polls", "status polls sent"},
           {"management", "polls_failed", "polls", "status polls that timed out"},
           {"management", "stale_devices", "devices", "devices whose dashboard entry is stale"},
           {"management", "telemetry_lag", "s", "age of the oldest fresh-or-stale dashboard entry"},
       }},
  };
  return kKinds;
}

const DeviceKindDoc* FindDeviceKind(const std::string& kind) {
  for (const auto& k : DeviceKinds()) {
    if (k.kind == kind) return &k;
  }
  return nullptr;
}

bool KindHasMetric(const std::string& kind, const std::string& plane, const std::string& metric) {
  const DeviceKindDoc* k = FindDeviceKind(kind);
  if (!k) return false;
  bool has_plane = false;
  for (const auto& p : k->planes) has_plane |= (p == plane);
  if (!has_plane) return false;
  if (metric == "health.actual" || metric == "health.reported") return true;
  for (const auto& m : k->metrics) {
    if (m.plane == plane && m.name == metric) return true;
  }
  return false;
}

}  // namespace planelab
