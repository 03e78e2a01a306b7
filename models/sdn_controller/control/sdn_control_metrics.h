// The SDN controller control plane's metrics (SdnControlPlane): cluster, switches, flows and intents. Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct SdnControlMetrics : MetricTable {
  SdnControlMetrics() : MetricTable(Plane::kControl) {}
  const GaugeDecl& has_leader = DeclareGauge("has_leader", "1", "1 when this member knows a Raft leader (quorum)");
  const GaugeDecl& is_leader = DeclareGauge("is_leader", "1", "1 while this member leads the cluster");
  const CounterDecl& mastership_changes =
      DeclareCounter("mastership_changes", "changes", "switches whose master member changed (applied from the log)");
  const GaugeDecl& switches_mastered = DeclareGauge("switches_mastered", "switches", "switches this member masters");
  const GaugeDecl& switches_connected =
      DeclareGauge("switches_connected", "switches", "switches with an OpenFlow channel to this member");
  const GaugeDecl& switches_without_master =
      DeclareGauge("switches_without_master", "switches", "switches whose master is not live, as this member sees it");
  const GaugeDecl& links_discovered = DeclareGauge("links_discovered", "links", "switch-to-switch links known (LLDP)");
  const CounterDecl& packet_ins = DeclareCounter("packet_ins", "messages", "PACKET_INs received");
  const CounterDecl& flow_mods_sent = DeclareCounter("flow_mods_sent", "messages", "FLOW_MODs sent to switches");
  const CounterDecl& flow_mod_errors =
      DeclareCounter("flow_mod_errors", "messages", "ERRORs switches answered flow-mods with (table full, is slave)");
  const HistogramDecl& flow_mod_latency =
      DeclareHistogram("flow_mod_latency", "s", "a batch of flow-mods sent -> its barrier reply");
  const HistogramDecl& flow_setup_latency =
      DeclareHistogram("flow_setup_latency", "s", "reactive: packet-in received -> the path's flows acknowledged");
  const CounterDecl& intents_asked = DeclareCounter("intents_asked", "intents", "intents asked of this member");
  const CounterDecl& intents_refused =
      DeclareCounter("intents_refused", "intents", "intents refused: no quorum, or not committed in time");
  const CounterDecl& intents_installed =
      DeclareCounter("intents_installed", "intents", "intents asked here and programmed on every switch of their path");
  const GaugeDecl& intents_pending =
      DeclareGauge("intents_pending", "intents", "intents asked here, accepted, not yet on every switch");
  const HistogramDecl& intent_install_latency =
      DeclareHistogram("intent_install_latency", "s", "intent asked -> every switch of its path programmed");
  const GaugeDecl& intents_known =
      DeclareGauge("intents_known", "intents", "intents this member can read back (reads need no quorum)");

  static const SdnControlMetrics& Get() {
    static const SdnControlMetrics table;
    return table;
  }
};

}  // namespace planelab
