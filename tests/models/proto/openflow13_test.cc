// OpenFlow 1.3 framing and layouts, checked against the spec's byte counts (OF 1.3.5 §7).
#include "models/proto/openflow13.h"

#include <gtest/gtest.h>

namespace planelab::of13 {
namespace {

TEST(OpenFlow13, HeaderIsVersionTypeLengthXid) {
  Message m;
  m.type = Type::kEchoRequest;
  m.xid = 0x01020304;
  m.data = {0xaa, 0xbb};
  auto b = Encode(m);
  ASSERT_EQ(b.size(), 10u);
  EXPECT_EQ(b[0], 0x04);
  EXPECT_EQ(b[1], 2);
  EXPECT_EQ(b[2], 0);
  EXPECT_EQ(b[3], 10);
  EXPECT_EQ(b[4], 1);
  EXPECT_EQ(b[7], 4);
  Message d;
  ASSERT_TRUE(Decode(b.data(), b.size(), &d));
  EXPECT_EQ(d.type, Type::kEchoRequest);
  EXPECT_EQ(d.xid, 0x01020304u);
  EXPECT_EQ(d.data, m.data);
}

TEST(OpenFlow13, FlowModRoundTripsWithSpecSizes) {
  Message m;
  m.type = Type::kFlowMod;
  m.xid = 9;
  m.cookie = 0x1234;
  m.priority = 100;
  m.idle_timeout = 10;
  m.hard_timeout = 60;
  m.flags = kFlagSendFlowRem;
  m.match.fields = Match::kEthType | Match::kIpv4Dst;
  m.match.eth_type = kEthTypeIpv4;
  m.match.ipv4_dst = 0x0a000001;
  m.actions = {Output(3)};
  auto b = Encode(m);
  // 48 fixed (OF §7.3.4.1) + match 4 + 6 (eth_type) + 8 (ipv4_dst) = 18 -> padded 24 + instruction 8 + output 16.
  EXPECT_EQ(b.size(), 48u + 24 + 8 + 16);
  Message d;
  ASSERT_TRUE(Decode(b.data(), b.size(), &d));
  EXPECT_EQ(d.cookie, 0x1234u);
  EXPECT_EQ(d.priority, 100);
  EXPECT_EQ(d.idle_timeout, 10);
  EXPECT_EQ(d.hard_timeout, 60);
  EXPECT_TRUE(d.match == m.match);
  ASSERT_EQ(d.actions.size(), 1u);
  EXPECT_EQ(d.actions[0].arg, 3u);
}

TEST(OpenFlow13, PacketInCarriesTheFrameAndInPort) {
  PacketFields p;
  p.in_port = 4;
  p.ipv4_src = 0x0a000001;
  p.ipv4_dst = 0x0a000002;
  p.ip_proto = 17;
  p.l4_src = 1234;
  p.l4_dst = 80;
  p.eth_src = MacOf(p.ipv4_src);
  Message m;
  m.type = Type::kPacketIn;
  m.match.fields = Match::kInPort;
  m.match.in_port = 4;
  m.data = FrameOf(p);
  EXPECT_EQ(m.data.size(), 42u);
  auto b = Encode(m);
  Message d;
  ASSERT_TRUE(Decode(b.data(), b.size(), &d));
  EXPECT_EQ(d.in_port, 4u);
  PacketFields q;
  ASSERT_TRUE(FieldsOfFrame(d.data.data(), d.data.size(), &q));
  EXPECT_EQ(q.ipv4_dst, p.ipv4_dst);
  EXPECT_EQ(q.l4_dst, 80);
  EXPECT_EQ(q.eth_src, p.eth_src);
}

TEST(OpenFlow13, RoleGroupRemovedAndLldpRoundTrip) {
  Message role;
  role.type = Type::kRoleRequest;
  role.role = Role::kMaster;
  role.generation_id = 7;
  auto b = Encode(role);
  EXPECT_EQ(b.size(), 24u);  // OF §7.3.9
  Message d;
  ASSERT_TRUE(Decode(b.data(), b.size(), &d));
  EXPECT_EQ(d.role, Role::kMaster);
  EXPECT_EQ(d.generation_id, 7u);

  Message g;
  g.type = Type::kGroupMod;
  g.group_id = 5;
  g.buckets = {{{Output(1)}}, {{Output(2)}}};
  b = Encode(g);
  EXPECT_EQ(b.size(), 16u + 2 * 32);  // OF §7.3.4.2: 16 fixed, a bucket 16 + its actions
  ASSERT_TRUE(Decode(b.data(), b.size(), &d));
  ASSERT_EQ(d.buckets.size(), 2u);
  EXPECT_EQ(d.buckets[1].actions[0].arg, 2u);

  Message fr;
  fr.type = Type::kFlowRemoved;
  fr.reason = static_cast<uint8_t>(RemovedReason::kIdleTimeout);
  fr.packet_count = 42;
  b = Encode(fr);
  ASSERT_TRUE(Decode(b.data(), b.size(), &d));
  EXPECT_EQ(d.packet_count, 42u);
  EXPECT_EQ(d.reason, 0);

  auto lldp = LldpFrame(0xabc, 3);
  uint64_t dpid = 0;
  uint32_t port = 0;
  ASSERT_TRUE(ParseLldp(lldp.data(), lldp.size(), &dpid, &port));
  EXPECT_EQ(dpid, 0xabcu);
  EXPECT_EQ(port, 3u);
}

TEST(OpenFlow13, StreamParserSplitsAndRejectsBadHeaders) {
  Message a, c;
  a.type = Type::kHello;
  c.type = Type::kBarrierRequest;
  std::vector<uint8_t> s = Encode(a);
  Encode(c, &s);
  StreamParser p;
  std::vector<size_t> sizes;
  EXPECT_TRUE(p.Feed(s.data(), 5, [&](const uint8_t*, size_t n) { sizes.push_back(n); }));
  EXPECT_TRUE(p.Feed(s.data() + 5, s.size() - 5, [&](const uint8_t*, size_t n) { sizes.push_back(n); }));
  EXPECT_EQ(sizes, (std::vector<size_t>{8, 8}));
  uint8_t bad[8] = {0x01, 0, 0, 8, 0, 0, 0, 0};
  EXPECT_FALSE(p.Feed(bad, 8, [](const uint8_t*, size_t) {}));
}

}  // namespace
}  // namespace planelab::of13
