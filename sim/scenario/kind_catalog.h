// Device kinds and the metrics each plane of a kind records, known before any run (for validation, `planelab
// kinds` and docs/outputs.md). Nothing here is written by hand: each model family registers its kinds with
// the metric tables its planes declare (sim/core/metric_decl.h), and the catalogue derives the rest.
#pragma once
#include <string>
#include <vector>

#include "sim/core/metric_decl.h"

namespace planelab {

/// A series a plane of a device kind records, as the run store's series table will have it. A name with an
/// open hole ("bgp_session_state.<neighbour>") stands for one series per value.
struct MetricDoc {
  std::string plane;
  std::string name;
  std::string unit;
  std::string kind;  // counter | gauge | histogram-p50 | histogram-p99 | histogram-count
  std::string help;
  std::string only;  // the table's qualifier when only some devices of the kind record it ("BGP"), else ""
};

/// A device kind as its family declares it.
struct DeviceKindDecl {
  std::string kind;
  std::string help;
  /// The metric tables of its plane actors (and probes); statics (MetricTable's Get()).
  std::vector<const MetricTable*> tables;
};

/// A registered device kind, with what the catalogue derives from its tables.
struct DeviceKindDoc : DeviceKindDecl {
  std::vector<std::string> planes;  // the tables' planes, data before control before management
  std::vector<MetricDoc> metrics;   // every table's series (MetricDecl::Series), in table order
};

/// True when `metric` is the series `doc` names: equal, or filling its open hole with a non-empty value (then
/// `*value` is that value).
bool MatchesMetric(const MetricDoc& doc, const std::string& metric, std::string* value = nullptr);

/// The device kinds the model families registered, in registration order.
class KindCatalog {
 public:
  /// Registers a kind and derives its planes and series. Throws std::logic_error when the kind is taken or a
  /// plane would record two series of one name.
  void Add(DeviceKindDecl kind);
  const std::vector<DeviceKindDoc>& all() const { return kinds_; }
  const DeviceKindDoc* Find(const std::string& kind) const;
  /// True when `metric` (or health.actual / health.reported) is recorded by that kind on that plane.
  bool HasMetric(const std::string& kind, const std::string& plane, const std::string& metric) const;

 private:
  std::vector<DeviceKindDoc> kinds_;
};

}  // namespace planelab
