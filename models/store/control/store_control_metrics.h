// The store member's control plane metrics (StoreControlPlane: Raft and its WAL on the member disk), named after
// etcd's own (etcd.io/docs "Metrics"), and the run-wide safety probe's, recorded on etcd-1's control plane. Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct StoreControlMetrics : MetricTable {
  StoreControlMetrics() : MetricTable(Plane::kControl) {}
  const HistogramDecl& wal_fsync_duration =
      DeclareHistogram("wal_fsync_duration", "s", "etcd_disk_wal_fsync_duration_seconds: WAL append + fsync");
  const HistogramDecl& backend_commit_duration =
      DeclareHistogram("backend_commit_duration", "s",
                       "etcd_disk_backend_commit_duration_seconds: applied entries written to the backend");
  const CounterDecl& proposals_committed =
      DeclareCounter("proposals_committed", "proposals", "etcd_server_proposals_committed_total");
  const CounterDecl& proposals_failed =
      DeclareCounter("proposals_failed", "proposals", "etcd_server_proposals_failed_total");
  const CounterDecl& leader_changes =
      DeclareCounter("leader_changes", "changes", "etcd_server_leader_changes_seen_total");
  const CounterDecl& heartbeat_send_failures =
      DeclareCounter("heartbeat_send_failures", "heartbeats",
                     "etcd_server_heartbeat_send_failures_total: heartbeats sent later than 2x the "
                     "heartbeat interval (\"leader failed to send out heartbeat on time\")");
  const CounterDecl& peer_messages_sent =
      DeclareCounter("peer_messages_sent", "messages", "Raft messages sent to peers");
  const GaugeDecl& has_leader = DeclareGauge("has_leader", "1", "etcd_server_has_leader");
  const GaugeDecl& is_leader = DeclareGauge("is_leader", "1", "etcd_server_is_leader");
  const GaugeDecl& term = DeclareGauge("term", "1", "current Raft term");
  const GaugeDecl& commit_index = DeclareGauge("commit_index", "entries", "Raft commit index");
  const GaugeDecl& disk_utilization =
      DeclareGauge("disk_utilization", "1", "busy share of the member's disk in the interval");

  static const StoreControlMetrics& Get() {
    static const StoreControlMetrics table;
    return table;
  }
};

/// StoreSafetyProbe: one per run, on the first member's control plane.
struct StoreSafetyMetrics : MetricTable {
  StoreSafetyMetrics() : MetricTable(Plane::kControl, "etcd-1") {}
  const CounterDecl& safety_violations =
      DeclareCounter("safety_violations", "1",
                     "Raft safety violations seen anywhere in the store (two leaders in a term, "
                     "two entries applied at one index); must stay 0");

  static const StoreSafetyMetrics& Get() {
    static const StoreSafetyMetrics table;
    return table;
  }
};

}  // namespace planelab
