// The API server's control plane metrics (ApiServerControlPlane), after kube-apiserver's own; per verb like
// apiserver_request_total{verb}. Pure.
#pragma once
#include <string>
#include <vector>

#include "models/proto/cluster_api.h"
#include "sim/core/metric_decl.h"

namespace planelab {

struct ApiServerControlMetrics : MetricTable {
  ApiServerControlMetrics() : MetricTable(Plane::kControl) {}
  const CounterDecl& requests =
      DeclareCounter("requests_<verb>", "requests", "apiserver_request_total{verb=<verb>}", VerbNames());
  const CounterDecl& errors =
      DeclareCounter("errors_<verb>", "requests", "requests answered 429 or 5xx, verb <verb>", VerbNames());
  const HistogramDecl& latency =
      DeclareHistogram("latency_<verb>", "s", "apiserver_request_duration_seconds{verb=<verb>}", VerbNames());
  const CounterDecl& throttled =
      DeclareCounter("throttled", "requests", "requests refused with 429 over the inflight limits");
  const CounterDecl& store_errors =
      DeclareCounter("store_errors", "requests", "store calls that failed or got no answer");
  const GaugeDecl& inflight = DeclareGauge("inflight", "requests", "requests being served");
  const GaugeDecl& watches = DeclareGauge("watches", "streams", "open watch streams");
  const GaugeDecl& watch_cache_revision =
      DeclareGauge("watch_cache_revision", "1", "store revision the watch cache has seen");

  static const ApiServerControlMetrics& Get() {
    static const ApiServerControlMetrics table;
    return table;
  }

 private:
  static std::vector<std::string> VerbNames() {
    std::vector<std::string> names;
    for (Verb v : kVerbs) names.push_back(ToString(v));
    return names;
  }
};

}  // namespace planelab
