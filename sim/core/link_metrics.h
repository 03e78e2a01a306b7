// The metrics the engine records per data link (sim/core/network.cc), under the link id. Pure: no ns-3.
#pragma once
#include "sim/core/metric_decl.h"
#include "sim/scenario/kind_catalog.h"

namespace planelab {

struct LinkMetrics : MetricTable {
  LinkMetrics() : MetricTable(Plane::kData) {}
  const GaugeDecl& utilization =
      DeclareGauge("utilization", "1", "busier direction's share of the link rate in the interval");

  static const LinkMetrics& Get() {
    static const LinkMetrics table;
    return table;
  }
};

/// The link as the kind catalogue knows it (`planelab kinds`); models/models.cc registers it.
inline DeviceKindDecl LinkKind() {
  return {"link", "a point-to-point data link (its metrics are recorded under the link id)", {&LinkMetrics::Get()}};
}

}  // namespace planelab
