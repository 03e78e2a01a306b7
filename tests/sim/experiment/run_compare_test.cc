// The comparison of two run folders (sim/experiment/run_compare.h) on small synthetic runs.
#include "sim/experiment/run_compare.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sim/trace/run_store.h"
#include "tests/sim/experiment/synthetic_run.h"

namespace fs = std::filesystem;
using namespace planelab;
using namespace planelab::experiment;
using namespace planelab::experiment::testing;

namespace {

TEST(RunCompare, SameRunsAreEquivalent) {
  auto a = MakeRun("same-a", {}), b = MakeRun("same-b", {});
  CompareReport r = CompareRuns(a.string(), b.string());
  EXPECT_TRUE(r.equivalent()) << r.ToText();
  EXPECT_EQ(r.events_a, 5);
  EXPECT_EQ(r.series_compared, 2u);
  EXPECT_NE(r.ToText().find("equivalent"), std::string::npos);
}

TEST(RunCompare, NamesTheFirstDivergingEventWithContext) {
  Variant late;
  late.fault_at = 12;
  auto a = MakeRun("ev-a", {}), b = MakeRun("ev-b", late);
  CompareReport r = CompareRuns(a.string(), b.string());
  ASSERT_FALSE(r.equivalent());
  ASSERT_TRUE(r.events_differ);
  ASSERT_TRUE(r.first_a && r.first_b);
  EXPECT_EQ(r.first_a->t_s, 10);
  EXPECT_EQ(r.first_b->t_s, 12);
  EXPECT_EQ(r.first_a->device, "r2");
  EXPECT_EQ(r.first_a->plane, "data");
  EXPECT_EQ(r.context.size(), 3u);
  EXPECT_EQ(r.context.back().kind, "note");
  EXPECT_FALSE(r.same_scenario_text);
  // Health: r2 data actual differs over [10, 12), reported over [12, 14).
  ASSERT_EQ(r.health_total, 2u);
  EXPECT_EQ(r.health[0].device, "r2");
  EXPECT_EQ(r.health[0].which, "actual");
  EXPECT_EQ(r.health[0].from_s, 10);
  EXPECT_EQ(r.health[0].to_s, 12);
  EXPECT_EQ(r.health[0].a, "down");
  EXPECT_EQ(r.health[0].b, "up");
  EXPECT_EQ(r.health[1].which, "reported");
  EXPECT_EQ(r.health[1].from_s, 12);
  std::string text = r.ToText();
  EXPECT_NE(text.find("first diverging event: at t=10s, r2 data fault"), std::string::npos) << text;
  auto j = r.ToJson();
  EXPECT_EQ(j["first_diverging_event"]["a"]["device"], "r2");
  EXPECT_EQ(j["equivalent"], false);
}

TEST(RunCompare, SeriesBeyondToleranceAndExpectations) {
  Variant slow;
  slow.extra = 0.5;
  slow.pass = false;
  auto a = MakeRun("se-a", {}), b = MakeRun("se-b", slow);
  CompareReport r = CompareRuns(a.string(), b.string());
  EXPECT_FALSE(r.events_differ);
  ASSERT_EQ(r.series_total, 1u);
  EXPECT_EQ(r.series[0].device, "r2");
  EXPECT_EQ(r.series[0].from_s, 10);
  EXPECT_NEAR(r.series[0].max_abs, 0.5, 1e-12);
  EXPECT_EQ(r.series[0].differing, 21u);
  ASSERT_EQ(r.expectations.size(), 1u);
  EXPECT_EQ(r.expectations[0].id, "r2-recovers");
  EXPECT_EQ(r.expectations[0].a_passed, true);
  EXPECT_EQ(r.expectations[0].b_passed, false);
  // A loose enough tolerance hides the series difference.
  Variant tiny;
  tiny.extra = 1e-6;
  auto c = MakeRun("se-c", tiny);
  CompareOptions o;
  o.tolerance = 0.01;
  EXPECT_TRUE(CompareRuns(a.string(), c.string(), o).equivalent());
  EXPECT_FALSE(CompareRuns(a.string(), c.string()).equivalent());
}

TEST(RunCompare, RefusesWhatIsNotAComparableRun) {
  auto a = MakeRun("bad-a", {});
  Variant other;
  other.scenario = "other";
  auto b = MakeRun("bad-b", other);
  EXPECT_THROW(CompareRuns(a.string(), b.string()), CompareRefused);
  auto empty = Scratch("bad-empty");
  try {
    CompareRuns(a.string(), empty.string());
    FAIL();
  } catch (const CompareRefused& e) {
    EXPECT_NE(std::string(e.what()).find("not a run folder"), std::string::npos) << e.what();
  }
  Variant unfinished;
  unfinished.finish = false;
  auto u = MakeRun("bad-unfinished", unfinished);
  EXPECT_THROW(CompareRuns(a.string(), u.string()), CompareRefused);
  Variant incomplete;
  incomplete.complete = false;
  auto i = MakeRun("bad-incomplete", incomplete);
  EXPECT_THROW(CompareRuns(a.string(), i.string()), CompareRefused);
  // A changed byte in the store: the digest (or SQLite) says so.
  auto d = MakeRun("bad-damaged", {});
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((d / "run.sqlite").string().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE samples SET value = 7 WHERE t_s = 5 AND series = 1", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  EXPECT_THROW(CompareRuns(a.string(), d.string()), CompareRefused);
  fs::remove(d / "summary.json");
  EXPECT_THROW(CheckRunFolder(d.string()), CompareRefused);
}

}  // namespace
