// The worker node's data plane metrics (NodeDataPlane): pods serving and kube-proxy's service routing. Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct NodeDataMetrics : MetricTable {
  NodeDataMetrics() : MetricTable(Plane::kData) {}
  const CounterDecl& service_requests =
      DeclareCounter("service_requests", "requests", "service requests that reached this node");
  const CounterDecl& forwarded =
      DeclareCounter("forwarded", "requests", "requests kube-proxy sent on to a pod on another node");
  const CounterDecl& served = DeclareCounter("served", "requests", "requests answered by pods on this node");
  const CounterDecl& refused =
      DeclareCounter("refused", "requests", "requests refused: no ready endpoint, stale endpoint or broken CNI");
  const CounterDecl& overload_drops =
      DeclareCounter("overload_drops", "requests", "requests dropped by pods with a full backlog");
  const GaugeDecl& ready_pods = DeclareGauge("ready_pods", "pods", "pods serving on this node");

  static const NodeDataMetrics& Get() {
    static const NodeDataMetrics table;
    return table;
  }
};

}  // namespace planelab
