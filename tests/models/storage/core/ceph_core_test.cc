// The storage cluster's pure cores: CRUSH-like placement, PG states, the OSD heartbeat detector, the monitors'
// failure handling (reporters, grace, down -> out) with Ceph's defaults.
#include "models/storage/core/ceph_core.h"

#include <gtest/gtest.h>

namespace planelab::ceph {
namespace {

TEST(CephPlacement, UpSetsHaveSizeDistinctOsdsAndSpreadPrimaries) {
  OsdMap m = OsdMap::Initial(6, PoolConfig{});
  std::map<int, int> primaries;
  for (uint32_t pg = 0; pg < m.pool.pg_num; ++pg) {
    auto up = UpSet(pg, m);
    ASSERT_EQ(up.size(), 3u);
    EXPECT_EQ(std::set<int>(up.begin(), up.end()).size(), 3u);
    ++primaries[up[0]];
  }
  EXPECT_GE(primaries.size(), 5u);  // 32 PGs over 6 OSDs: (nearly) every OSD is primary of some
  EXPECT_EQ(PgOf("vol-1.obj-7", 32), PgOf("vol-1.obj-7", 32));
}

TEST(CephPlacement, DownLeavesAHoleOutRemapsOnlyItsPgsToTheTail) {
  OsdMap m = OsdMap::Initial(5, PoolConfig{});
  OsdMap before = m;
  ASSERT_TRUE(Apply(m, {MapChange::Kind::kMarkDown, 2, ""}));
  EXPECT_EQ(m.epoch, 2u);
  PgSummary s = Summarize(m);
  EXPECT_EQ(s.inactive, 0u);
  EXPECT_GT(s.degraded, 0u);  // PGs that had osd.2 run on two copies: active+degraded
  EXPECT_EQ(s.active, s.total);
  for (uint32_t pg = 0; pg < m.pool.pg_num; ++pg) {
    auto up = UpSet(pg, m);
    EXPECT_EQ(std::count(up.begin(), up.end(), 2), 0);
  }
  ASSERT_TRUE(Apply(m, {MapChange::Kind::kMarkOut, 2, ""}));
  EXPECT_EQ(Summarize(m).clean, m.pool.pg_num);  // four OSDs left hold three copies of everything again
  for (uint32_t pg = 0; pg < m.pool.pg_num; ++pg) {
    auto old_up = UpSet(pg, before), new_up = UpSet(pg, m);
    if (std::count(old_up.begin(), old_up.end(), 2) == 0) {
      EXPECT_EQ(old_up, new_up) << "pg " << pg << " moved though osd.2 did not hold it";
    } else {
      // The survivors keep their order; the replacement joins at the end (it is never the primary).
      std::vector<int> kept;
      for (int o : old_up) if (o != 2) kept.push_back(o);
      EXPECT_EQ(std::vector<int>(new_up.begin(), new_up.begin() + 2), kept);
    }
  }
  EXPECT_FALSE(Apply(m, {MapChange::Kind::kMarkOut, 2, ""}));  // no change, no new epoch
}

TEST(CephPlacement, TwoDownOfThreeCopiesBlocksThePg) {
  OsdMap m = OsdMap::Initial(3, PoolConfig{});
  Apply(m, {MapChange::Kind::kMarkDown, 0, ""});
  Apply(m, {MapChange::Kind::kMarkDown, 1, ""});
  PgSummary s = Summarize(m);
  EXPECT_EQ(s.inactive, s.total);  // one copy < min_size 2: I/O blocks
  EXPECT_TRUE(Apply(m, {MapChange::Kind::kCreateVolume, -1, "vol-9"}));
  EXPECT_FALSE(Apply(m, {MapChange::Kind::kCreateVolume, -1, "vol-9"}));
}

TEST(CephHeartbeat, ReportsAfterGraceAndCancelsWhenHeardAgain) {
  HeartbeatCore hb(0, HeartbeatConfig{});
  EXPECT_EQ(hb.config().interval, 6 * kSec);
  EXPECT_EQ(hb.config().grace, 20 * kSec);
  hb.SetPeers({0, 1, 2}, 0);
  for (SimTime t = 6 * kSec; t <= 18 * kSec; t += 6 * kSec) {
    hb.Heard(2, t);
    auto out = hb.Tick(t);
    EXPECT_EQ(out.ping, (std::vector<int>{1, 2}));
    EXPECT_TRUE(out.failed.empty());
  }
  auto out = hb.Tick(24 * kSec);  // osd.1 unheard for 24 s > 20 s grace
  ASSERT_EQ(out.failed.size(), 1u);
  EXPECT_EQ(out.failed[0], std::make_pair(1, SimTime(0)));
  EXPECT_EQ(hb.Tick(30 * kSec).failed.size(), 1u);  // reported again while the map has it up
  hb.Heard(1, 31 * kSec);
  out = hb.Tick(36 * kSec);
  EXPECT_TRUE(out.failed.empty());
  EXPECT_EQ(out.alive, std::vector<int>{1});
}

TEST(CephMonitor, TwoReportersAndGraceMarkDownThenOutAfterTheInterval) {
  MonOsdConfig cfg;
  EXPECT_EQ(cfg.min_down_reporters, 2u);
  EXPECT_EQ(cfg.down_out_interval, 600 * kSec);
  OsdFailureCore mon(cfg);
  OsdMap m = OsdMap::Initial(4, PoolConfig{});
  mon.Report(1, 3, 0, 21 * kSec);
  EXPECT_TRUE(mon.Tick(m, 21 * kSec).empty());  // one reporter is not enough
  mon.Report(2, 3, 1 * kSec, 22 * kSec);
  auto c = mon.Tick(m, 22 * kSec);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].kind, MapChange::Kind::kMarkDown);
  EXPECT_EQ(c[0].osd, 3);
  EXPECT_TRUE(mon.Tick(m, 23 * kSec).empty());  // proposed once, in flight
  OsdMap before = m;
  Apply(m, c[0]);
  mon.MapApplied(before, m, 24 * kSec);
  EXPECT_EQ(mon.Reporters(3), 0u);
  EXPECT_TRUE(mon.Tick(m, 623 * kSec).empty());
  c = mon.Tick(m, 624 * kSec);  // 600 s after the down was committed
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].kind, MapChange::Kind::kMarkOut);
  before = m;
  Apply(m, c[0]);
  mon.MapApplied(before, m, 625 * kSec);
  // It boots again: up, and in again (it was marked out by the timer).
  mon.Booted(3);
  c = mon.Tick(m, 700 * kSec);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].kind, MapChange::Kind::kMarkUp);
  EXPECT_EQ(c[1].kind, MapChange::Kind::kMarkIn);
}

TEST(CephMonitor, ReportsWithinGraceOrCancelledDoNotMarkDown) {
  OsdFailureCore mon(MonOsdConfig{});
  OsdMap m = OsdMap::Initial(4, PoolConfig{});
  mon.Report(1, 0, 10 * kSec, 25 * kSec);
  mon.Report(2, 0, 10 * kSec, 25 * kSec);
  EXPECT_TRUE(mon.Tick(m, 25 * kSec).empty());  // unheard 15 s < 20 s
  mon.Cancel(2, 0);
  EXPECT_TRUE(mon.Tick(m, 40 * kSec).empty());  // one reporter left
}

}  // namespace
}  // namespace planelab::ceph
