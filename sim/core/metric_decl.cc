#include "sim/core/metric_decl.h"

#include <algorithm>
#include <stdexcept>

namespace planelab {

namespace {

/// Replaces every "<word>" of `hole` in `text` by `value`.
std::string Fill(std::string text, const std::string& hole, const std::string& value) {
  const std::string mark = "<" + hole + ">";
  for (size_t at = text.find(mark); at != std::string::npos; at = text.find(mark, at + value.size())) {
    text.replace(at, mark.size(), value);
  }
  return text;
}

}  // namespace

const char* ToString(MetricKind k) {
  switch (k) {
    case MetricKind::kCounter: return "counter";
    case MetricKind::kGauge: return "gauge";
    case MetricKind::kHistogram: return "histogram";
  }
  return "?";
}

std::vector<SeriesDoc> HistogramSeries(const std::string& name, const std::string& unit, const std::string& help) {
  return {{name + "_p50", unit, "histogram-p50", help + " (median of the interval)"},
          {name + "_p99", unit, "histogram-p99", help + " (99th percentile of the interval)"},
          {name + "_count", "1", "histogram-count", help + " (observations in the interval)"}};
}

std::string MetricDecl::hole() const {
  auto open = name.find('<');
  if (open == std::string::npos) return "";
  auto close = name.find('>', open);
  return close == std::string::npos ? "" : name.substr(open + 1, close - open - 1);
}

MetricDecl MetricDecl::Instance(const std::string& value) const {
  std::string word = hole();
  if (word.empty()) throw std::logic_error("metric \"" + name + "\" has no <hole> to fill with \"" + value + "\"");
  if (!instances.empty() && std::find(instances.begin(), instances.end(), value) == instances.end()) {
    throw std::logic_error("metric \"" + name + "\" declares no instance \"" + value + "\"");
  }
  MetricDecl d = *this;
  d.name = Fill(name, word, value);
  d.help = Fill(help, word, value);
  d.instances.clear();
  return d;
}

std::vector<SeriesDoc> MetricDecl::Series() const {
  if (!instances.empty()) {
    std::vector<SeriesDoc> out;
    for (const auto& v : instances) {
      for (auto& s : Instance(v).Series()) out.push_back(std::move(s));
    }
    return out;
  }
  if (kind == MetricKind::kHistogram) return HistogramSeries(name, unit, help);
  return {{name, unit, ToString(kind), help}};
}

MetricDecl MetricTable::Make(MetricKind kind, std::string name, std::string unit, std::string help,
                             std::vector<std::string> instances) const {
  MetricDecl d;
  d.plane = plane_;
  d.kind = kind;
  d.name = std::move(name);
  d.unit = std::move(unit);
  d.help = std::move(help);
  d.instances = std::move(instances);
  if (d.name.empty() || d.unit.empty() || d.help.empty()) {
    throw std::logic_error("metric \"" + d.name + "\" needs a name, a unit and a help");
  }
  if (std::count(d.name.begin(), d.name.end(), '<') > 1 || (d.name.find('<') != std::string::npos && d.hole().empty())) {
    throw std::logic_error("metric \"" + d.name + "\" may hold one <hole>, closed by '>'");
  }
  if (!d.instances.empty() && d.hole().empty()) {
    throw std::logic_error("metric \"" + d.name + "\" lists instances but has no <hole>");
  }
  for (const auto& t : order_) {
    if (t->name == d.name) throw std::logic_error("metric \"" + d.name + "\" is declared twice in one table");
  }
  return d;
}

const CounterDecl& MetricTable::DeclareCounter(std::string name, std::string unit, std::string help,
                                               std::vector<std::string> instances) {
  counters_.emplace_back(Make(MetricKind::kCounter, std::move(name), std::move(unit), std::move(help), std::move(instances)));
  order_.push_back(&counters_.back());
  return counters_.back();
}

const GaugeDecl& MetricTable::DeclareGauge(std::string name, std::string unit, std::string help,
                                           std::vector<std::string> instances) {
  gauges_.emplace_back(Make(MetricKind::kGauge, std::move(name), std::move(unit), std::move(help), std::move(instances)));
  order_.push_back(&gauges_.back());
  return gauges_.back();
}

const HistogramDecl& MetricTable::DeclareHistogram(std::string name, std::string unit, std::string help,
                                                   std::vector<std::string> instances) {
  histograms_.emplace_back(
      Make(MetricKind::kHistogram, std::move(name), std::move(unit), std::move(help), std::move(instances)));
  order_.push_back(&histograms_.back());
  return histograms_.back();
}

}  // namespace planelab
