// The router data plane's metrics (RouterDataPlane): forwarding ASIC and FIB. Pure: the kind catalogue reads it.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct RouterDataMetrics : MetricTable {
  RouterDataMetrics() : MetricTable(Plane::kData) {}
  const CounterDecl& transit_packets =
      DeclareCounter("transit_packets", "packets", "transit packets received for forwarding");
  const CounterDecl& forwarded_packets = DeclareCounter("forwarded_packets", "packets", "transit packets forwarded");
  const CounterDecl& dropped_packets =
      DeclareCounter("dropped_packets", "packets", "transit packets dropped (dead ASIC or no route)");
  const CounterDecl& punted_packets =
      DeclareCounter("punted_packets", "packets", "packets addressed to the router, punted to its CPU");
  const CounterDecl& ttl_expired_packets =
      DeclareCounter("ttl_expired_packets", "packets", "packets dropped with TTL expired (forwarding loops)");
  const GaugeDecl& drop_ratio = DeclareGauge("drop_ratio", "1", "share of transit packets dropped in the interval");
  const GaugeDecl& forwarded_bps = DeclareGauge("forwarded_bps", "bit/s", "forwarded transit traffic in the interval");
  const GaugeDecl& fib_routes = DeclareGauge("fib_routes", "routes", "routes programmed in the FIB");
  const GaugeDecl& queue_depth_max =
      DeclareGauge("queue_depth_max", "packets", "deepest egress queue at the sampling instant");
  const GaugeDecl& interfaces_up = DeclareGauge("interfaces_up", "interfaces", "interfaces with carrier");

  static const RouterDataMetrics& Get() {
    static const RouterDataMetrics table;
    return table;
  }
};

}  // namespace planelab
