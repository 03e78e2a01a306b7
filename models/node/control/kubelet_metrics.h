// The worker node's control plane metrics (KubeletControlPlane): kubelet and its node lease. Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct KubeletMetrics : MetricTable {
  KubeletMetrics() : MetricTable(Plane::kControl) {}
  const CounterDecl& lease_renewals =
      DeclareCounter("lease_renewals", "renewals", "node lease renewals that succeeded");
  const CounterDecl& lease_renew_failures =
      DeclareCounter("lease_renew_failures", "renewals", "node lease renewals that failed or timed out");
  const CounterDecl& pods_started = DeclareCounter("pods_started", "pods", "pods this kubelet started");
  const GaugeDecl& pods_running = DeclareGauge("pods_running", "pods", "pods running on the node");

  static const KubeletMetrics& Get() {
    static const KubeletMetrics table;
    return table;
  }
};

}  // namespace planelab
