// The monitor's control-plane metrics (StorageMonControlPlane): quorum, the map and what `ceph status` shows,
// named as Ceph's Prometheus exporter (ceph-mgr "prometheus" module) names them. Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct StorageMonMetrics : MetricTable {
  StorageMonMetrics() : MetricTable(Plane::kControl) {}
  const GaugeDecl& quorum = DeclareGauge("ceph_mon_quorum_status", "1", "1 while this monitor is in quorum (knows a leader)");
  const GaugeDecl& is_leader = DeclareGauge("mon_is_leader", "1", "1 while this monitor leads the quorum");
  const GaugeDecl& epoch = DeclareGauge("ceph_osdmap_epoch", "epoch", "epoch of the OSD map this monitor holds");
  const GaugeDecl& osd_up = DeclareGauge("ceph_osd_up", "osds", "OSDs up in this monitor's map (the exporter's per-OSD series, summed)");
  const GaugeDecl& osd_in = DeclareGauge("ceph_osd_in", "osds", "OSDs in, in this monitor's map (summed likewise)");
  const GaugeDecl& pg_active = DeclareGauge("ceph_pg_active", "pgs", "PGs with at least min_size copies up, by this map");
  const GaugeDecl& pg_clean = DeclareGauge("ceph_pg_clean", "pgs", "PGs with every copy up, by this map");
  const GaugeDecl& pg_degraded = DeclareGauge("ceph_pg_degraded", "pgs", "active PGs with fewer than size copies, by this map");
  const GaugeDecl& pg_inactive = DeclareGauge("ceph_pg_inactive", "pgs", "PGs below min_size (I/O blocks), by this map");
  const CounterDecl& map_changes = DeclareCounter("osdmap_changes", "changes", "map changes committed (down, up, out, in, volume creates)");
  const CounterDecl& failure_reports = DeclareCounter("osd_failure_reports", "reports", "OSD failure reports received");
  const CounterDecl& requests_refused =
      DeclareCounter("mon_requests_unserved", "requests", "subscriptions and commands left unanswered: no quorum");
  const GaugeDecl& volumes = DeclareGauge("volumes", "volumes", "volumes (RBD images) in this monitor's map");

  static const StorageMonMetrics& Get() {
    static const StorageMonMetrics t;
    return t;
  }
};

}  // namespace planelab
