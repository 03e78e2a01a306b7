#include "models/monitor/monitor_kind.h"

#include "models/monitor/monitor_metrics.h"

namespace planelab {

DeviceKindDecl MonitorKind() {
  return {"monitor",
          "operators' monitoring station and dashboard: polls every agent over the out-of-band network",
          {&MonitorMgmtMetrics::Get(), &TelemetryPipelineMetrics::Get()}};
}

}  // namespace planelab
