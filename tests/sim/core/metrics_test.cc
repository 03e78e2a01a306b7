#include "sim/core/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace planelab {

TEST(Histogram, NearestRankPercentiles) {
  Histogram h;
  for (int i = 100; i >= 1; --i) h.Observe(i);
  EXPECT_DOUBLE_EQ(h.Percentile(0.5), 50);
  EXPECT_DOUBLE_EQ(h.Percentile(0.99), 99);
  EXPECT_DOUBLE_EQ(h.Percentile(1.0), 100);
  h.Reset();
  EXPECT_TRUE(std::isnan(h.Percentile(0.5)));
}

TEST(MetricRegistry, SamplesInDeclarationOrderAndResetsHistograms) {
  MetricRegistry reg;
  Counter* c = reg.AddCounter("r1", Plane::kData, "packets", "packets", "h");
  Histogram* h = reg.AddHistogram("h1", Plane::kData, "latency", "s", "h");
  Gauge* g = reg.AddGauge("r1", Plane::kControl, "depth", "items", "h");
  double live = 3;
  g->BindReader([&live]() { return live; });
  c->Add(5);
  h->Observe(0.25);
  std::vector<std::pair<std::string, double>> out;
  reg.Sample([&](const SeriesInfo& s, double v) { out.emplace_back(s.metric, v); });
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0], (std::pair<std::string, double>("packets", 5)));
  EXPECT_EQ(out[1], (std::pair<std::string, double>("latency_p50", 0.25)));
  EXPECT_EQ(out[2], (std::pair<std::string, double>("latency_p99", 0.25)));
  EXPECT_EQ(out[3], (std::pair<std::string, double>("latency_count", 1)));
  EXPECT_EQ(out[4], (std::pair<std::string, double>("depth", 3)));
  out.clear();
  reg.Sample([&](const SeriesInfo& s, double v) { out.emplace_back(s.metric, v); });
  // An empty interval has no percentiles, only a zero count.
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1], (std::pair<std::string, double>("latency_count", 0)));
}

namespace {
struct TestMetrics : MetricTable {
  TestMetrics() : MetricTable(Plane::kControl) {}
  const HistogramDecl& wait = DeclareHistogram("wait", "s", "queueing delay");
  const GaugeDecl& state = DeclareGauge("state.<peer>", "state", "state of the session with <peer>");
};
}  // namespace

TEST(MetricRegistry, RecordsADeclarationsSeriesAsTheCatalogueListsThem) {
  static const TestMetrics m;
  MetricRegistry reg;
  reg.AddHistogram("r1", m.wait);
  reg.AddGauge("r1", m.state.Instance("r2"));
  std::vector<SeriesDoc> want = m.wait.Series();
  want.push_back({"state.r2", "state", "gauge", "state of the session with r2"});
  ASSERT_EQ(reg.series().size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const SeriesInfo& s = reg.series()[i];
    EXPECT_EQ(s.device, "r1");
    EXPECT_EQ(s.plane, "control");
    EXPECT_EQ(s.metric, want[i].name);
    EXPECT_EQ(s.unit, want[i].unit);
    EXPECT_EQ(s.kind, want[i].kind);
    EXPECT_EQ(s.help, want[i].help);
  }
  // A declaration with a hole names many series: each is added by its instance.
  EXPECT_THROW(reg.AddGauge("r1", m.state), std::logic_error);
}

}  // namespace planelab
