// The cloud's data plane metrics (LoadBalancerDataPlane): the network load balancer in front of the workers. Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct LoadBalancerMetrics : MetricTable {
  LoadBalancerMetrics() : MetricTable(Plane::kData) {}
  const CounterDecl& lb_forwarded = DeclareCounter("lb_forwarded", "requests", "requests forwarded to an instance");
  const CounterDecl& lb_no_target =
      DeclareCounter("lb_no_target", "requests", "requests dropped with no registered target");
  const GaugeDecl& lb_targets =
      DeclareGauge("lb_targets", "instances", "instances registered with the load balancer");

  static const LoadBalancerMetrics& Get() {
    static const LoadBalancerMetrics table;
    return table;
  }
};

}  // namespace planelab
