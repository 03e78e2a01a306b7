// The controller manager's control plane metrics (ControllerManagerControlPlane): scheduler, deployment and node
// lifecycle controllers, the autoscaler. Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct ControllerManagerMetrics : MetricTable {
  ControllerManagerMetrics() : MetricTable(Plane::kControl) {}
  const CounterDecl& api_writes =
      DeclareCounter("api_writes", "requests", "writes sent to the API server by the controllers and scheduler");
  const CounterDecl& reconcile_failures =
      DeclareCounter("reconcile_failures", "writes", "writes that failed (the item is retried with backoff)");
  const CounterDecl& pods_scheduled = DeclareCounter("pods_scheduled", "pods", "pods bound to a node by the scheduler");
  const CounterDecl& pods_created = DeclareCounter("pods_created", "pods", "pods created by the deployment controller");
  const CounterDecl& pod_evictions =
      DeclareCounter("pod_evictions", "pods", "pods deleted from NotReady nodes by the node lifecycle controller");
  const GaugeDecl& workqueue_depth =
      DeclareGauge("workqueue_depth", "items", "writes waiting for the client rate limiter or an answer");
  const GaugeDecl& pending_pods = DeclareGauge("pending_pods", "pods", "pods not bound to any node");
  const HistogramDecl& rollout_duration =
      DeclareHistogram("rollout_duration", "s", "new revision set to every replica updated and ready");
  const HistogramDecl& schedule_latency =
      DeclareHistogram("schedule_latency", "s", "pod created to bound to a node");
  const CounterDecl& hpa_scale_ups = DeclareCounter("hpa_scale_ups", "changes", "replica increases the autoscaler wrote");
  const CounterDecl& hpa_scale_downs =
      DeclareCounter("hpa_scale_downs", "changes", "replica decreases the autoscaler wrote");
  const CounterDecl& hpa_write_failures =
      DeclareCounter("hpa_write_failures", "writes", "autoscaler decisions the API did not take");
  const GaugeDecl& hpa_utilization =
      DeclareGauge("hpa_utilization", "1", "highest mean pod utilization the autoscaler measured");

  static const ControllerManagerMetrics& Get() {
    static const ControllerManagerMetrics table;
    return table;
  }
};

}  // namespace planelab
