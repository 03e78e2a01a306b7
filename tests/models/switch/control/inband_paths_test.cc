// In-band control paths over the fabric, pure.
#include "models/switch/control/inband_paths.h"

#include <gtest/gtest.h>

namespace planelab::sdn {
namespace {

// spine1 and spine2 over leaf1 and leaf2; the controller c1 hangs off spine1 (ports numbered per switch).
InbandFabric LeafSpine() {
  InbandFabric f;
  f.ports["spine1"] = {{"leaf1", 1, 101, true}, {"leaf2", 2, 102, true}, {"c1", 3, 900, false}};
  f.ports["spine2"] = {{"leaf1", 1, 111, true}, {"leaf2", 2, 112, true}};
  f.ports["leaf1"] = {{"spine1", 1, 201, true}, {"spine2", 2, 211, true}, {"h1", 3, 500, false}};
  f.ports["leaf2"] = {{"spine1", 1, 202, true}, {"spine2", 2, 212, true}, {"h2", 3, 501, false}};
  f.agent_addr = {{"spine1", 201}, {"spine2", 211}, {"leaf1", 101}, {"leaf2", 102}};
  f.controller_addr = {{"c1", 900}};
  return f;
}

TEST(InbandPaths, ControllersAreReachedOverTheFabric) {
  auto r = InbandRoutes(LeafSpine());
  // spine1 faces c1 directly; each leaf goes up to spine1; spine2 goes down to leaf1 (first in port order) first.
  EXPECT_EQ(r["spine1"][900].ifindex, 3u);
  EXPECT_EQ(r["spine1"][900].next_hop, 900u);
  EXPECT_EQ(r["leaf1"][900].ifindex, 1u);
  EXPECT_EQ(r["leaf1"][900].next_hop, 201u);
  EXPECT_EQ(r["leaf2"][900].ifindex, 1u);
  EXPECT_EQ(r["spine2"][900].ifindex, 1u);  // spine2 -> leaf1 -> spine1 -> c1
  // Back toward the agents: spine1 reaches leaf2's agent on its port 2.
  EXPECT_EQ(r["spine1"][102].ifindex, 2u);
  EXPECT_FALSE(r["leaf2"].count(102));  // its own address: delivered locally, no hop
}

TEST(InbandPaths, AnUnreachableEndpointHasNoRoute) {
  InbandFabric f = LeafSpine();
  f.controller_addr["c9"] = 999;  // attached to no switch
  f.ports["island"] = {};
  f.agent_addr["island"] = 300;
  auto r = InbandRoutes(f);
  for (const auto& [sw, hops] : r) EXPECT_FALSE(hops.count(999)) << sw;
  EXPECT_FALSE(r["leaf1"].count(300));
  EXPECT_FALSE(r["island"].count(900));
}

}  // namespace
}  // namespace planelab::sdn
