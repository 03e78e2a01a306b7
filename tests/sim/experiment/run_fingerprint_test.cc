// Run fingerprints and their comparison (sim/experiment/run_fingerprint.h), the core of planelab regress.
#include "sim/experiment/run_fingerprint.h"

#include <gtest/gtest.h>

#include "tests/sim/experiment/synthetic_run.h"

using namespace planelab::experiment;
using namespace planelab::experiment::testing;
using json = nlohmann::json;

namespace {

RunFingerprint Reread(const RunFingerprint& f) { return RunFingerprint::FromJson(json::parse(f.ToText()), "golden"); }

TEST(RunFingerprint, AGoldenReadsBackAsWritten) {
  RunFingerprint f = FingerprintRun(MakeRun("fp-round", {}).string());
  EXPECT_EQ(f.events, 5);
  EXPECT_EQ(f.samples, 60);
  EXPECT_EQ(f.windows, 10);
  EXPECT_FALSE(f.pooled);
  ASSERT_EQ(f.series.count("r2 data latency"), 1u);
  EXPECT_EQ(f.series["r2 data latency"].n, 30);
  EXPECT_DOUBLE_EQ(f.series["r2 data latency"].mean, 0.001);
  // Windows of 3 s: r2's fault at 10 s falls in the fourth.
  ASSERT_EQ(f.sources["r2 data"].size(), 10u);
  EXPECT_EQ(f.sources["r2 data"][3].events, 1);
  RunFingerprint g = Reread(f);
  EXPECT_EQ(g.ToText(), f.ToText());
  EXPECT_TRUE(CompareFingerprints(g, f, "golden", "run").equivalent());
}

TEST(RunFingerprint, LocatesMovedEventsByDevicePlaneAndWindow) {
  Variant late;
  late.fault_at = 12;
  RunFingerprint a = Reread(FingerprintRun(MakeRun("fp-a", {}).string()));
  RunFingerprint b = FingerprintRun(MakeRun("fp-b", late).string());
  CompareReport r = CompareFingerprints(a, b, "golden", "run");
  ASSERT_FALSE(r.equivalent());
  EXPECT_FALSE(r.same_scenario_text);
  ASSERT_EQ(r.event_windows_total, 2u);
  EXPECT_EQ(r.event_windows[0].device, "r2");
  EXPECT_EQ(r.event_windows[0].plane, "data");
  EXPECT_EQ(r.event_windows[0].from_s, 9);
  EXPECT_EQ(r.event_windows[0].a_count, 1);
  EXPECT_EQ(r.event_windows[0].b_count, 0);
  EXPECT_EQ(r.event_windows[1].from_s, 12);
  EXPECT_EQ(r.series_total, 0u);
  EXPECT_NE(r.ToText().find("r2 data in [9s, 12s): 1 event in A, 0 in B"), std::string::npos) << r.ToText();
}

TEST(RunFingerprint, SaysWhichSeriesDiffersFromWhenAndByHowMuch) {
  Variant slow;
  slow.extra = 0.5;
  slow.pass = false;
  RunFingerprint a = Reread(FingerprintRun(MakeRun("fp-sa", {}).string()));
  RunFingerprint b = FingerprintRun(MakeRun("fp-sb", slow).string());
  CompareReport r = CompareFingerprints(a, b, "golden", "run");
  ASSERT_EQ(r.series_total, 1u);
  const SeriesDiff& d = r.series[0];
  EXPECT_EQ(d.device + " " + d.plane + " " + d.metric, "r2 data latency");
  EXPECT_TRUE(d.windowed);
  EXPECT_EQ(d.from_s, 9);
  EXPECT_DOUBLE_EQ(d.a_max, 0.001);
  EXPECT_DOUBLE_EQ(d.b_max, 0.501);
  ASSERT_EQ(r.expectations.size(), 1u);
  EXPECT_EQ(r.expectations[0].id, "r2-recovers");
  EXPECT_FALSE(r.events_differ);
}

TEST(RunFingerprint, TheLastBitsOfAValueAreNotADifference) {
  Variant noise;
  noise.extra = 1e-15;  // far below 9 significant digits of 0.001
  RunFingerprint a = FingerprintRun(MakeRun("fp-na", {}).string());
  RunFingerprint b = FingerprintRun(MakeRun("fp-nb", noise).string());
  EXPECT_TRUE(CompareFingerprints(a, b, "golden", "run").equivalent());
  noise.extra = 1e-9;  // the sixth significant digit: a difference
  RunFingerprint c = FingerprintRun(MakeRun("fp-nc", noise).string());
  EXPECT_FALSE(CompareFingerprints(a, c, "golden", "run").equivalent());
}

TEST(RunFingerprint, RefusesAGoldenItCannotRead) {
  EXPECT_THROW(RunFingerprint::FromJson(json::parse(R"({"format": "planelab.golden/9"})"), "g"), CompareRefused);
  EXPECT_THROW(RunFingerprint::FromJson(json::parse(R"({"format": "planelab.golden/1", "scenario": 3})"), "g"),
               CompareRefused);
  EXPECT_THROW(RunFingerprint::FromJson(json::array(), "g"), CompareRefused);
}

}  // namespace
