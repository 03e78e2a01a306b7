// The switch agent's metrics (SwitchAgent): the OpenFlow channel to the controllers. Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct SwitchControlMetrics : MetricTable {
  SwitchControlMetrics() : MetricTable(Plane::kControl) {}
  const GaugeDecl& connected_controllers =
      DeclareGauge("connected_controllers", "controllers", "controllers with an established OpenFlow channel");
  const GaugeDecl& has_master = DeclareGauge("has_master", "1", "1 when a connected controller holds the master role");
  const HistogramDecl& echo_rtt = DeclareHistogram("echo_rtt", "s", "round trip of the inactivity probe (echo)");
  const CounterDecl& channel_drops =
      DeclareCounter("channel_drops", "connections", "controller connections lost (probe unanswered or TCP closed)");
  const CounterDecl& flow_mods_received = DeclareCounter("flow_mods_received", "messages", "FLOW_MODs from controllers");
  const CounterDecl& packet_ins_sent = DeclareCounter("packet_ins_sent", "messages", "PACKET_INs sent to controllers");
  const CounterDecl& packet_ins_dropped =
      DeclareCounter("packet_ins_dropped", "messages", "PACKET_INs with no controller to take them");
  const CounterDecl& role_changes = DeclareCounter("role_changes", "messages", "ROLE_REQUESTs accepted");

  static const SwitchControlMetrics& Get() {
    static const SwitchControlMetrics table;
    return table;
  }
};

}  // namespace planelab
