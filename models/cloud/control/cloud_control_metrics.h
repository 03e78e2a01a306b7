// The cloud's control plane metrics (CloudControlPlane): instance API, auto-scaling group, retirement. Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct CloudControlMetrics : MetricTable {
  CloudControlMetrics() : MetricTable(Plane::kControl) {}
  const CounterDecl& launches = DeclareCounter("launches", "instances", "instances launched");
  const CounterDecl& launch_failures =
      DeclareCounter("launch_failures", "calls", "instance launches the API refused or failed");
  const CounterDecl& retirements =
      DeclareCounter("retirements", "instances", "instances retired at the end of their lifetime");
  const HistogramDecl& api_latency = DeclareHistogram("api_latency", "s", "instance API call latency");
  const GaugeDecl& instances_running =
      DeclareGauge("instances_running", "instances", "worker instances running (booted)");

  static const CloudControlMetrics& Get() {
    static const CloudControlMetrics table;
    return table;
  }
};

}  // namespace planelab
