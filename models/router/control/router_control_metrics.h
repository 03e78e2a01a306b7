// The router control planes' metrics: what every routing protocol's route processor records
// (RouterControlPlane), and what link-state routing and BGP add. Pure: the kind catalogue reads it.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

/// RouterControlPlane: the route processor's CPU, the RIB and the FIB it programs.
struct RouterControlMetrics : MetricTable {
  RouterControlMetrics() : MetricTable(Plane::kControl) {}
  const GaugeDecl& cpu_utilization =
      DeclareGauge("cpu_utilization", "1", "busy share of the route processor in the interval");
  const GaugeDecl& cpu_queue_depth = DeclareGauge("cpu_queue_depth", "items", "control work waiting or in service");
  const HistogramDecl& cpu_wait = DeclareHistogram("cpu_wait", "s", "queueing delay of control work");
  const GaugeDecl& cpu_wait_max = DeclareGauge("cpu_wait_max", "s", "longest wait of control work in the interval");
  const GaugeDecl& adjacencies_up =
      DeclareGauge("adjacencies_up", "neighbours", "routing adjacencies (BGP: sessions) established");
  const GaugeDecl& rib_routes = DeclareGauge("rib_routes", "routes", "routes in the routing table");
  const GaugeDecl& rib_fib_divergence =
      DeclareGauge("rib_fib_divergence", "routes", "route changes computed but not yet in the FIB");
  const CounterDecl& route_changes = DeclareCounter("route_changes", "changes", "FIB changes sent to the data plane");
  const HistogramDecl& convergence =
      DeclareHistogram("convergence", "s", "time from a topology event to the FIB programmed");
  const CounterDecl& messages_received =
      DeclareCounter("messages_received", "messages", "routing protocol messages processed");

  static const RouterControlMetrics& Get() {
    static const RouterControlMetrics table;
    return table;
  }
};

/// LinkStateControlPlane (routing.protocol "link-state"), besides RouterControlMetrics.
struct LinkStateControlMetrics : MetricTable {
  LinkStateControlMetrics() : MetricTable(Plane::kControl, "link-state") {}
  const CounterDecl& spf_runs = DeclareCounter("spf_runs", "runs", "route computations");
  const CounterDecl& lsas_flooded =
      DeclareCounter("lsas_flooded", "LSAs", "LSAs sent in Link State Updates, retransmissions included");
  const CounterDecl& lsa_retransmissions =
      DeclareCounter("lsa_retransmissions", "LSAs", "LSAs sent again for want of an acknowledgement");
  const CounterDecl& input_drops = DeclareCounter(
      "input_drops", "packets", "OSPF packets dropped because the daemon's socket receive buffer was full");
  const GaugeDecl& flooding_links = DeclareGauge(
      "flooding_links", "links", "full adjacencies LSAs are flooded on (recorded with RFC 9667 dynamic flooding only)");

  static const LinkStateControlMetrics& Get() {
    static const LinkStateControlMetrics table;
    return table;
  }
};

/// BgpControlPlane (routing.protocol "bgp"), besides RouterControlMetrics.
struct BgpControlMetrics : MetricTable {
  BgpControlMetrics() : MetricTable(Plane::kControl, "BGP") {}
  const CounterDecl& bgp_updates_sent = DeclareCounter("bgp_updates_sent", "messages", "BGP UPDATE messages sent");
  const CounterDecl& bgp_updates_received =
      DeclareCounter("bgp_updates_received", "messages", "BGP UPDATE messages received");
  const CounterDecl& bgp_withdrawals_received =
      DeclareCounter("bgp_withdrawals_received", "prefixes", "withdrawn prefixes received");
  const CounterDecl& bgp_session_drops =
      DeclareCounter("bgp_session_drops", "sessions", "established sessions that went down");
  const GaugeDecl& bgp_suppressed_routes =
      DeclareGauge("bgp_suppressed_routes", "routes", "routes suppressed by flap damping");
  const GaugeDecl& adj_rib_in_routes =
      DeclareGauge("adj_rib_in_routes", "routes", "routes received from all peers (Adj-RIB-In)");
  /// One per session, by the neighbour's device id (RFC 4273's bgpPeerState values).
  const GaugeDecl& bgp_session_state =
      DeclareGauge("bgp_session_state.<neighbour>", "state",
                   "state of the session with <neighbour> as BGP4-MIB bgpPeerState: 1 idle, 2 connect, 3 active, "
                   "4 openSent, 5 openConfirm, 6 established");

  static const BgpControlMetrics& Get() {
    static const BgpControlMetrics table;
    return table;
  }
};

}  // namespace planelab
