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
