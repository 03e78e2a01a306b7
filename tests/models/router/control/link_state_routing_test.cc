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

/// A hand-wired network of protocol cores: a "link" maps (router, ifindex) to the peer's (router, ifindex).
class Net {
 public:
  struct End {
    int router;
    uint32_t ifindex;
  };
  void AddRouter(int id) { itfs_[id]; }
  /// Links routers a and b on subnet 10.0.n.0/30 with a cost.
  void Link(int a, int b, int n, uint32_t cost) {
    uint32_t ia = static_cast<uint32_t>(itfs_[a].size()) + 1, ib = static_cast<uint32_t>(itfs_[b].size()) + 1;
    InterfaceConfig ca{ia, Addr(10, 0, n, 1), Addr(10, 0, n, 2), 30, cost, false, true};
    InterfaceConfig cb{ib, Addr(10, 0, n, 2), Addr(10, 0, n, 1), 30, cost, false, true};
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
  }
  /// A passive stub prefix (a host subnet) on router r.
  void Stub(int r, int n) {
    uint32_t i = static_cast<uint32_t>(itfs_[r].size()) + 1;
    itfs_[r].push_back({i, Addr(10, 1, n, 1), Addr(10, 1, n, 2), 30, 1, true, true});
  }
  void Start() {
    for (auto& [id, list] : itfs_) cores_[id].reset(new LinkStateRouting(static_cast<uint32_t>(id), {}, list));
    for (auto& [id, core] : cores_) {
      std::vector<Send> out;
      core->Start(now_, &out);
      Queue(id, out);
    }
    Drain();
  }
  void Queue(int from, std::vector<Send>& out) {
    for (auto& s : out) {
      if (cut_.count({from, s.ifindex})) continue;
      inflight_.push_back({wires_.at({from, s.ifindex}), s.msg});
    }
    out.clear();
  }
  void Drain() {
    while (!inflight_.empty()) {
      auto [to, msg] = inflight_.front();
      inflight_.pop_front();
      // Round-trip through the wire format, as the simulated packets do.
      std::vector<uint8_t> bytes = Encode(msg);
      Message decoded;
      ASSERT_TRUE(Decode(bytes.data(), bytes.size(), &decoded));
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
  }
  /// Silently drops everything on a wire (no carrier loss: a "gray" failure).
  void Blackhole(int a, uint32_t ifa) {
    End b = wires_.at({a, ifa});
    cut_.insert({a, ifa});
    cut_.insert({b.router, b.ifindex});
  }
  void Advance(SimTime dt) {
    now_ += dt;
    for (auto& [id, core] : cores_) {
      std::vector<Send> out;
      core->Tick(now_, &out);
      Queue(id, out);
    }
    Drain();
  }
  LinkStateRouting& core(int id) { return *cores_[id]; }
  const Route* RouteTo(int router, uint32_t prefix) {
    routes_[router] = cores_[router]->ComputeRoutes();
    for (const auto& r : routes_[router]) {
      if (r.prefix == prefix) return &r;
    }
    return nullptr;
  }

 private:
  SimTime now_ = 0;
  std::map<int, std::vector<InterfaceConfig>> itfs_;
  std::map<std::pair<int, uint32_t>, End> wires_;
  std::set<std::pair<int, uint32_t>> cut_;
  std::map<int, std::unique_ptr<LinkStateRouting>> cores_;
  std::deque<std::pair<End, Message>> inflight_;
  std::map<int, std::vector<Route>> routes_;
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

TEST(LinkStateRouting, WireFormatRoundTripsAndRejectsGarbage) {
  Message m;
  m.type = Message::Type::kUpdate;
  m.lsas.push_back({7, 42, {{8, 3}, {9, 1}}, {{Addr(10, 0, 0, 0), 30}}});
  auto b = Encode(m);
  Message d;
  ASSERT_TRUE(Decode(b.data(), b.size(), &d));
  ASSERT_EQ(d.lsas.size(), 1u);
  EXPECT_EQ(d.lsas[0].seq, 42u);
  EXPECT_EQ(d.lsas[0].links[1].neighbor, 9u);
  b.pop_back();
  EXPECT_FALSE(Decode(b.data(), b.size(), &d));
  std::vector<uint8_t> junk = {1, 2, 3};
  EXPECT_FALSE(Decode(junk.data(), junk.size(), &d));
}

TEST(LinkStateRouting, DiamondConvergesOnCheapestPath) {
  Net n = Diamond();
  EXPECT_EQ(n.core(1).adjacencies_up(), 2u);
  EXPECT_EQ(n.core(4).adjacencies_up(), 2u);
  EXPECT_EQ(n.core(1).lsdb_size(), 4u);
  const Route* r = n.RouteTo(1, Addr(10, 1, 4, 0));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->cost, 2u);             // 1-2-4, not 1-3-4 (cost 4)
  ASSERT_EQ(r->next_hops.size(), 1u);
  EXPECT_EQ(r->next_hops[0].addr, Addr(10, 0, 12, 2));
  EXPECT_EQ(r->next_hops[0].ifindex, 1u);
}

TEST(LinkStateRouting, CarrierLossReroutesAtOnce) {
  Net n = Diamond();
  n.Cut(2, 2);  // the 2-4 link, from router 2's second interface
  const Route* r = n.RouteTo(1, Addr(10, 1, 4, 0));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->cost, 4u);  // now 1-3-4
  ASSERT_EQ(r->next_hops.size(), 1u);
  EXPECT_EQ(r->next_hops[0].addr, Addr(10, 0, 13, 2));
  // The cut link's own prefix is withdrawn by both ends.
  EXPECT_EQ(n.RouteTo(1, Addr(10, 0, 24, 0)), nullptr);
}

TEST(LinkStateRouting, SilentLinkDiesAfterTheDeadInterval) {
  Net n = Diamond();
  n.Blackhole(2, 2);
  n.Advance(39 * kSec);  // hellos every 10 s; still within RouterDeadInterval (40 s)
  const Route* before = n.RouteTo(1, Addr(10, 1, 4, 0));
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(before->cost, 2u);
  n.Advance(1 * kSec);
  n.Advance(1 * kSec);
  const Route* after = n.RouteTo(1, Addr(10, 1, 4, 0));
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->cost, 4u);
  EXPECT_EQ(n.core(2).adjacencies_up(), 1u);
}

TEST(LinkStateRouting, RestartedRouterJumpsPastItsOldSequence) {
  Net n = Diamond();
  n.Advance(10 * kSec);
  uint64_t before = n.core(1).lsdb().at(4).seq;
  n.core(4).Reset();
  std::vector<Send> out;
  n.core(4).Start(11 * kSec, &out);
  n.Queue(4, out);
  n.Drain();
  n.Advance(10 * kSec);
  EXPECT_GT(n.core(1).lsdb().at(4).seq, before);
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
  EXPECT_EQ(r->cost, 2u);
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
  EXPECT_EQ(r->cost, 3u);
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
  EXPECT_EQ(r->cost, 2u);
}

}  // namespace planelab::ls
