// The host data plane's metrics (HostDataPlane): what the users of its workloads feel. Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct HostDataMetrics : MetricTable {
  HostDataMetrics() : MetricTable(Plane::kData) {}
  const CounterDecl& requests_sent = DeclareCounter("requests_sent", "requests", "requests sent by this host's clients");
  const CounterDecl& responses_ok = DeclareCounter("responses_ok", "responses", "successful responses received");
  const CounterDecl& errors = DeclareCounter("errors", "responses", "error responses and failed connections");
  const CounterDecl& timeouts =
      DeclareCounter("timeouts", "requests", "requests with no response within the timeout");
  const GaugeDecl& loss_ratio =
      DeclareGauge("loss_ratio", "1", "share of requests due in the interval that timed out or failed");
  const HistogramDecl& latency = DeclareHistogram("latency", "s", "request latency");
  const GaugeDecl& goodput_bps = DeclareGauge("goodput_bps", "bit/s", "response payload received in the interval");
  const CounterDecl& tcp_retransmits = DeclareCounter("tcp_retransmits", "segments", "TCP segments sent again");
  const CounterDecl& connection_resets =
      DeclareCounter("connection_resets", "connections", "TCP connections lost or refused");
  const CounterDecl& requests_served =
      DeclareCounter("requests_served", "requests", "requests answered by this host's servers");

  static const HostDataMetrics& Get() {
    static const HostDataMetrics table;
    return table;
  }
};

}  // namespace planelab
