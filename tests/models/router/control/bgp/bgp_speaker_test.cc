// The BGP core alone: FSM, decision process, multipath, hold timer, MRAI and damping, no kernel.
#include "models/router/control/bgp/bgp_speaker.h"
#include "tests/models/router/control/bgp/speaker_fabric.h"

#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <map>
#include <memory>
#include <functional>
#include <random>
#include <set>

namespace planelab::bgp {

namespace {

using bgptest::A;
using bgptest::Fabric;

const Prefix kP1{A(192, 168, 1, 0), 24}, kP2{A(192, 168, 2, 0), 24};

/// RFC 7938 style: two leaves (own ASNs) under two spines (one shared ASN).
Fabric LeafSpine(SpeakerConfig base = {}) {
  Fabric f;
  f.AddSpeaker(1, 65001, {kP1}, base);  // leaf1
  f.AddSpeaker(2, 65002, {kP2}, base);  // leaf2
  f.AddSpeaker(10, 65000, {}, base);    // spine1
  f.AddSpeaker(11, 65000, {}, base);    // spine2
  f.Session(1, 10, 1);
  f.Session(1, 11, 2);
  f.Session(2, 10, 3);
  f.Session(2, 11, 4);
  f.Start();
  return f;
}

}  // namespace

TEST(BgpMessage, RoundTripsRealWireFormat) {
  Message open;
  open.type = MessageType::kOpen;
  open.open = {4200000001u, 90, A(10, 0, 0, 1)};
  auto b = Encode(open);
  EXPECT_EQ(b[18], 1);
  EXPECT_EQ((b[20] << 8) | b[21], 23456);  // AS_TRANS in the 2-octet field (RFC 6793)
  Message d;
  ASSERT_TRUE(Decode(b.data(), b.size(), &d));
  EXPECT_EQ(d.open.my_as, 4200000001u);
  EXPECT_EQ(d.open.hold_time, 90);

  Message up;
  up.type = MessageType::kUpdate;
  up.update.withdrawn = {kP2};
  up.update.attrs.as_path = {65000, 65001};
  up.update.attrs.next_hop = A(10, 0, 1, 1);
  up.update.attrs.med = 5;
  up.update.nlri = {kP1, {A(10, 128, 0, 0), 9}};
  b = Encode(up);
  ASSERT_TRUE(Decode(b.data(), b.size(), &d));
  EXPECT_EQ(d.update.withdrawn, std::vector<Prefix>{kP2});
  EXPECT_EQ(d.update.attrs, up.update.attrs);
  EXPECT_EQ(d.update.nlri.size(), 2u);
  EXPECT_EQ(d.update.nlri[1].len, 9);

  // Two messages split across three TCP segments come out whole.
  Message ka;
  ka.type = MessageType::kKeepalive;
  auto k = Encode(ka);
  std::vector<uint8_t> stream = b;
  stream.insert(stream.end(), k.begin(), k.end());
  StreamParser parser;
  std::vector<uint8_t> m1, m2, m3;
  EXPECT_EQ(parser.Feed(stream.data(), 10, &m1), 0u);
  EXPECT_EQ(parser.Feed(stream.data() + 10, stream.size() - 12, &m2), 1u);
  EXPECT_EQ(parser.Feed(stream.data() + stream.size() - 2, 2, &m3), 1u);
  EXPECT_TRUE(m1.empty());
  EXPECT_EQ(m2, b);
  ASSERT_EQ(m3.size(), 19u);
  EXPECT_EQ(m3[18], 4);  // KEEPALIVE
  // A message split in its header, then many at once, then a bad length.
  std::vector<uint8_t> all, many;
  for (int i = 0; i < 50; ++i) many.insert(many.end(), k.begin(), k.end());
  EXPECT_EQ(parser.Feed(many.data(), 5, &all), 0u);
  EXPECT_EQ(parser.Feed(many.data() + 5, many.size() - 5, &all), 50u);
  EXPECT_EQ(all, many);
  size_t n = 0;
  ForEachMessage(all.data(), all.size(), [&](const uint8_t*, size_t size) { n += size == 19; });
  EXPECT_EQ(n, 50u);
  std::vector<uint8_t> bad = k;
  bad[17] = 3;  // length 3 < 19
  parser.Feed(bad.data(), bad.size(), &all);
  EXPECT_TRUE(parser.error());
  b[0] = 0;
  EXPECT_FALSE(Decode(b.data(), b.size(), &d));
}

TEST(BgpSpeaker, FabricEstablishesAndUsesBothSpines) {
  Fabric f = LeafSpine();
  EXPECT_EQ(f.sp(1).established(), 2u);
  EXPECT_EQ(f.sp(10).established(), 2u);
  auto fib = f.sp(1).ForwardingTable();
  ASSERT_EQ(fib.count(kP2), 1u);
  // ECMP: equal AS_PATH length through both spines.
  EXPECT_EQ(fib[kP2].size(), 2u);
  EXPECT_EQ(f.sp(10).ForwardingTable()[kP1].size(), 1u);
  // leaf2's route via spine2 reaches spine1 only through leaf paths holding 65000: rejected as loops.
  EXPECT_EQ(f.sp(10).loc_rib_size(), 2u);
}

TEST(BgpSpeaker, IbgpLearnedRoutesAreNotPassedToOtherIbgpPeers) {
  // C (AS 65001) announces kP1 to A; A and B, and B and D, are iBGP neighbours in AS 65000.
  Fabric f;
  f.AddSpeaker(1, 65000, {});      // A
  f.AddSpeaker(2, 65000, {});      // B
  f.AddSpeaker(3, 65001, {kP1});   // C
  f.AddSpeaker(4, 65000, {});      // D
  f.Session(3, 1, 1);
  f.Session(1, 2, 2);
  f.Session(2, 4, 3);
  f.Start();
  ASSERT_EQ(f.sp(2).established(), 2u);
  auto fib_b = f.sp(2).ForwardingTable();
  ASSERT_EQ(fib_b.count(kP1), 1u);
  EXPECT_EQ(fib_b[kP1][0].addr, A(10, 0, 2, 1));  // via A
  // RFC 4271 §9.1.3: B learned kP1 over iBGP, so it does not tell D (no full mesh, no reflector).
  EXPECT_EQ(f.sp(4).ForwardingTable().count(kP1), 0u);
  EXPECT_EQ(f.sp(4).adj_rib_in_size(), 0u);
}

TEST(BgpSpeaker, DecisionPrefersEbgpOverIbgpAtEqualLength) {
  // B hears kP1 from C directly (eBGP) and through A (iBGP): both AS_PATHs are [65001] and
  // LOCAL_PREF is 100 on both, so step d (eBGP over iBGP, RFC 4271 §9.1.2.2) decides; equal
  // paths of different session types are not mixed in one ECMP group.
  Fabric f;
  f.AddSpeaker(1, 65000, {});     // A
  f.AddSpeaker(2, 65000, {});     // B
  f.AddSpeaker(3, 65001, {kP1});  // C
  f.Session(3, 1, 1);
  f.Session(1, 2, 2);
  f.Session(3, 2, 3);
  f.Start();
  auto fib_b = f.sp(2).ForwardingTable();
  ASSERT_EQ(fib_b[kP1].size(), 1u);
  EXPECT_EQ(fib_b[kP1][0].addr, A(10, 0, 3, 1));  // C's address on the C-B link
}

TEST(BgpSpeaker, DecisionPrefersShorterAsPath) {
  Fabric f;
  f.AddSpeaker(1, 65001, {});
  f.AddSpeaker(2, 65002, {kP1});
  f.AddSpeaker(3, 65003, {});
  f.Session(1, 2, 1);  // direct: AS_PATH 65002
  f.Session(1, 3, 2);
  f.Session(3, 2, 3);  // via 3: AS_PATH 65003 65002
  SpeakerConfig c;
  f.Start();
  auto fib = f.sp(1).ForwardingTable();
  ASSERT_EQ(fib[kP1].size(), 1u);
  EXPECT_EQ(fib[kP1][0].addr, A(10, 0, 1, 2));
}

TEST(BgpSpeaker, HoldTimerExpiresAfterNinetySecondsOfSilence) {
  Fabric f = LeafSpine();
  f.Blackhole(1, 0);  // leaf1 <-> spine1 loses every message, TCP says nothing
  f.Advance(85 * kSec);
  EXPECT_EQ(f.sp(1).state(0), SessionState::kEstablished);
  f.Advance(10 * kSec);
  EXPECT_NE(f.sp(1).state(0), SessionState::kEstablished);
  EXPECT_EQ(f.sp(1).ForwardingTable()[kP2].size(), 1u);  // only spine2 left
  EXPECT_EQ(f.sp(1).counters().session_drops, 1u);
  // After healing, the active side reconnects after ConnectRetryTime (120 s).
  f.Heal(1, 0);
  f.Advance(130 * kSec);
  EXPECT_EQ(f.sp(1).state(0), SessionState::kEstablished);
  EXPECT_EQ(f.sp(1).ForwardingTable()[kP2].size(), 2u);
}

TEST(BgpSpeaker, MraiHoldsBackAnnouncementsButNotWithdrawals) {
  SpeakerConfig c;
  c.connect_retry = 1 * kSec;
  Fabric f = LeafSpine(c);
  // A reset of leaf2-spine1 withdraws at once at spine1, then re-announces after reconnect.
  f.Reset(2, 0);
  EXPECT_EQ(f.sp(10).ForwardingTable().count(kP2), 0u);
  EXPECT_EQ(f.sp(1).ForwardingTable()[kP2].size(), 1u);  // withdrawal reached leaf1 immediately
  f.Advance(3 * kSec);
  EXPECT_EQ(f.sp(10).ForwardingTable().count(kP2), 1u);  // session back, spine1 has it again
  // spine1 announced kP2 to leaf1 at t=0; the MRAI (30 s eBGP) holds the re-announcement back.
  EXPECT_EQ(f.sp(1).ForwardingTable()[kP2].size(), 1u);
  f.Advance(30 * kSec);
  EXPECT_EQ(f.sp(1).ForwardingTable()[kP2].size(), 2u);
}

TEST(Damping, ArithmeticFollowsRfc2439WithRfc7196Parameters) {
  DampingConfig c;
  c.enabled = true;
  RouteFlapDamping d(c);
  SimTime t = 0;
  for (int i = 0; i < 6; ++i) {
    EXPECT_FALSE(d.Penalize(1, t, true)) << i;  // 6 flaps in quick succession stay <= 6000
    t += 1 * kSec;
  }
  EXPECT_TRUE(d.Penalize(1, t, true));  // the 7th crosses the suppress threshold (6000)
  double p = d.Penalty(1, t);
  EXPECT_GT(p, 6000);
  EXPECT_NEAR(d.Penalty(1, t + 15 * 60 * kSec), p / 2, 1e-6);  // half-life 15 min
  SimTime reuse = d.NextReuse();
  double expected = static_cast<double>(t) + 15 * 60 * 1e9 * std::log2(p / 750);
  EXPECT_NEAR(static_cast<double>(reuse), expected, 2);
  EXPECT_TRUE(d.Suppressed(1, reuse - kSec));
  EXPECT_FALSE(d.Suppressed(1, reuse));
  // The ceiling bounds suppression to max_suppress (60 min): 750 * 2^(60/15) = 12000.
  for (int i = 0; i < 50; ++i) d.Penalize(2, 0, true);
  EXPECT_NEAR(d.Penalty(2, 0), 12000, 1e-9);
}

TEST(BgpSpeaker, FlappingSessionGetsItsRoutesSuppressed) {
  SpeakerConfig c;
  c.connect_retry = 1 * kSec;
  c.damping.enabled = true;
  Fabric f = LeafSpine(c);
  for (int i = 0; i < 7; ++i) {
    f.Reset(10, 1);  // spine1's session to leaf2 flaps
    f.Advance(5 * kSec);
  }
  // spine1 has suppressed leaf2's prefix: it is reachable only through... nothing, spine1 is a dead end for it.
  EXPECT_GT(f.sp(10).suppressed(), 0u);
  EXPECT_EQ(f.sp(10).ForwardingTable().count(kP2), 0u);
  EXPECT_EQ(f.sp(10).state(1), SessionState::kEstablished);
  EXPECT_EQ(f.sp(1).ForwardingTable()[kP2].size(), 1u);  // leaf1 uses spine2 only
}

}  // namespace planelab::bgp

namespace planelab::bgp {
namespace {

TEST(BgpSpeaker, LargeTableIsSentInWriteQuantaAndWaitsForTheSocket) {
  // 3,000 prefixes originated with different paths cannot share UPDATEs; a 4 KiB write quantum
  // splits the table dump into many writes, and a blocked peer gets nothing until it drains.
  SpeakerConfig a;
  a.local_as = 65001;
  a.router_id = 1;
  a.write_quantum = 4096;
  a.mrai_ebgp = 30 * kSec;  // the table dump is not paced by the MRAI, only by the socket
  SpeakerConfig b = a;
  b.local_as = 65002;
  b.router_id = 2;
  std::vector<Prefix> table;
  for (uint32_t i = 0; i < 3000; ++i) table.push_back({A(20, 0, 0, 0) + (i << 8), 24});
  PeerConfig pa{A(10, 0, 0, 2), A(10, 0, 0, 1), 1, 65002, true};
  PeerConfig pb{A(10, 0, 0, 1), A(10, 0, 0, 2), 1, 65001, false};
  BgpSpeaker sa(a, {pa}, table), sb(b, {pb}, {});
  std::vector<Action> oa, ob;
  sa.Start(0, &oa);
  sb.Start(0, &ob);
  oa.clear();
  ob.clear();
  sa.OnTcpUp(0, 0, &oa);
  sb.OnTcpUp(0, 0, &ob);
  // Delivers every message of `out` from `from` to `to`; returns the number of writes.
  auto deliver = [](BgpSpeaker& to, std::vector<Action>& out, std::vector<Action>* reply) {
    size_t writes = 0;
    for (auto& act : out) {
      if (act.kind != Action::Kind::kSend) continue;
      ++writes;
      ForEachMessage(act.bytes.data(), act.bytes.size(), [&](const uint8_t* d, size_t n) {
        Message m;
        ASSERT_TRUE(Decode(d, n, &m));
        to.OnMessage(0, 0, m, reply);
      });
    }
    out.clear();
    return writes;
  };
  for (int round = 0; round < 4; ++round) {
    std::vector<Action> ra, rb;
    deliver(sb, oa, &rb);
    deliver(sa, ob, &ra);
    oa = std::move(ra);
    ob = std::move(rb);
  }
  ASSERT_EQ(sa.state(0), SessionState::kEstablished);
  ASSERT_EQ(sb.state(0), SessionState::kEstablished);
  size_t first = sb.loc_rib_size();
  EXPECT_GT(first, 0u);
  EXPECT_LT(first, 3000u);  // one quantum, not the whole table
  // The socket is full: nothing more is built, whatever the timers say.
  sa.SetWritable(0, false);
  EXPECT_FALSE(sa.has_pending());
  std::vector<Action> more;
  sa.Tick(1 * kSec, &more);
  EXPECT_EQ(deliver(sb, more, &ob), 0u);
  EXPECT_EQ(sb.loc_rib_size(), first);
  // It drains: the rest follows quantum by quantum, well before the 30 s MRAI.
  sa.SetWritable(0, true);
  size_t writes = 0;
  for (int i = 0; i < 100 && sa.has_pending(); ++i) {
    sa.FlushPending(1 * kSec, &more);
    writes += deliver(sb, more, &ob);
  }
  EXPECT_EQ(sb.loc_rib_size(), 3000u);
  EXPECT_GT(writes, 10u);
  EXPECT_EQ(sa.adj_rib_out_size(0), 3000u);
  EXPECT_EQ(sb.adj_rib_in_size(0), 3000u);
}

TEST(BgpSpeaker, FlushBuildsNoMoreThanTheSocketTakesAndFlushPeerContinues) {
  // The host reports 2,000 bytes of room: a flush builds no more than that, not the 64 KiB write
  // quantum, and FlushPeer continues with that peer alone once room is back.
  SpeakerConfig a;
  a.local_as = 65001;
  a.router_id = 1;
  a.defer_flush = true;
  std::vector<Prefix> table;
  for (uint32_t i = 0; i < 500; ++i) table.push_back({A(20, 0, 0, 0) + (i << 8), 24});
  PeerConfig pa{A(10, 0, 0, 2), A(10, 0, 0, 1), 1, 65002, true};
  BgpSpeaker sa(a, {pa}, table);
  size_t room = 2000;
  int asked = 0;
  sa.SetSendRoom([&](size_t peer) {
    EXPECT_EQ(peer, 0u);
    ++asked;
    return room;
  });
  std::vector<Action> out;
  sa.Start(0, &out);
  sa.OnTcpUp(0, 0, &out);  // OPEN
  Message open;
  open.type = MessageType::kOpen;
  open.open.my_as = 65002;
  open.open.hold_time = 90;
  open.open.bgp_id = 2;
  sa.OnMessage(0, 0, open, &out);  // KEEPALIVE
  out.clear();
  Message ka;
  ka.type = MessageType::kKeepalive;
  sa.OnMessage(0, 0, ka, &out);  // Established: the table dump starts
  ASSERT_EQ(sa.state(0), SessionState::kEstablished);
  auto bytes_of = [](const std::vector<Action>& acts) {
    size_t n = 0;
    for (const auto& x : acts) n += x.kind == Action::Kind::kSend ? x.bytes.size() : 0;
    return n;
  };
  // The flush counts each announced prefix as if it had an UPDATE of its own (48 bytes and 4 per
  // AS), so 2,000 bytes are about 38 prefixes; ours share one attribute set and one UPDATE.
  EXPECT_GT(asked, 0);
  EXPECT_LE(bytes_of(out), room);
  size_t sent = sa.adj_rib_out_size(0);
  EXPECT_GE(sent, 30u);
  EXPECT_LE(sent, 40u);
  // No room: nothing is built.
  room = 0;
  out.clear();
  sa.FlushPeer(1, 0, &out);
  EXPECT_EQ(bytes_of(out), 0u);
  EXPECT_EQ(sa.adj_rib_out_size(0), sent);
  // Room again: FlushPeer goes on where the dump stopped, until the table is out.
  room = 1 << 20;
  for (int i = 0; i < 10 && sa.has_pending(); ++i) sa.FlushPeer(2, 0, &out);
  EXPECT_EQ(sa.adj_rib_out_size(0), 500u);
  EXPECT_FALSE(sa.has_pending());
}

TEST(RouteInterner, SharesAttributesThatDifferOnlyInNextHop) {
  RouteInterner in;
  PathAttributes x;
  x.as_path = {65000, 65001};
  x.next_hop = A(10, 0, 0, 1);
  PathAttributes y = x;
  y.next_hop = A(10, 0, 0, 5);
  EXPECT_EQ(in.AttrId(x), in.AttrId(y));
  EXPECT_EQ(in.attrs(in.AttrId(x)).next_hop, 0u);
  y.med = 10;
  EXPECT_NE(in.AttrId(x), in.AttrId(y));
  EXPECT_EQ(in.PrefixId(kP1), in.PrefixId(kP1));
  EXPECT_EQ(in.FindPrefix(kP2), UINT32_MAX);
}

TEST(PrefixIdArray, MatchesAMapUnderRandomWrites) {
  std::mt19937 rng(7);
  PrefixIdArray a;
  std::map<uint32_t, uint32_t> ref;
  for (int i = 0; i < 20000; ++i) {
    uint32_t id = rng() % 5000, v = rng() % 4;  // a quarter of the writes erase
    a.Set(id, v);
    if (v) ref[id] = v; else ref.erase(id);
  }
  EXPECT_EQ(a.count(), ref.size());
  std::map<uint32_t, uint32_t> seen;
  a.ForEach([&](uint32_t id, uint32_t v) { seen[id] = v; });
  EXPECT_EQ(seen, ref);
  EXPECT_EQ(a.Get(999999), 0u);
}

TEST(BgpSpeaker, ForwardingChangesComeSortedOncePerPrefixAndEmptyForWithdrawals) {
  // Announced out of order, and learned in the order they are interned: the FIB batch must still
  // come sorted (the run store records it so), one entry per prefix.
  const std::vector<Prefix> many = {{A(10, 9, 0, 0), 16}, {A(10, 3, 0, 0), 16}, {A(10, 3, 0, 0), 24}, {A(10, 7, 0, 0), 16}};
  Fabric f;
  f.AddSpeaker(1, 65001, {});
  f.AddSpeaker(2, 65002, many);
  f.AddSpeaker(3, 65003, {});
  f.Session(1, 2, 1);
  f.Session(1, 3, 2);
  f.Session(3, 2, 3);
  f.Start();
  auto batch = f.sp(1).TakeForwardingChanges();
  ASSERT_EQ(batch.size(), many.size());
  for (size_t i = 1; i < batch.size(); ++i) EXPECT_TRUE(batch[i - 1].first < batch[i].first);
  for (const auto& [prefix, hops] : batch) EXPECT_EQ(hops.size(), 1u);  // direct path beats the one via 3
  EXPECT_TRUE(f.sp(1).TakeForwardingChanges().empty());
  // Both sessions of speaker 2 go down: every prefix is withdrawn, each reported once, with no hops.
  f.Reset(2, 0);
  f.Reset(2, 1);
  batch = f.sp(1).TakeForwardingChanges();
  ASSERT_EQ(batch.size(), many.size());
  for (const auto& [prefix, hops] : batch) EXPECT_TRUE(hops.empty());
}

TEST(BgpSpeaker, OriginIsWithdrawnWhenItsInterfaceGoesDownAndAnnouncedWhenItIsBack) {
  Fabric f = LeafSpine();
  f.Advance(60 * kSec);  // every MRAI timer of the cold start has run out
  ASSERT_EQ(f.sp(1).ForwardingTable()[kP2].size(), 2u);
  EXPECT_TRUE(f.sp(2).originating(kP2));
  uint64_t withdrawals_before = f.sp(10).counters().withdrawals_received + f.sp(11).counters().withdrawals_received;
  // leaf2's host interface goes down: its connected route leaves the RIB, and with it the prefix.
  EXPECT_TRUE(f.Origin(2, kP2, false));
  EXPECT_FALSE(f.sp(2).originating(kP2));
  EXPECT_FALSE(f.Origin(2, kP2, false));  // already down: nothing to do
  EXPECT_FALSE(f.Origin(2, kP1, false));  // not one of leaf2's prefixes
  // Both spines got a WITHDRAW from leaf2 at once (withdrawals wait for no MRAI), passed it on,
  // and nobody has a route any more.
  EXPECT_EQ(f.sp(10).counters().withdrawals_received + f.sp(11).counters().withdrawals_received, withdrawals_before + 2);
  EXPECT_EQ(f.sp(10).ForwardingTable().count(kP2), 0u);
  EXPECT_EQ(f.sp(11).ForwardingTable().count(kP2), 0u);
  EXPECT_EQ(f.sp(1).ForwardingTable().count(kP2), 0u);
  EXPECT_EQ(f.sp(2).loc_rib_size(), 1u);  // only leaf1's prefix is left at leaf2
  EXPECT_EQ(f.sp(2).adj_rib_out_size(0), 0u);  // spine1 had kP2 from leaf2, nothing else
  // The interface comes back: announced again to both spines, and by them to leaf1 (their MRAI
  // timers ran out long ago, so nothing waits).
  EXPECT_TRUE(f.Origin(2, kP2, true));
  EXPECT_TRUE(f.sp(2).originating(kP2));
  EXPECT_EQ(f.sp(10).ForwardingTable().count(kP2), 1u);
  EXPECT_EQ(f.sp(11).ForwardingTable().count(kP2), 1u);
  EXPECT_EQ(f.sp(1).ForwardingTable()[kP2].size(), 2u);
  EXPECT_EQ(f.sp(2).adj_rib_out_size(0), 1u);
}

/// When leaf1 gets spine1's path to kP2 back after leaf2-spine1 was reset at t=0: the MRAI that
/// spine1 started with its first announcement to leaf1 (at t=0) decides. -1: not within 40 s.
SimTime ReannouncedAt(SpeakerConfig c) {
  c.connect_retry = 1 * kSec;
  Fabric f = LeafSpine(c);
  f.Reset(2, 0);
  for (int i = 0; i < 400; ++i) {
    f.Advance(100 * kMs, 100 * kMs);
    if (f.sp(1).ForwardingTable()[kP2].size() == 2) return f.now();
  }
  return -1;
}

TEST(BgpSpeaker, MraiIsJitteredBySeededFactorBetweenThreeQuartersAndOne) {
  SpeakerConfig c;
  c.mrai_jitter = false;
  c.timer_jitter = false;
  EXPECT_EQ(ReannouncedAt(c), 30 * kSec);  // RFC 4271 §10's 30 s exactly
  // RFC 4271 §10: jittered by a factor uniform in [0.75, 1.0]: released between 22.5 s and 30 s,
  // the same for the same seed, different across seeds.
  std::set<SimTime> seen;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    c.mrai_jitter = true;
    c.timer_jitter = true;
    c.seed = seed;
    SimTime t = ReannouncedAt(c);
    EXPECT_GE(t, 22500 * kMs) << "seed " << seed;
    EXPECT_LE(t, 30 * kSec) << "seed " << seed;
    EXPECT_EQ(ReannouncedAt(c), t) << "seed " << seed;
    seen.insert(t);
  }
  EXPECT_GE(seen.size(), 6u);
}

TEST(BgpSpeaker, WithdrawalsWaitForTheMraiOnlyWhenConfigured) {
  for (bool limited : {false, true}) {
    SpeakerConfig c;
    c.mrai_jitter = false;
    c.mrai_withdrawals = limited;
    Fabric f = LeafSpine(c);  // spine1 announced kP1 and kP2 at t=0: its MRAI runs to 30 s
    f.Advance(10 * kSec);
    f.Reset(2, 0);            // spine1 loses kP2 (and will not get it back for 120 s)
    EXPECT_EQ(f.sp(10).ForwardingTable().count(kP2), 0u);
    // RFC 1771's rule and common practice: the withdrawal reaches leaf1 at once. With withdrawals
    // rate-limited (RFC 4271 §9.2.1.1's "advertisement and/or withdrawal") it waits for the MRAI.
    EXPECT_EQ(f.sp(1).ForwardingTable()[kP2].size(), limited ? 2u : 1u) << limited;
    f.Advance(19 * kSec);
    EXPECT_EQ(f.sp(1).ForwardingTable()[kP2].size(), limited ? 2u : 1u) << limited;
    f.Advance(2 * kSec);
    EXPECT_EQ(f.sp(1).ForwardingTable()[kP2].size(), 1u) << limited;
  }
}

TEST(BgpSpeaker, WithoutSenderSideLoopDetectionLoopedPathsAreSentAndDiscarded) {
  for (bool ssld : {true, false}) {
    SpeakerConfig c;
    c.sender_side_loop_detection = ssld;
    Fabric f = LeafSpine(c);
    // Without sender-side loop detection each spine's first UPDATE to leaf1 is leaf1's own prefix
    // sent back, which starts the MRAI: kP2 follows when it runs out.
    f.Advance(35 * kSec);
    // leaf1 (65001) reaches kP2 through both spines (AS 65000). With sender-side loop detection it
    // sends that path to neither (65000 is in it); without, it sends [65001 65000 65002] to both,
    // and each spine discards it (RFC 4271 §9.1.2): only kP1 is in their Adj-RIB-In from leaf1.
    EXPECT_EQ(f.sp(1).adj_rib_out_size(0), ssld ? 1u : 2u) << ssld;
    EXPECT_EQ(f.sp(10).adj_rib_in_size(0), 1u) << ssld;
    EXPECT_EQ(f.sp(10).ForwardingTable().size(), 2u) << ssld;
    EXPECT_EQ(f.sp(1).ForwardingTable()[kP2].size(), 2u) << ssld;
  }
}

}  // namespace
}  // namespace planelab::bgp
