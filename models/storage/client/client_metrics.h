// The storage client's metrics: its control plane (mount, volume creates, through the monitors) and its data plane
// (I/O straight to the OSDs: what the VM feels). Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct StorageClientControlMetrics : MetricTable {
  StorageClientControlMetrics() : MetricTable(Plane::kControl) {}
  const GaugeDecl& mounted = DeclareGauge("mounted", "1", "1 once the client holds a map (mounted)");
  const CounterDecl& mount_failures = DeclareCounter("mount_failures", "mounts", "mounts that got no map within mount_timeout");
  const CounterDecl& volume_creates = DeclareCounter("volume_creates", "volumes", "volume creates committed");
  const CounterDecl& volume_create_failures =
      DeclareCounter("volume_create_failures", "volumes", "volume creates refused or unanswered within mount_timeout");
  const GaugeDecl& epoch = DeclareGauge("osdmap_epoch", "epoch", "epoch of the map the client holds");

  static const StorageClientControlMetrics& Get() {
    static const StorageClientControlMetrics t;
    return t;
  }
};

struct StorageClientDataMetrics : MetricTable {
  StorageClientDataMetrics() : MetricTable(Plane::kData) {}
  const CounterDecl& ops = DeclareCounter("io_ops", "ops", "I/O operations completed");
  const CounterDecl& errors = DeclareCounter("io_errors", "ops", "I/O operations that failed (no answer within op_timeout)");
  const HistogramDecl& read_latency = DeclareHistogram("read_latency", "s", "read issued -> answered");
  const HistogramDecl& write_latency = DeclareHistogram("write_latency", "s", "write issued -> acknowledged");
  const GaugeDecl& error_ratio = DeclareGauge("io_error_ratio", "1", "share of the operations due in the last interval that failed");
  const GaugeDecl& ops_pending = DeclareGauge("io_pending", "ops", "operations issued and not yet answered");

  static const StorageClientDataMetrics& Get() {
    static const StorageClientDataMetrics t;
    return t;
  }
};

}  // namespace planelab
