// The router management plane's metrics (RouterMgmtAgent): the status agent on the out-of-band port. Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct RouterMgmtMetrics : MetricTable {
  RouterMgmtMetrics() : MetricTable(Plane::kManagement) {}
  const CounterDecl& polls_answered = DeclareCounter("polls_answered", "polls", "status polls answered by the agent");
  const GaugeDecl& oob_reachable = DeclareGauge("oob_reachable", "1", "1 while the out-of-band access path is intact");

  static const RouterMgmtMetrics& Get() {
    static const RouterMgmtMetrics table;
    return table;
  }
};

}  // namespace planelab
