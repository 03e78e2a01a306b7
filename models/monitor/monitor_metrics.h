// The monitoring station's metrics (its management plane: poller and dashboard). Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct MonitorMgmtMetrics : MetricTable {
  MonitorMgmtMetrics() : MetricTable(Plane::kManagement) {}
  const CounterDecl& polls_sent = DeclareCounter("polls_sent", "polls", "status polls sent");
  const CounterDecl& polls_failed = DeclareCounter("polls_failed", "polls", "status polls that timed out");
  const GaugeDecl& stale_devices = DeclareGauge("stale_devices", "devices", "devices whose dashboard entry is stale");
  const GaugeDecl& telemetry_lag =
      DeclareGauge("telemetry_lag", "s", "age of the oldest fresh-or-stale dashboard entry");

  static const MonitorMgmtMetrics& Get() {
    static const MonitorMgmtMetrics table;
    return table;
  }
};

}  // namespace planelab

namespace planelab {

/// The station's telemetry pipeline metrics, recorded only when the scenario has a "telemetry" section.
struct TelemetryPipelineMetrics : MetricTable {
  TelemetryPipelineMetrics() : MetricTable(Plane::kManagement, "telemetry") {}
  const GaugeDecl& alerts_firing = DeclareGauge("alerts_firing", "alerts", "alerts the rules hold firing");
  const CounterDecl& notifications = DeclareCounter("notifications", "notifications", "notifications sent to the on-call");
  const GaugeDecl& stale_panel_share =
      DeclareGauge("stale_panel_share", "1", "share of dashboard panels with no data or not updated in two intervals");
  const GaugeDecl& data_age = DeclareGauge("data_age", "s", "age of the oldest device's newest sample on the dashboard");
  const GaugeDecl& shown_lag =
      DeclareGauge("shown_lag", "s", "sample time to shown time of the samples the latest refresh showed first");
  const GaugeDecl& audit_backlog = DeclareGauge("audit_backlog", "records", "audit records not delivered yet");
  const GaugeDecl& audit_lag = DeclareGauge("audit_lag", "s", "age of the oldest audit record not delivered yet");
  const GaugeDecl& manageable_devices =
      DeclareGauge("manageable_devices", "devices", "managed devices some access path (in-band or out-of-band) reaches");

  static const TelemetryPipelineMetrics& Get() {
    static const TelemetryPipelineMetrics table;
    return table;
  }
};

}  // namespace planelab
