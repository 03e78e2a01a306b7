// The service client's data plane metrics (ServiceClientDataPlane): users of the cluster's services. Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

struct ServiceClientMetrics : MetricTable {
  ServiceClientMetrics() : MetricTable(Plane::kData) {}
  const CounterDecl& requests_sent = DeclareCounter("requests_sent", "requests", "service requests sent");
  const CounterDecl& responses_ok = DeclareCounter("responses_ok", "responses", "requests answered by a pod");
  const CounterDecl& refused = DeclareCounter("refused", "requests", "requests refused (connection refused)");
  const CounterDecl& timeouts =
      DeclareCounter("timeouts", "requests", "requests with no answer within the timeout");
  const HistogramDecl& latency = DeclareHistogram("latency", "s", "request latency of answered requests");
  const GaugeDecl& error_ratio =
      DeclareGauge("error_ratio", "1", "share of requests due in the interval that were refused or timed out");

  static const ServiceClientMetrics& Get() {
    static const ServiceClientMetrics table;
    return table;
  }
};

}  // namespace planelab
