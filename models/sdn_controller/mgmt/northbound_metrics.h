// The SDN controller's management plane metrics (SdnNorthboundMgmtPlane): the northbound REST API and the
// operators' dashboard, named as ONOS operators read them (the GUI's summary panel and `onos> summary`: devices,
// links, nodes, intents by IntentState). Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct SdnNorthboundMetrics : MetricTable {
  SdnNorthboundMetrics() : MetricTable(Plane::kManagement) {}
  const CounterDecl& rest_requests = DeclareCounter("rest_requests", "requests", "northbound REST calls made to this member (port 8181)");
  const CounterDecl& rest_errors =
      DeclareCounter("rest_errors", "requests", "REST calls refused, timed out or answered with a 5xx");
  const HistogramDecl& rest_latency = DeclareHistogram("rest_latency", "s", "a REST call -> its answer");
  const GaugeDecl& api_up = DeclareGauge("api_up", "1", "1 while the API accepts connections (0 down; slow counts as up)");
  // The dashboard (only on the member operators watch).
  const GaugeDecl& devices_available =
      DeclareGauge("devices_available", "switches", "switches the dashboard shows available (GUI summary: Devices)");
  const GaugeDecl& links = DeclareGauge("links", "links", "links the dashboard shows (GUI summary: Links)");
  const GaugeDecl& nodes_ready = DeclareGauge("nodes_ready", "members", "cluster members the dashboard shows READY");
  const GaugeDecl& intents_installed = DeclareGauge("intents_installed", "intents", "intents in state INSTALLED on the dashboard");
  const GaugeDecl& intents_installing =
      DeclareGauge("intents_installing", "intents", "intents in state INSTALLING (committed, not on every switch)");
  const GaugeDecl& intents_failed = DeclareGauge("intents_failed", "intents", "intents in state FAILED (refused)");
  const GaugeDecl& dashboard_age = DeclareGauge("dashboard_age", "s", "seconds since the dashboard's last refresh");
  // The operators' calls.
  const CounterDecl& operator_calls_accepted =
      DeclareCounter("operator_calls_accepted", "calls", "POST /onos/v1/intents answered 201 Created");
  const CounterDecl& operator_calls_failed =
      DeclareCounter("operator_calls_failed", "calls", "operators' calls that failed (retried until their patience ends)");
  const CounterDecl& operator_calls_abandoned =
      DeclareCounter("operator_calls_abandoned", "calls", "operators' calls given up after their patience");

  static const SdnNorthboundMetrics& Get() {
    static const SdnNorthboundMetrics table;
    return table;
  }
};

}  // namespace planelab
