// The API server's management plane metrics (KubectlMgmtPlane): the operators' kubectl. Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct KubectlMgmtMetrics : MetricTable {
  KubectlMgmtMetrics() : MetricTable(Plane::kManagement) {}
  const CounterDecl& kubectl_requests = DeclareCounter("kubectl_requests", "requests", "requests kubectl sent");
  const CounterDecl& kubectl_errors =
      DeclareCounter("kubectl_errors", "requests", "kubectl requests that failed (429, 5xx, no answer)");
  const HistogramDecl& kubectl_latency = DeclareHistogram("kubectl_latency", "s", "kubectl request latency");
  const GaugeDecl& nodes_ready = DeclareGauge("nodes_ready", "nodes", "nodes `kubectl get nodes` shows Ready");
  const GaugeDecl& rollouts_in_progress =
      DeclareGauge("rollouts_in_progress", "rollouts",
                   "rollouts asked for and not yet complete: can the system still change?");
  const GaugeDecl& rollout_duration =
      DeclareGauge("rollout_duration", "s", "time from the operator's request to the last rollout complete");

  static const KubectlMgmtMetrics& Get() {
    static const KubectlMgmtMetrics table;
    return table;
  }
};

}  // namespace planelab
