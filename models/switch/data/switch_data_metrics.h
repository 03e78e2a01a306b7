// The switch data plane's metrics (SwitchDataPlane): the flow table in the forwarding hardware. Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct SwitchDataMetrics : MetricTable {
  SwitchDataMetrics() : MetricTable(Plane::kData) {}
  const GaugeDecl& table_occupancy = DeclareGauge("table_occupancy", "1", "flow entries in use / table capacity");
  const GaugeDecl& flow_entries = DeclareGauge("flow_entries", "entries", "flow entries installed");
  const CounterDecl& transit_packets = DeclareCounter("transit_packets", "packets", "packets looked up in the flow table");
  const CounterDecl& forwarded_packets =
      DeclareCounter("forwarded_packets", "packets", "packets sent out of a port (a flood counts once per port)");
  const CounterDecl& dropped_packets =
      DeclareCounter("dropped_packets", "packets", "packets dropped: drop action, miss with no controller, dead ASIC");
  const CounterDecl& table_misses = DeclareCounter("table_misses", "packets", "lookups that matched no entry");
  const CounterDecl& packet_ins = DeclareCounter("packet_ins", "messages", "packets sent to the controllers");
  const CounterDecl& flows_expired =
      DeclareCounter("flows_expired", "entries", "entries removed by their idle or hard timeout");
  const CounterDecl& flow_mods_applied = DeclareCounter("flow_mods_applied", "messages", "flow-mods written to the table");
  const CounterDecl& table_full_errors =
      DeclareCounter("table_full_errors", "messages", "flow-mods refused with OFPFMFC_TABLE_FULL");
  const GaugeDecl& fail_open = DeclareGauge("fail_open", "1", "1 while the standalone fallback (L2 learning) forwards");
  const GaugeDecl& forwarded_bps = DeclareGauge("forwarded_bps", "bit/s", "forwarded traffic in the interval");

  static const SwitchDataMetrics& Get() {
    static const SwitchDataMetrics table;
    return table;
  }
};

}  // namespace planelab
