// The store member's data plane metrics (StoreDataPlane): key-value service and state machine. Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct StoreDataMetrics : MetricTable {
  StoreDataMetrics() : MetricTable(Plane::kData) {}
  const CounterDecl& client_requests =
      DeclareCounter("client_requests", "requests", "client requests received (put, delete, range, watch)");
  const CounterDecl& client_requests_failed =
      DeclareCounter("client_requests_failed", "requests", "client requests answered with an error or timed out");
  const CounterDecl& proposals_applied =
      DeclareCounter("proposals_applied", "proposals", "etcd_server_proposals_applied_total");
  const GaugeDecl& proposals_pending =
      DeclareGauge("proposals_pending", "proposals", "etcd_server_proposals_pending: writes awaiting apply");
  const GaugeDecl& revision = DeclareGauge("revision", "1", "the store's revision (applied changes)");
  const GaugeDecl& keys = DeclareGauge("keys", "keys", "keys in the store");
  const GaugeDecl& watch_streams = DeclareGauge("watch_streams", "streams", "open watch streams");
  const HistogramDecl& write_latency =
      DeclareHistogram("write_latency", "s", "client write latency at the member: received to applied");

  static const StoreDataMetrics& Get() {
    static const StoreDataMetrics table;
    return table;
  }
};

}  // namespace planelab
