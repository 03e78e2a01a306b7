// The link-state core alone: messages and ticks in, messages and routes out; no kernel.
#include "models/router/control/link_state_routing.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <set>

namespace planelab::ls {

namespace {

uint32_t Addr(int a, int b, int c, int d) { return (uint32_t(a) << 24) | (b << 16) | (c << 8) | d; }

/// A hand-wired network of protocol cores sharing one LSA pool, as a run's routers do: a "link" maps (router,
/// ifindex) to the peer's (router, ifindex); packets arrive at once, timers run at the cores' deadlines.
class Net {
 public:
  struct End {
    int router;
    uint32_t ifindex;
  };
  LinkStateRouting::Config config;
  void AddRouter(int id) { itfs_[id]; }
  /// Links routers a and b on subnet 10.0.n.0/30 with a cost.
  void Link(int a, int b, int n, uint32_t cost, uint32_t mtu_a = 1500, uint32_t mtu_b = 1500) {
    uint32_t ia = static_cast<uint32_t>(itfs_[a].size()) + 1, ib = static_cast<uint32_t>(itfs_[b].size()) + 1;
    InterfaceConfig ca{ia, Addr(10, 0, n, 1), Addr(10, 0, n, 2), 30, cost, false, true, mtu_a};
    InterfaceConfig cb{ib, Addr(10, 0, n, 2), Addr(10, 0, n, 1), 30, cost, false, true, mtu_b};
    itfs_[a].push_back(ca);
    itfs_[b].push_back(cb);
    wires_[{a, ia}] = {b, ib};
    wires_[{b, ib}] = {a, ia};
  }
  /// Carrier loss or return on one router's interface alone (a host link: nobody at the other end).
  void Carrier(int r, uint32_t ifindex, bool up) {
    std::vector<Send> out;
    cores_[r]->SetCarrier(now_, ifindex, up, &out);
    Queue(r, out);
    Drain();
    Settle();
  }
  /// A passive stub prefix (a host subnet) on router r.
  void Stub(int r, int n) {
    uint32_t i = static_cast<uint32_t>(itfs_[r].size()) + 1;
    itfs_[r].push_back({i, Addr(10, 1, n, 1), Addr(10, 1, n, 2), 30, 1, true, true});
  }
  /// Starts every router (or only `only`) and lets the network settle.
  void Start(int only = 0) {
    for (auto& [id, list] : itfs_) {
      if (only && id != only) continue;
      cores_[id].reset(new LinkStateRouting(static_cast<uint32_t>(id), config, list, pool_));
      std::vector<Send> out;
      cores_[id]->Start(now_, &out);
      Queue(id, out);
    }
    Drain();
    Settle();
  }
  /// A crash and restart of router r: a new core that remembers nothing.
  void Restart(int r) {
    cores_[r].reset(new LinkStateRouting(static_cast<uint32_t>(r), config, itfs_[r], pool_));
    std::vector<Send> out;
    cores_[r]->Start(now_, &out);
    Queue(r, out);
    Drain();
    Settle();
  }
  void Queue(int from, std::vector<Send>& out) {
    for (auto& s : out) {
      if (cut_.count({from, s.ifindex})) continue;
      if (s.msg.type == Message::Type::kLsUpdate && drop_next_update_.erase({from, s.ifindex})) continue;
      if (s.msg.type == Message::Type::kLsUpdate) lsas_in_updates_.push_back(s.msg.lsas.size());
      inflight_.push_back({wires_.at({from, s.ifindex}), s.msg});
    }
    out.clear();
  }
  void Drain() {
    while (!inflight_.empty()) {
      auto [to, msg] = inflight_.front();
      inflight_.pop_front();
      if (!cores_.count(to.router)) continue;
      // Round-trip through the wire format, as the simulated packets do.
      std::vector<uint8_t> bytes = Encode(msg);
      Message decoded;
      ASSERT_TRUE(Decode(bytes.data(), bytes.size(), &decoded, pool_.get()));
      std::vector<Send> out;
      cores_[to.router]->Receive(now_, to.ifindex, decoded, &out);
      Queue(to.router, out);
    }
  }
  void Cut(int a, uint32_t ifa) {
    End b = wires_.at({a, ifa});
    cut_.insert({a, ifa});
    cut_.insert({b.router, b.ifindex});
    std::vector<Send> out;
    cores_[a]->SetCarrier(now_, ifa, false, &out);
    Queue(a, out);
    cores_[b.router]->SetCarrier(now_, b.ifindex, false, &out);
    Queue(b.router, out);
    Drain();
    Settle();
  }
  /// Silently drops everything on a wire (no carrier loss: a "gray" failure).
  void Blackhole(int a, uint32_t ifa) {
    End b = wires_.at({a, ifa});
    cut_.insert({a, ifa});
    cut_.insert({b.router, b.ifindex});
  }
  /// Loses the next Link State Update router a sends on interface ifa.
  void DropNextUpdate(int a, uint32_t ifa) { drop_next_update_.insert({a, ifa}); }
  /// Runs every core's timers up to now + dt.
  void Advance(SimTime dt) {
    const SimTime until = now_ + dt;
    for (;;) {
      SimTime next = kNever;
      for (auto& [id, core] : cores_) next = std::min(next, core->NextDeadline());
      if (next > until) break;
      now_ = std::max(now_, next);
      for (auto& [id, core] : cores_) {
        std::vector<Send> out;
        core->Tick(now_, &out);
        Queue(id, out);
      }
      Drain();
    }
    now_ = until;
  }
  /// Long enough for origination throttles and flooding to finish, shorter than a hello interval.
  void Settle() { Advance(2 * kSec); }
  SimTime now() const { return now_; }
  LinkStateRouting& core(int id) { return *cores_[id]; }
  /// Every router runs its SPF (which, with dynamic flooding, also checks the flooding topology).
  void SpfEverywhere() {
    for (auto& [id, core] : cores_) core->ComputeRoutes();
  }
  /// Every router holds every other router's current LSA instance.
  bool Synchronised() const {
    for (const auto& [id, core] : cores_) {
      for (const auto& [o, origin] : cores_) {
        const Lsa* own = origin->Lookup(static_cast<uint32_t>(o));
        const Lsa* copy = core->Lookup(static_cast<uint32_t>(o));
        if (!own || !copy || copy->seq() != own->seq()) return false;
      }
    }
    return true;
  }
  uint64_t LsasSent() const {
    uint64_t n = 0;
    for (const auto& [id, core] : cores_) n += core->stats().lsas_sent;
    return n;
  }
  const std::vector<size_t>& lsas_in_updates() const { return lsas_in_updates_; }
  const Route* RouteTo(int router, uint32_t prefix) {
    routes_[router] = cores_[router]->ComputeRoutes();
    for (const auto& r : routes_[router]) {
      if (r.prefix == prefix) return &r;
    }
    return nullptr;
  }

 private:
  SimTime now_ = 0;
  std::shared_ptr<LsaPool> pool_ = std::make_shared<LsaPool>();
  std::map<int, std::vector<InterfaceConfig>> itfs_;
  std::map<std::pair<int, uint32_t>, End> wires_;
  std::set<std::pair<int, uint32_t>> cut_;
  std::set<std::pair<int, uint32_t>> drop_next_update_;
  std::map<int, std::unique_ptr<LinkStateRouting>> cores_;
  std::deque<std::pair<End, Message>> inflight_;
  std::map<int, std::vector<Route>> routes_;
  std::vector<size_t> lsas_in_updates_;
};

// The diamond: 1-2 (1), 2-4 (1), 1-3 (1), 3-4 (3); a host subnet 10.1.4.0/30 behind router 4.
Net Diamond() {
  Net n;
  n.Link(1, 2, 12, 1);
  n.Link(2, 4, 24, 1);
  n.Link(1, 3, 13, 1);
  n.Link(3, 4, 34, 3);
  n.Stub(4, 4);
  n.Start();
  return n;
}

}  // namespace

TEST(LinkStateRouting, WireFormatIsOspfVersion2AndRejectsGarbage) {
  Lsa lsa;
  lsa.header.id = lsa.header.adv = 7;
  lsa.header.seq = kInitialSequenceNumber + 41;
  lsa.links = {{9, 1, Addr(10, 0, 1, 1)}, {8, 3, Addr(10, 0, 2, 1)}};
  lsa.prefixes = {{Addr(10, 0, 0, 0), 30, 1}};
  Seal(&lsa);
  EXPECT_EQ(lsa.header.length, 20u + 4u + 3u * 12u);  // RFC 2328 A.4.2: 12 bytes a link, no TOS
  EXPECT_EQ(lsa.links[0].neighbor, 8u);               // sealed LSAs list links by neighbour
  Message m;
  m.type = Message::Type::kLsUpdate;
  m.router_id = 7;
  m.lsas.push_back(std::make_shared<const Lsa>(lsa));
  auto b = Encode(m);
  ASSERT_EQ(b.size(), 24u + 4u + lsa.header.length);
  EXPECT_EQ(b[0], 2);  // version
  EXPECT_EQ(b[1], 4);  // Link State Update
  Message d;
  ASSERT_TRUE(Decode(b.data(), b.size(), &d));
  ASSERT_EQ(d.lsas.size(), 1u);
  EXPECT_EQ(d.lsas[0]->seq(), kInitialSequenceNumber + 41);
  EXPECT_EQ(d.lsas[0]->header.checksum, lsa.header.checksum);
  EXPECT_TRUE(d.lsas[0]->Lists(9));
  EXPECT_FALSE(d.lsas[0]->Lists(10));
  // A flipped bit fails the packet checksum; a truncated packet its length.
  auto bad = b;
  bad[40] ^= 1;
  EXPECT_FALSE(Decode(bad.data(), bad.size(), &d));
  auto cut = b;
  cut.pop_back();
  EXPECT_FALSE(Decode(cut.data(), cut.size(), &d));
  std::vector<uint8_t> junk = {1, 2, 3};
  EXPECT_FALSE(Decode(junk.data(), junk.size(), &d));
  // Every packet type survives the round trip.
  for (auto type : {Message::Type::kHello, Message::Type::kDbDescription, Message::Type::kLsRequest,
                    Message::Type::kLsAck}) {
    Message x;
    x.type = type;
    x.router_id = 3;
    x.hello.neighbors = {4, 5};
    x.dd_flags = kDdInit | kDdMore | kDdMaster;
    x.dd_seq = 99;
    x.headers = {lsa.header};
    x.requests = {7, 8};
    auto bytes = Encode(x);
    Message y;
    ASSERT_TRUE(Decode(bytes.data(), bytes.size(), &y)) << int(type);
    EXPECT_EQ(y.type, type);
    EXPECT_EQ(y.router_id, 3u);
  }
}

// A pooled LSA is parsed once per run: the second router decoding it gets the same object.
TEST(LinkStateRouting, PoolSharesOneInstanceAcrossRouters) {
  LsaPool pool;
  Lsa lsa;
  lsa.header.id = lsa.header.adv = 7;
  lsa.prefixes = {{Addr(10, 0, 0, 0), 30, 1}};
  Seal(&lsa);
  Message m;
  m.type = Message::Type::kLsUpdate;
  m.lsas.push_back(std::make_shared<const Lsa>(lsa));
  auto b = Encode(m);
  Message d1, d2;
  ASSERT_TRUE(Decode(b.data(), b.size(), &d1, &pool));
  ASSERT_TRUE(Decode(b.data(), b.size(), &d2, &pool));
  EXPECT_EQ(d1.lsas[0].get(), d2.lsas[0].get());
  EXPECT_NE(pool.IndexIfKnown(7), LsaPool::kUnknown);
}

TEST(LinkStateRouting, DiamondConvergesOnCheapestPath) {
  Net n = Diamond();
  EXPECT_EQ(n.core(1).adjacencies_up(), 2u);
  EXPECT_EQ(n.core(4).adjacencies_up(), 2u);
  EXPECT_EQ(n.core(1).lsdb_size(), 4u);
  const Route* r = n.RouteTo(1, Addr(10, 1, 4, 0));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->cost, 3u);             // 1-2-4 and the stub (RFC 2328 §16.1), not 1-3-4 (cost 5)
  ASSERT_EQ(r->next_hops.size(), 1u);
  EXPECT_EQ(r->next_hops[0].addr, Addr(10, 0, 12, 2));
  EXPECT_EQ(r->next_hops[0].ifindex, 1u);
}

TEST(LinkStateRouting, CarrierLossReroutesAtOnce) {
  Net n = Diamond();
  n.Cut(2, 2);  // the 2-4 link, from router 2's second interface
  const Route* r = n.RouteTo(1, Addr(10, 1, 4, 0));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->cost, 5u);  // now 1-3-4
  ASSERT_EQ(r->next_hops.size(), 1u);
  EXPECT_EQ(r->next_hops[0].addr, Addr(10, 0, 13, 2));
  // The cut link's own prefix is withdrawn by both ends.
  EXPECT_EQ(n.RouteTo(1, Addr(10, 0, 24, 0)), nullptr);
}

TEST(LinkStateRouting, SilentLinkDiesAfterTheDeadInterval) {
  Net n = Diamond();
  n.Blackhole(2, 2);
  n.Advance(37 * kSec);  // hellos every 10 s; still within RouterDeadInterval (40 s)
  const Route* before = n.RouteTo(1, Addr(10, 1, 4, 0));
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(before->cost, 3u);
  n.Advance(1 * kSec);
  n.Advance(1 * kSec);
  const Route* after = n.RouteTo(1, Addr(10, 1, 4, 0));
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->cost, 5u);
  EXPECT_EQ(n.core(2).adjacencies_up(), 1u);
}

TEST(LinkStateRouting, RestartedRouterJumpsPastItsOldSequence) {
  Net n = Diamond();
  n.Advance(10 * kSec);
  const int32_t before = n.core(1).Lookup(4)->seq();
  n.Restart(4);  // starts again at InitialSequenceNumber; its neighbours hold a newer instance
  n.Advance(10 * kSec);
  EXPECT_GT(n.core(1).Lookup(4)->seq(), before);
  EXPECT_EQ(n.core(4).Lookup(4)->seq(), n.core(1).Lookup(4)->seq());
  EXPECT_NE(n.RouteTo(1, Addr(10, 1, 4, 0)), nullptr);
}

// Issue 12.1: a leaf-spine with two spines. Every leaf-to-leaf path costs 2 through either spine,
// so the route keeps both first hops (RFC 2328 §16.1) and flows spread over both spines.
TEST(LinkStateRouting, EqualCostPathsKeepEveryFirstHop) {
  Net n;
  // leaves 1, 2; spines 11, 12
  n.Link(1, 11, 1, 1);
  n.Link(1, 12, 2, 1);
  n.Link(2, 11, 3, 1);
  n.Link(2, 12, 4, 1);
  n.Stub(2, 2);
  n.Start();
  const Route* r = n.RouteTo(1, Addr(10, 1, 2, 0));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->cost, 3u);
  ASSERT_EQ(r->next_hops.size(), 2u);
  EXPECT_EQ(r->next_hops[0].addr, Addr(10, 0, 1, 2));
  EXPECT_EQ(r->next_hops[0].ifindex, 1u);
  EXPECT_EQ(r->next_hops[1].addr, Addr(10, 0, 2, 2));
  EXPECT_EQ(r->next_hops[1].ifindex, 2u);
  // One spine's link to leaf 2 fails: only the other spine remains.
  n.Cut(2, 1);
  r = n.RouteTo(1, Addr(10, 1, 2, 0));
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->next_hops.size(), 1u);
  EXPECT_EQ(r->next_hops[0].addr, Addr(10, 0, 2, 2));
}

// Equal-cost first hops also merge deeper in the tree: 1 reaches 5 over 2-4 and 3-4 at cost 3,
// and a cheaper path through 6 (cost 2) replaces both.
TEST(LinkStateRouting, EqualCostFirstHopsMergeDownstream) {
  Net n;
  n.Link(1, 2, 12, 1);
  n.Link(1, 3, 13, 1);
  n.Link(2, 4, 24, 1);
  n.Link(3, 4, 34, 1);
  n.Link(4, 5, 45, 1);
  n.Stub(5, 5);
  n.Start();
  const Route* r = n.RouteTo(1, Addr(10, 1, 5, 0));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->cost, 4u);
  EXPECT_EQ(r->next_hops.size(), 2u);
}

// Issue 12.3, link-state side: the stub network of a host link that went down leaves the router's
// LSA, so no router keeps a route to it; it is announced again when the link comes back.
TEST(LinkStateRouting, StubPrefixOfADownInterfaceIsWithdrawnAndReturns) {
  Net n = Diamond();
  ASSERT_NE(n.RouteTo(1, Addr(10, 1, 4, 0)), nullptr);
  n.Carrier(4, 3, false);  // router 4's third interface is the stub
  EXPECT_EQ(n.RouteTo(1, Addr(10, 1, 4, 0)), nullptr);
  EXPECT_EQ(n.RouteTo(2, Addr(10, 1, 4, 0)), nullptr);
  n.Carrier(4, 3, true);
  const Route* r = n.RouteTo(1, Addr(10, 1, 4, 0));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->cost, 3u);
}

// A 3x3 grid: every router's LSA reaches every router, each update packet may carry several LSAs, and on a
// lossless network every flooded LSA is acknowledged without a retransmission.
Net Grid3() {
  Net n;
  int sub = 1;
  for (int r = 1; r <= 9; ++r) {
    if (r % 3 != 0) n.Link(r, r + 1, sub++, 1);
    if (r + 3 <= 9) n.Link(r, r + 3, sub++, 1);
  }
  n.Stub(9, 9);
  n.Start();
  return n;
}

TEST(LinkStateRouting, FloodingIsReliableAndBatched) {
  Net n = Grid3();
  n.Advance(3 * kSec);
  size_t most = 0;
  for (int r = 1; r <= 9; ++r) {
    EXPECT_EQ(n.core(r).lsdb_size(), 9u) << r;
    EXPECT_EQ(n.core(r).stats().retransmitted, 0u) << r;
    for (uint32_t i = 1; i <= 4; ++i) {
      NeighborState s = n.core(r).StateOn(i);
      if (s != NeighborState::kDown) {
        EXPECT_EQ(s, NeighborState::kFull) << r << " if " << i;
      }
    }
  }
  for (size_t k : n.lsas_in_updates()) most = std::max(most, k);
  EXPECT_GT(most, 1u);  // the database exchange and paced floods pack several LSAs in one update
  const Route* r = n.RouteTo(1, Addr(10, 1, 9, 0));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->cost, 5u);                // four hops and the stub
  EXPECT_EQ(r->next_hops.size(), 2u);   // right and down are equally short
}

// RFC 2328 §13.6: an update lost on the wire is sent again after RxmtInterval (5 s), and the LSDBs agree again.
TEST(LinkStateRouting, LostUpdateIsRetransmitted) {
  Net n;
  n.Link(1, 2, 12, 1);
  n.Stub(2, 2);
  n.Start();
  n.Advance(10 * kSec);
  n.DropNextUpdate(2, 1);  // router 2's next update to router 1 is lost
  n.Carrier(2, 2, false);  // a new instance of router 2's LSA, without the stub
  const int32_t fresh = n.core(2).Lookup(2)->seq();
  EXPECT_LT(n.core(1).Lookup(2)->seq(), fresh);
  ASSERT_NE(n.RouteTo(1, Addr(10, 1, 2, 0)), nullptr);
  n.Advance(4 * kSec);  // RxmtInterval is 5 s after the lost send
  EXPECT_EQ(n.core(2).stats().retransmitted, 1u);
  EXPECT_EQ(n.core(1).Lookup(2)->seq(), fresh);
  EXPECT_EQ(n.RouteTo(1, Addr(10, 1, 2, 0)), nullptr);
}

// A router that joins a converged network learns the LSDB through the database exchange (headers, then requests
// for what it lacks) and reaches Full.
TEST(LinkStateRouting, LateRouterLearnsTheDatabaseByExchange) {
  Net n;
  n.Link(1, 2, 12, 1);
  n.Link(2, 3, 23, 1);
  n.Link(3, 4, 34, 1);
  n.Link(4, 5, 45, 1);
  n.Stub(1, 1);
  // Router 5 starts 20 s late.
  for (int r = 1; r <= 4; ++r) n.Start(r);
  n.Advance(20 * kSec);
  EXPECT_EQ(n.core(4).lsdb_size(), 4u);
  n.Start(5);
  n.Advance(12 * kSec);
  EXPECT_EQ(n.core(5).lsdb_size(), 5u);
  EXPECT_EQ(n.core(5).StateOn(1), NeighborState::kFull);
  ASSERT_NE(n.RouteTo(5, Addr(10, 1, 1, 0)), nullptr);
}

// RFC 2328's MinLSInterval (5 s) as a throttle of start 0, hold 5 s, max 5 s: a second change 1 s after the
// first is originated only when 5 s have passed.
TEST(LinkStateRouting, OriginationIsThrottled) {
  Net n;
  n.config.lsa_start = 0;
  n.config.lsa_hold = 5 * kSec;
  n.config.lsa_max = 5 * kSec;
  n.Link(1, 2, 12, 1);
  n.Stub(2, 2);
  n.Stub(2, 3);
  n.Start();
  n.Advance(20 * kSec);
  const int32_t s0 = n.core(1).Lookup(2)->seq();
  n.Carrier(2, 2, false);  // originated at once (start 0, quiet); Carrier() lets 2 s pass
  EXPECT_EQ(n.core(1).Lookup(2)->seq(), s0 + 1);
  n.Carrier(2, 3, false);  // 2 s after the first: waits for the 5 s hold; 4 s have passed after this
  EXPECT_EQ(n.core(1).Lookup(2)->seq(), s0 + 1);
  n.Advance(1500 * kMs);
  EXPECT_EQ(n.core(1).Lookup(2)->seq(), s0 + 2);
}

// Updates are packed up to the interface's MTU: on 1,500-byte links a chain's 59 LSAs need several updates, on
// 9,000-byte (jumbo) links fewer, larger ones (RFC 2328 §13.3 leaves the packing to
// the MTU; Appendix A.1 leaves larger packets to IP fragmentation).
TEST(LinkStateRouting, UpdatesArePackedUpToTheInterfaceMtu) {
  auto largest_update = [](uint32_t mtu) {
    Net n;
    for (int r = 1; r < 60; ++r) n.Link(r, r + 1, r, 1, mtu, mtu);
    // Router 60 joins late: router 59 answers its requests for 59 LSAs with as few updates as the MTU allows.
    for (int r = 1; r < 60; ++r) n.Start(r);
    n.Advance(20 * kSec);
    n.Start(60);
    n.Advance(12 * kSec);
    EXPECT_TRUE(n.Synchronised());
    size_t most = 0;
    for (size_t k : n.lsas_in_updates()) most = std::max(most, k);
    return most;
  };
  const size_t standard = largest_update(1500), jumbo = largest_update(9000);
  // A chain router's LSA: 24 bytes of header and count, two links and two stubs of 12 bytes: 72 bytes.
  EXPECT_LE(standard, (1500u - 20 - 24 - 4) / 60);
  EXPECT_GT(jumbo, standard);
  EXPECT_LE(jumbo, (9000u - 20 - 24 - 4) / 60);
}

// RFC 2328 §10.6: a Database Description announcing a larger MTU than the receiving interface's is rejected, so
// the adjacency never forms (the best-known OSPF misconfiguration): the side with the smaller MTU sticks in ExStart,
// the other in Exchange, as operators see it in `show ip ospf neighbor`. With equal MTUs it forms.
TEST(LinkStateRouting, MtuMismatchKeepsTheAdjacencyFromForming) {
  Net n;
  n.Link(1, 2, 12, 1, 9000, 1500);
  n.Link(2, 3, 23, 1, 1500, 1500);
  n.Stub(1, 1);
  n.Start();
  n.Advance(30 * kSec);
  EXPECT_EQ(n.core(2).StateOn(1), NeighborState::kExStart);
  EXPECT_EQ(n.core(1).StateOn(1), NeighborState::kExchange);
  EXPECT_GT(n.core(2).stats().mtu_mismatches, 0u);  // router 2 rejects router 1's 9,000-byte descriptions
  EXPECT_EQ(n.core(2).StateOn(2), NeighborState::kFull);
  EXPECT_EQ(n.RouteTo(3, Addr(10, 1, 1, 0)), nullptr);  // router 1's stub never reaches router 3
}

// RFC 2328 §10.5: routers whose hello intervals differ never become neighbours.
TEST(LinkStateRouting, HelloIntervalMismatchFormsNoAdjacency) {
  LinkStateRouting::Config slow;
  slow.hello_interval = 30 * kSec;
  slow.dead_interval = 120 * kSec;
  LinkStateRouting a(1, {}, {{1, Addr(10, 0, 1, 1), Addr(10, 0, 1, 2), 30, 1, false, true}});
  LinkStateRouting b(2, slow, {{1, Addr(10, 0, 1, 2), Addr(10, 0, 1, 1), 30, 1, false, true}});
  std::vector<Send> from_a, from_b;
  a.Start(0, &from_a);
  b.Start(0, &from_b);
  for (int round = 0; round < 3; ++round) {
    std::vector<Send> next_a, next_b;
    for (auto& s : from_a) b.Receive(0, 1, s.msg, &next_b);
    for (auto& s : from_b) a.Receive(0, 1, s.msg, &next_a);
    from_a.swap(next_a);
    from_b.swap(next_b);
  }
  EXPECT_EQ(a.StateOn(1), NeighborState::kDown);
  EXPECT_EQ(b.StateOn(1), NeighborState::kDown);
}

// RFC 8405 §5: QUIET -> INITIAL_SPF_DELAY; within TIME_TO_LEARN the SHORT delay; after it, the LONG delay until
// HOLDDOWN passes with no event.
// A leaf-spine of `spines` x `leaves` (router ids: spines 1.., leaves 101..), a host subnet on every leaf.
Net LeafSpine(int spines, int leaves, bool dynamic) {
  Net n;
  n.config.dynamic_flooding = dynamic;
  int sub = 1;
  for (int l = 0; l < leaves; ++l) {
    for (int s = 0; s < spines; ++s) n.Link(101 + l, 1 + s, sub++, 1);
    n.Stub(101 + l, l + 1);
  }
  n.Start();
  n.Advance(5 * kSec);
  return n;
}

// RFC 9667: on a dense fabric, flooding on a connected subgraph instead of every adjacency sends far fewer LSAs,
// and every router still ends with the same database and the same equal-cost routes.
TEST(LinkStateRouting, DynamicFloodingSendsFewerLsasToTheSameRoutes) {
  Net full = LeafSpine(4, 16, false);
  Net dyn = LeafSpine(4, 16, true);
  EXPECT_TRUE(full.Synchronised());
  EXPECT_TRUE(dyn.Synchronised());
  EXPECT_LT(dyn.LsasSent() * 10, full.LsasSent() * 7) << dyn.LsasSent() << " vs " << full.LsasSent();
  size_t on = 0;
  for (int l = 0; l < 16; ++l) {
    EXPECT_EQ(dyn.core(101 + l).adjacencies_up(), 4u);
    EXPECT_EQ(full.core(101 + l).flooding_links(), 4u);
    EXPECT_GE(dyn.core(101 + l).flooding_links(), 1u);
    on += dyn.core(101 + l).flooding_links();
    const Route* r = dyn.RouteTo(101 + l, Addr(10, 1, l == 0 ? 2 : 1, 0));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->next_hops.size(), 4u);  // flooding is reduced, not the topology SPF sees
  }
  EXPECT_LT(on, 16u * 4u);
  dyn.SpfEverywhere();
  for (int s = 1; s <= 4; ++s) EXPECT_FALSE(dyn.core(s).flooding_topology_partitioned());
}

// Failures on the flooding topology: a change still reaches every router, and when the topology splits (a leaf
// loses the spines it floods through) the routers that see it flood on every adjacency until it is whole again.
TEST(LinkStateRouting, DynamicFloodingSurvivesFailuresOfItsLinks) {
  Net n = LeafSpine(4, 8, true);
  ASSERT_TRUE(n.Synchronised());
  // Cut three of leaf 101's four uplinks: whatever it kept, it is left with one.
  for (uint32_t i = 1; i <= 3; ++i) n.Cut(101, i);
  n.SpfEverywhere();
  n.Advance(6 * kSec);
  EXPECT_TRUE(n.Synchronised());
  EXPECT_EQ(n.core(101).adjacencies_up(), 1u);
  EXPECT_EQ(n.core(101).flooding_links(), 1u);
  // Every leaf still reaches leaf 101's subnet, over the one spine left.
  for (int l = 102; l <= 108; ++l) {
    const Route* r = n.RouteTo(l, Addr(10, 1, 1, 0));
    ASSERT_NE(r, nullptr) << l;
    EXPECT_EQ(r->next_hops.size(), 1u) << l;
  }
  // A later change anywhere still floods everywhere.
  n.Carrier(105, 5, false);  // leaf 105's host subnet goes down
  n.SpfEverywhere();
  n.Advance(6 * kSec);
  EXPECT_TRUE(n.Synchronised());
  EXPECT_EQ(n.RouteTo(101, Addr(10, 1, 5, 0)), nullptr);
}

// One link kept per router makes a forest, not a connected topology: the routers find the split at their SPF, flood
// on every adjacency and resend what the split kept from their neighbours, so the databases still agree.
TEST(LinkStateRouting, DynamicFloodingFallsBackWhenItsTopologySplits) {
  Net n;
  n.config.dynamic_flooding = true;
  n.config.flooding_degree = 1;
  int sub = 1;
  for (int r = 1; r <= 16; ++r) {
    if (r % 4 != 0) n.Link(r, r + 1, sub++, 1);
    if (r + 4 <= 16) n.Link(r, r + 4, sub++, 1);
    n.Stub(r, r);
  }
  n.Start();
  n.Advance(5 * kSec);
  n.SpfEverywhere();
  n.Advance(6 * kSec);
  bool split = false;
  for (int r = 1; r <= 16; ++r) split = split || n.core(r).flooding_topology_partitioned();
  EXPECT_TRUE(split);
  EXPECT_TRUE(n.Synchronised());
  n.Carrier(6, 5, false);  // router 6's host subnet goes down: a new LSA that must reach all 16
  n.SpfEverywhere();
  n.Advance(6 * kSec);
  EXPECT_TRUE(n.Synchronised());
  EXPECT_EQ(n.RouteTo(16, Addr(10, 1, 6, 0)), nullptr);
}

TEST(SpfBackoff, FollowsRfc8405) {
  SpfBackoff b({});
  EXPECT_EQ(b.OnEvent(0), 50 * kMs);
  EXPECT_EQ(b.OnEvent(10 * kMs), 50 * kMs);  // already scheduled
  b.OnSpfRun();
  EXPECT_EQ(b.OnEvent(300 * kMs), 500 * kMs);  // SHORT_WAIT: 200 ms
  b.OnSpfRun();
  EXPECT_EQ(b.StateAt(600 * kMs), SpfBackoff::State::kLongWait);
  EXPECT_EQ(b.OnEvent(600 * kMs), 5600 * kMs);  // LONG_WAIT: 5 s
  b.OnSpfRun();
  EXPECT_EQ(b.StateAt(10599 * kMs), SpfBackoff::State::kLongWait);
  EXPECT_EQ(b.StateAt(10600 * kMs), SpfBackoff::State::kQuiet);  // HOLDDOWN: 10 s after the last event
  EXPECT_EQ(b.OnEvent(11 * kSec), 11 * kSec + 50 * kMs);
}

}  // namespace planelab::ls
