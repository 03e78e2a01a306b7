// Metric declarations: a metric's plane, name, unit and help, written once in a table beside the model that
// records it. Pure (no ns-3): plane actors create their series from the tables (PlaneActor::AddCounter(decl)),
// and the device-kind catalogue, `planelab kinds` and docs/outputs.md are derived from the same tables.
#pragma once
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/plane.h"

namespace planelab {

enum class MetricKind { kCounter, kGauge, kHistogram };
const char* ToString(MetricKind k);

/// One series as the run store's series table has it (a counter or gauge records one, a histogram three).
struct SeriesDoc {
  std::string name;
  std::string unit;
  std::string kind;  // counter | gauge | histogram-p50 | histogram-p99 | histogram-count
  std::string help;
};

/// The three series of a histogram `name`, exactly as the metric registry records them.
std::vector<SeriesDoc> HistogramSeries(const std::string& name, const std::string& unit, const std::string& help);

/// A metric a plane declares. A name may hold one hole, "<neighbour>" in "bgp_session_state.<neighbour>": the
/// plane records one series per value (Instance); the help may name the hole too. A closed hole lists its values
/// (the API server's verbs); an open one takes any (a neighbour's device id).
struct MetricDecl {
  Plane plane = Plane::kData;
  MetricKind kind = MetricKind::kCounter;
  std::string name;
  std::string unit;
  std::string help;
  std::vector<std::string> instances;  // a closed hole's values, in order; empty for an open hole or none

  /// The hole's word ("neighbour"), or "" when the name has none.
  std::string hole() const;
  /// The declaration of one instance: the hole filled with `value` in name and help. Throws std::logic_error
  /// when the name has no hole or a closed hole does not list `value`.
  MetricDecl Instance(const std::string& value) const;
  /// The series this metric records: a closed hole's instances expanded, an open hole kept ("<neighbour>").
  std::vector<SeriesDoc> Series() const;
};

/// A declaration whose kind the compiler knows, so AddCounter cannot be handed a gauge.
template <MetricKind K>
struct TypedMetricDecl : MetricDecl {
  explicit TypedMetricDecl(MetricDecl d) : MetricDecl(std::move(d)) {}
  TypedMetricDecl Instance(const std::string& value) const { return TypedMetricDecl(MetricDecl::Instance(value)); }
};
using CounterDecl = TypedMetricDecl<MetricKind::kCounter>;
using GaugeDecl = TypedMetricDecl<MetricKind::kGauge>;
using HistogramDecl = TypedMetricDecl<MetricKind::kHistogram>;

/// The metrics of one plane actor (or run-wide probe), in declaration order. A plane's table derives from this
/// and declares each metric as a named member, written once:
///
///   struct RouterDataMetrics : MetricTable {
///     RouterDataMetrics() : MetricTable(Plane::kData) {}
///     const CounterDecl& transit_packets = DeclareCounter("transit_packets", "packets", "transit packets ...");
///     static const RouterDataMetrics& Get() { static const RouterDataMetrics t; return t; }
///   };
///
/// and the actor creates the series with AddCounter(RouterDataMetrics::Get().transit_packets).
class MetricTable {
 public:
  MetricTable(const MetricTable&) = delete;
  MetricTable& operator=(const MetricTable&) = delete;

  Plane plane() const { return plane_; }
  /// When only some devices of a kind record this table, a short qualifier ("BGP", "etcd-1"); else "".
  const std::string& only() const { return only_; }
  const std::vector<const MetricDecl*>& metrics() const { return order_; }

 protected:
  explicit MetricTable(Plane plane, std::string only = "") : plane_(plane), only_(std::move(only)) {}
  ~MetricTable() = default;

  const CounterDecl& DeclareCounter(std::string name, std::string unit, std::string help,
                                    std::vector<std::string> instances = {});
  const GaugeDecl& DeclareGauge(std::string name, std::string unit, std::string help,
                                std::vector<std::string> instances = {});
  const HistogramDecl& DeclareHistogram(std::string name, std::string unit, std::string help,
                                        std::vector<std::string> instances = {});

 private:
  MetricDecl Make(MetricKind kind, std::string name, std::string unit, std::string help,
                  std::vector<std::string> instances) const;

  Plane plane_;
  std::string only_;
  // Deques: the references handed out stay valid as the table grows.
  std::deque<CounterDecl> counters_;
  std::deque<GaugeDecl> gauges_;
  std::deque<HistogramDecl> histograms_;
  std::vector<const MetricDecl*> order_;
};

}  // namespace planelab
