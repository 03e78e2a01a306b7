// The SDN controller's pure decisions: ECMP shortest paths, flow plans, replicated mastership.
#include "models/sdn_controller/control/fabric_core.h"

#include <gtest/gtest.h>

namespace planelab::sdn {
namespace {

// Leaf-spine: leaves 1 and 2, spines 10 and 11; leaf ports 1/2 go to spines 10/11, port 3 to a host;
// spine port 1 goes to leaf 1, port 2 to leaf 2.
FabricGraph LeafSpine() {
  FabricGraph g;
  for (uint64_t leaf : {1, 2}) {
    for (uint64_t spine : {10, 11}) {
      uint32_t leaf_port = spine == 10 ? 1 : 2, spine_port = static_cast<uint32_t>(leaf);
      g.AddLink({leaf, leaf_port}, {spine, spine_port});
      g.AddLink({spine, spine_port}, {leaf, leaf_port});
    }
  }
  g.AddHost(0x0a000001, {1, 3});
  g.AddHost(0x0a000002, {2, 3});
  return g;
}

TEST(FabricCore, NextHopsAreEqualCostMultipath) {
  FabricGraph g = LeafSpine();
  auto hops = g.NextHopsTo(0x0a000002);
  EXPECT_EQ(hops[2], std::vector<uint32_t>{3});
  EXPECT_EQ(hops[10], std::vector<uint32_t>{2});
  EXPECT_EQ(hops[11], std::vector<uint32_t>{2});
  EXPECT_EQ(hops[1], (std::vector<uint32_t>{1, 2}));
  auto plans = PlanDestination(hops, 0x0a000002, 100, 1, 0, 0);
  ASSERT_EQ(plans.size(), 4u);
  EXPECT_TRUE(plans[0].group_mod.has_value());  // leaf 1: a SELECT group over both spines
  EXPECT_EQ(plans[0].group_mod->buckets.size(), 2u);
  EXPECT_FALSE(plans[1].group_mod.has_value());
  g.RemovePort({1, 1});
  EXPECT_EQ(g.NextHopsTo(0x0a000002)[1], std::vector<uint32_t>{2});
  EXPECT_EQ(g.PathTo(1, 0x0a000002).size(), 3u);  // leaf 1, spine 11, leaf 2
}

TEST(FabricCore, MastershipMovesOnlyOffLostMembersWithAHigherTerm) {
  ClusterState s;
  std::vector<uint64_t> sw = {1, 2, 10, 11};
  for (const auto& c : Rebalance(s, sw, {1, 2, 3})) s.Apply(c);
  std::map<uint64_t, int> load;
  for (uint64_t d : sw) {
    EXPECT_EQ(s.MasterOf(d).second, 1u);
    ++load[s.MasterOf(d).first];
  }
  EXPECT_EQ(load.size(), 3u);
  uint64_t lost = s.MasterOf(1).first;
  std::set<uint64_t> live = {1, 2, 3};
  live.erase(lost);
  auto moves = Rebalance(s, sw, live);
  for (const auto& c : moves) {
    EXPECT_NE(c.master, lost);
    EXPECT_EQ(c.term, 2u);
    s.Apply(c);
  }
  EXPECT_TRUE(Rebalance(s, sw, live).empty());
  ClusterCommand stale;
  stale.kind = ClusterCommand::Kind::kMastership;
  stale.dpid = 1;
  stale.master = lost;
  stale.term = 1;
  s.Apply(stale);  // an old term never wins back
  EXPECT_NE(s.MasterOf(1).first, lost);
}

}  // namespace
}  // namespace planelab::sdn
