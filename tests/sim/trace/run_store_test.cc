#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "sim/trace/run_reader.h"
#include "sim/trace/run_store.h"

namespace planelab {

TEST(RunStore, WritesAndReadsBack) {
  std::string path = ::testing::TempDir() + "/rs-" + std::to_string(::getpid()) + ".sqlite";
  std::filesystem::remove(path);
  {
    RunStoreWriter w(path);
    w.PutMeta("scenario", "x");
    w.AddDevice("r1", "router", "[\"routers\"]", true);
    w.AddSeries(1, "r1", "data", "drop_ratio", "1", "gauge", "h");
    for (int i = 1; i <= 50000; ++i) w.AddSample(i * 0.001, 1, i % 2);
    w.AddHealth(1.0, "r1", "data", "down", "up");
    w.AddHealth(2.0, "r1", "data", "up", "up");
    w.AddEvent(1.5, "r1", "data", "asic.dead", "{}");
    w.Finish();
  }
  RunStoreReader r(path);
  EXPECT_EQ(r.Meta("schema"), "planelab.run/1");
  EXPECT_EQ(r.Meta("scenario"), "x");
  auto s = r.Samples("r1", "data", "drop_ratio", 0.0005, 0.0035);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_DOUBLE_EQ(s[0].second, 1);
  auto h = r.Health("r1", "data", false, 0, 10);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].second, "down");
  EXPECT_EQ(r.QueryInt("SELECT count(*) FROM samples"), 50000);
  EXPECT_EQ(r.QueryInt("SELECT count(*) FROM sqlite_master WHERE type='index' AND name NOT LIKE 'sqlite_%'"), 6);
  // Readers look series up by name once per device: without this index a 5,000-router run spent
  // minutes scanning the series table.
  EXPECT_EQ(r.QueryInt("SELECT count(*) FROM sqlite_master WHERE type='index' AND name='series_by_name'"), 1);
  std::filesystem::remove(path);
}

TEST(RunStore, RefusesFilesThatAreNotRunStores) {
  std::string path = ::testing::TempDir() + "/not-a-store-" + std::to_string(::getpid()) + ".sqlite";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("hello", f);
    std::fclose(f);
  }
  try {
    RunStoreReader r(path);
    FAIL() << "accepted a text file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
  }
  std::filesystem::remove(path);
}

}  // namespace planelab
