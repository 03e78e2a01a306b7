// The switch's flow table without the kernel: OpenFlow 1.3.5 lookup, replacement, capacity and timeouts.
#include "models/switch/data/flow_table.h"

#include <gtest/gtest.h>

#include <set>

namespace planelab::sdn {
namespace {

using of13::Match;

FlowEntry ToDst(uint32_t dst, uint16_t priority, uint32_t port, uint16_t idle = 0, uint16_t hard = 0) {
  FlowEntry e;
  e.match.fields = Match::kEthType | Match::kIpv4Dst;
  e.match.eth_type = of13::kEthTypeIpv4;
  e.match.ipv4_dst = dst;
  e.priority = priority;
  e.actions = {of13::Output(port)};
  e.idle_timeout = idle;
  e.hard_timeout = hard;
  return e;
}

of13::PacketFields Packet(uint32_t src, uint32_t dst, uint32_t in_port = 1) {
  of13::PacketFields p;
  p.in_port = in_port;
  p.ipv4_src = src;
  p.ipv4_dst = dst;
  p.ip_proto = 17;
  p.bytes = 100;
  return p;
}

TEST(FlowTable, HighestPriorityMatchWinsAndMissIsNull) {
  FlowTable t(10);
  ASSERT_EQ(t.Add(ToDst(0x0a000001, 10, 1), 0), AddResult::kAdded);
  FlowEntry wide = ToDst(0x0a000000, 5, 2);
  wide.match.ipv4_dst_mask = 0xffffff00;
  ASSERT_EQ(t.Add(wide, 0), AddResult::kAdded);
  FlowEntry acl = ToDst(0x0a000001, 100, 0);
  acl.match.fields |= Match::kIpv4Src;
  acl.match.ipv4_src = 0x0a000009;
  acl.actions.clear();  // drop (OF §5.10)
  ASSERT_EQ(t.Add(acl, 0), AddResult::kAdded);
  EXPECT_EQ(t.Lookup(Packet(0x0a000002, 0x0a000001), 0)->actions[0].arg, 1u);
  EXPECT_TRUE(t.Lookup(Packet(0x0a000009, 0x0a000001), 0)->actions.empty());
  EXPECT_EQ(t.Lookup(Packet(0x0a000002, 0x0a000005), 0)->actions[0].arg, 2u);
  EXPECT_EQ(t.Lookup(Packet(0x0a000002, 0x0b000005), 0), nullptr);
  EXPECT_EQ(t.lookups(), 4u);
  EXPECT_EQ(t.matched(), 3u);
}

TEST(FlowTable, IdenticalAddReplacesAndKeepsCountersUnlessResetCounts) {
  FlowTable t(1);
  t.Add(ToDst(1, 10, 1), 0);
  t.Lookup(Packet(2, 1), 1 * kSec);
  EXPECT_EQ(t.Add(ToDst(1, 10, 7), 2 * kSec), AddResult::kReplaced);
  EXPECT_EQ(t.entries()[0].packets, 1u);
  EXPECT_EQ(t.entries()[0].actions[0].arg, 7u);
  FlowEntry reset = ToDst(1, 10, 8);
  reset.flags = of13::kFlagResetCounts;
  EXPECT_EQ(t.Add(reset, 3 * kSec), AddResult::kReplaced);
  EXPECT_EQ(t.entries()[0].packets, 0u);
}

TEST(FlowTable, FullTableRefusesNewEntries) {
  FlowTable t(2);
  EXPECT_EQ(t.Add(ToDst(1, 10, 1), 0), AddResult::kAdded);
  EXPECT_EQ(t.Add(ToDst(2, 10, 1), 0), AddResult::kAdded);
  EXPECT_EQ(t.Add(ToDst(3, 10, 1), 0), AddResult::kTableFull);
  EXPECT_EQ(t.Add(ToDst(2, 10, 4), 0), AddResult::kReplaced);  // not new: no room needed
  EXPECT_EQ(t.size(), 2u);
}

TEST(FlowTable, IdleTimeoutCountsFromLastPacketHardFromInstall) {
  FlowTable t(10);
  t.Add(ToDst(1, 10, 1, /*idle=*/10), 0);
  t.Add(ToDst(2, 10, 1, 0, /*hard=*/30), 0);
  t.Add(ToDst(3, 10, 1), 0);  // 0 = never (OF §5.5)
  EXPECT_EQ(t.NextExpiry(), 10 * kSec);
  t.Lookup(Packet(9, 1), 8 * kSec);
  EXPECT_TRUE(t.Expire(10 * kSec).empty());
  auto gone = t.Expire(18 * kSec);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].reason, of13::RemovedReason::kIdleTimeout);
  EXPECT_EQ(gone[0].entry.packets, 1u);
  for (SimTime s = 19; s < 30; ++s) t.Lookup(Packet(9, 2), s * kSec);  // busy, yet hard timeout applies
  gone = t.Expire(30 * kSec);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].reason, of13::RemovedReason::kHardTimeout);
  EXPECT_TRUE(t.Expire(1000 * kSec).empty());
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.NextExpiry(), -1);
}

TEST(FlowTable, StrictAndNonStrictDelete) {
  FlowTable t(10);
  t.Add(ToDst(1, 10, 1), 0);
  t.Add(ToDst(1, 20, 1), 0);
  t.Add(ToDst(2, 10, 1), 0);
  auto gone = t.Delete(ToDst(1, 20, 0).match, 20, /*strict=*/true);
  EXPECT_EQ(gone.size(), 1u);
  Match all;  // non-strict with an empty match: everything (OF §6.4)
  gone = t.Delete(all, 0, false);
  EXPECT_EQ(gone.size(), 2u);
  EXPECT_EQ(gone[0].reason, of13::RemovedReason::kDelete);
  EXPECT_EQ(t.size(), 0u);
}

TEST(FlowTable, SelectGroupSpreadsFlowsOverLiveBuckets) {
  FlowTable t(10);
  GroupEntry g;
  g.type = 1;
  g.buckets = {{{of13::Output(1)}}, {{of13::Output(2)}}};
  t.SetGroup(7, g);
  std::set<uint32_t> seen;
  for (uint32_t h = 0; h < 8; ++h) {
    auto ports = t.Resolve({of13::ToGroup(7)}, h, [](uint32_t) { return true; });
    ASSERT_EQ(ports.size(), 1u);
    seen.insert(ports[0]);
  }
  EXPECT_EQ(seen, (std::set<uint32_t>{1, 2}));
  auto ports = t.Resolve({of13::ToGroup(7)}, 0, [](uint32_t p) { return p != 1; });
  EXPECT_EQ(ports, std::vector<uint32_t>{2});
  EXPECT_TRUE(t.Resolve({of13::ToGroup(9)}, 0, [](uint32_t) { return true; }).empty());
}

}  // namespace
}  // namespace planelab::sdn
