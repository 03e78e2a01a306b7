// The OSD's metrics: its control plane (heartbeats, map, failure reports) and its data plane (client ops,
// replication, backfill), named after Ceph's OSD perf counters (ceph daemon osd.N perf dump). Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct OsdControlMetrics : MetricTable {
  OsdControlMetrics() : MetricTable(Plane::kControl) {}
  const GaugeDecl& epoch = DeclareGauge("osdmap_epoch", "epoch", "epoch of the OSD map this OSD holds");
  const GaugeDecl& up_in_map = DeclareGauge("osd_up_in_map", "1", "1 while this OSD's own map has it up");
  const GaugeDecl& peers = DeclareGauge("heartbeat_peers", "osds", "OSDs this one pings");
  const CounterDecl& failures_reported =
      DeclareCounter("heartbeat_failures_reported", "reports", "failure reports sent to the monitors (peer unheard past the grace)");
  const GaugeDecl& peers_failed = DeclareGauge("heartbeat_peers_failed", "osds", "peers unheard past the grace now");

  static const OsdControlMetrics& Get() {
    static const OsdControlMetrics t;
    return t;
  }
};

struct OsdDataMetrics : MetricTable {
  OsdDataMetrics() : MetricTable(Plane::kData) {}
  const CounterDecl& op_r = DeclareCounter("ceph_osd_op_r", "ops", "client reads served as primary");
  const CounterDecl& op_w = DeclareCounter("ceph_osd_op_w", "ops", "client writes served as primary (every acting copy written)");
  const HistogramDecl& op_r_latency = DeclareHistogram("ceph_osd_op_r_latency", "s", "client read: received -> replied");
  const HistogramDecl& op_w_latency =
      DeclareHistogram("ceph_osd_op_w_latency", "s", "client write: received -> every acting copy on disk -> replied");
  const GaugeDecl& ops_in_flight = DeclareGauge("ops_in_flight", "ops", "client ops received and not yet replied");
  const CounterDecl& slow_ops = DeclareCounter("slow_ops", "ops", "ops that took longer than slow_op (osd_op_complaint_time)");
  const CounterDecl& ops_blocked =
      DeclareCounter("ops_blocked", "ops", "ops dropped: the PG is below min_size or this OSD is not its primary");
  const CounterDecl& recovery_bytes = DeclareCounter("ceph_osd_recovery_bytes", "bytes", "bytes pushed to backfill targets");
  const GaugeDecl& pg_backfilling = DeclareGauge("ceph_pg_backfilling", "pgs", "PGs this OSD leads whose new copy is still being backfilled");
  const GaugeDecl& pg_primary = DeclareGauge("ceph_osd_numpg_primary", "pgs", "PGs this OSD is primary of, by its map");

  static const OsdDataMetrics& Get() {
    static const OsdDataMetrics t;
    return t;
  }
};

}  // namespace planelab
