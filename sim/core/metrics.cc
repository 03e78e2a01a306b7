#include "sim/core/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace planelab {

double Histogram::Percentile(double q) {
  if (values_.empty()) return std::numeric_limits<double>::quiet_NaN();
  // Nearest-rank definition: the smallest value with at least q of the observations at or below it.
  size_t rank = static_cast<size_t>(std::ceil(q * values_.size()));
  if (rank == 0) rank = 1;
  auto nth = values_.begin() + static_cast<long>(rank - 1);
  std::nth_element(values_.begin(), nth, values_.end());
  return *nth;
}

int MetricRegistry::Declare(const std::string& device, Plane plane, const std::string& name,
                            const std::string& unit, const std::string& kind, const std::string& help) {
  SeriesInfo s;
  s.id = static_cast<int>(series_.size()) + 1;
  s.device = device;
  s.plane = ToString(plane);
  s.metric = name;
  s.unit = unit;
  s.kind = kind;
  s.help = help;
  series_.push_back(s);
  return s.id - 1;
}

Counter* MetricRegistry::AddCounter(const std::string& device, Plane plane, const std::string& name,
                                    const std::string& unit, const std::string& help) {
  counters_.emplace_back();
  entries_.push_back({Kind::kCounter, Declare(device, plane, name, unit, "counter", help), &counters_.back()});
  return &counters_.back();
}

Gauge* MetricRegistry::AddGauge(const std::string& device, Plane plane, const std::string& name,
                                const std::string& unit, const std::string& help) {
  gauges_.emplace_back();
  entries_.push_back({Kind::kGauge, Declare(device, plane, name, unit, "gauge", help), &gauges_.back()});
  return &gauges_.back();
}

Histogram* MetricRegistry::AddHistogram(const std::string& device, Plane plane, const std::string& name,
                                        const std::string& unit, const std::string& help) {
  histograms_.emplace_back();
  int first = -1;
  for (const SeriesDoc& s : HistogramSeries(name, unit, help)) {
    int id = Declare(device, plane, s.name, s.unit, s.kind, s.help);
    if (first < 0) first = id;
  }
  entries_.push_back({Kind::kHistogram, first, &histograms_.back()});
  return &histograms_.back();
}

namespace {
/// A declaration with a hole names many series: the model adds each with decl.Instance(value).
void CheckFilled(const MetricDecl& d) {
  if (!d.hole().empty()) {
    throw std::logic_error("metric \"" + d.name + "\" has a <hole>: add its series with decl.Instance(value)");
  }
}
}  // namespace

Counter* MetricRegistry::AddCounter(const std::string& device, const CounterDecl& d) {
  CheckFilled(d);
  return AddCounter(device, d.plane, d.name, d.unit, d.help);
}
Gauge* MetricRegistry::AddGauge(const std::string& device, const GaugeDecl& d) {
  CheckFilled(d);
  return AddGauge(device, d.plane, d.name, d.unit, d.help);
}
Histogram* MetricRegistry::AddHistogram(const std::string& device, const HistogramDecl& d) {
  CheckFilled(d);
  return AddHistogram(device, d.plane, d.name, d.unit, d.help);
}

void MetricRegistry::Sample(const std::function<void(const SeriesInfo&, double)>& out) {
  for (const Entry& e : entries_) {
    switch (e.kind) {
      case Kind::kCounter:
        out(series_[e.first_series], static_cast<Counter*>(e.metric)->value());
        break;
      case Kind::kGauge:
        out(series_[e.first_series], static_cast<Gauge*>(e.metric)->value());
        break;
      case Kind::kHistogram: {
        auto* h = static_cast<Histogram*>(e.metric);
        if (h->count() > 0) {
          out(series_[e.first_series], h->Percentile(0.50));
          out(series_[e.first_series + 1], h->Percentile(0.99));
        }
        out(series_[e.first_series + 2], static_cast<double>(h->count()));
        h->Reset();
        break;
      }
    }
  }
}

void MetricRegistry::Read(const std::string& device,
                          const std::function<void(const SeriesInfo&, double)>& out) const {
  for (const Entry& e : entries_) {
    const SeriesInfo& info = series_[e.first_series];
    if (info.device != device) continue;
    if (e.kind == Kind::kCounter) out(info, static_cast<const Counter*>(e.metric)->value());
    else if (e.kind == Kind::kGauge) out(info, static_cast<const Gauge*>(e.metric)->value());
  }
}

}  // namespace planelab
