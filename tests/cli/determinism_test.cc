// Same scenario + seed => byte-identical summary and identical run-store contents, across processes.
#include <gtest/gtest.h>

#include "cli_test_util.h"
#include "sim/trace/run_reader.h"

namespace planelab::testing {

TEST(Determinism, SameSeedSameBytes) {
  for (const char* scenario : {"scenarios/incidents/dead-asic.json", "scenarios/basics/link-failure-reroute.json",
                               "scenarios/incidents/bgp-flap-damped.json", "scenarios/incidents/cni-broken.json"}) {
    std::string a = FreshPath("a"), b = FreshPath("b");
    ASSERT_EQ(RunPlanelab(std::string("run ") + scenario + " --quiet --out " + a).code, 0);
    ASSERT_EQ(RunPlanelab(std::string("run ") + scenario + " --quiet --out " + b).code, 0);
    EXPECT_EQ(ReadFile(a + "/summary.json"), ReadFile(b + "/summary.json")) << scenario;
    EXPECT_EQ(ReadFile(a + "/manifest.json"), ReadFile(b + "/manifest.json")) << scenario;
    std::string da = RunStoreReader(a + "/run.sqlite").DumpAll(), db = RunStoreReader(b + "/run.sqlite").DumpAll();
    EXPECT_GT(da.size(), 10000u);
    EXPECT_TRUE(da == db) << scenario << ": run stores differ";
    EXPECT_TRUE(ReadFile(a + "/run.sqlite") == ReadFile(b + "/run.sqlite")) << scenario << ": run.sqlite bytes differ";
  }
}

TEST(Determinism, SeedChangesTheRunButNotTheVerdicts) {
  std::string a = FreshPath("s1"), b = FreshPath("s2");
  ASSERT_EQ(RunPlanelab("run scenarios/incidents/dead-asic.json --quiet --out " + a).code, 0);
  ASSERT_EQ(RunPlanelab("run scenarios/incidents/dead-asic.json --quiet --seed 2 --out " + b).code, 0);
  std::string da = RunStoreReader(a + "/run.sqlite").DumpAll(), db = RunStoreReader(b + "/run.sqlite").DumpAll();
  EXPECT_FALSE(da == db) << "the seed had no effect at all";
}

}  // namespace planelab::testing
