// The switch's management agent metrics (SwitchMgmtAgent). Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct SwitchMgmtMetrics : MetricTable {
  SwitchMgmtMetrics() : MetricTable(Plane::kManagement) {}
  const CounterDecl& polls_answered = DeclareCounter("polls_answered", "polls", "SNMP polls answered by the agent");
  const GaugeDecl& oob_reachable = DeclareGauge("oob_reachable", "1", "1 while the out-of-band access path is intact");

  static const SwitchMgmtMetrics& Get() {
    static const SwitchMgmtMetrics table;
    return table;
  }
};

}  // namespace planelab
