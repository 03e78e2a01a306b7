// Declared statistics: models declare counters, gauges and histograms; probes sample them.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "sim/core/metric_decl.h"
#include "sim/core/plane.h"

namespace planelab {

/// Identity and meaning of one metric series, as written to the run store.
struct SeriesInfo {
  int id = 0;
  std::string device;
  std::string plane;
  std::string metric;
  std::string unit;
  std::string kind;  // counter | gauge | histogram-p50 | histogram-p99 | histogram-count
  std::string help;
};

/// A monotonically increasing count (packets, requests, errors).
class Counter {
 public:
  void Add(double n = 1) { value_ += n; }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

/// A value that goes up and down; either set by the model or read from a callback at sampling.
class Gauge {
 public:
  void Set(double v) { value_ = v; }
  double value() const { return read_ ? read_() : value_; }
  void BindReader(std::function<double()> read) { read_ = std::move(read); }

 private:
  double value_ = 0;
  std::function<double()> read_;
};

/// Latency-like observations of one sampling interval, summarised as p50/p99 and reset.
class Histogram {
 public:
  void Observe(double v) { values_.push_back(v); }
  /// Nearest-rank percentile (q in [0,1]) of the current interval; NaN when empty.
  double Percentile(double q);
  size_t count() const { return values_.size(); }
  void Reset() { values_.clear(); }

 private:
  std::vector<double> values_;
};

/// All metrics of a run, in declaration order (deterministic sampling order).
class MetricRegistry {
 public:
  Counter* AddCounter(const std::string& device, Plane plane, const std::string& name,
                      const std::string& unit, const std::string& help);
  Gauge* AddGauge(const std::string& device, Plane plane, const std::string& name,
                  const std::string& unit, const std::string& help);
  Histogram* AddHistogram(const std::string& device, Plane plane, const std::string& name,
                          const std::string& unit, const std::string& help);
  /// The same from a declaration (sim/core/metric_decl.h), on the declaration's plane.
  Counter* AddCounter(const std::string& device, const CounterDecl& decl);
  Gauge* AddGauge(const std::string& device, const GaugeDecl& decl);
  Histogram* AddHistogram(const std::string& device, const HistogramDecl& decl);

  const std::vector<SeriesInfo>& series() const { return series_; }
  /// Reads every metric once; histograms yield p50/p99/count and then reset.
  void Sample(const std::function<void(const SeriesInfo&, double)>& out);
  /// Reads one device's counters and gauges as they are now, as its process's /metrics endpoint shows them;
  /// histograms are left to Sample (reading them resets them).
  void Read(const std::string& device, const std::function<void(const SeriesInfo&, double)>& out) const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Entry {
    Kind kind;
    int first_series;
    void* metric;
  };
  int Declare(const std::string& device, Plane plane, const std::string& name, const std::string& unit,
              const std::string& kind, const std::string& help);
  std::deque<Counter> counters_;
  std::deque<Gauge> gauges_;
  std::deque<Histogram> histograms_;
  std::vector<Entry> entries_;
  std::vector<SeriesInfo> series_;
};

}  // namespace planelab
