#include "sim/topology/topology.h"

#include <gtest/gtest.h>

#include <set>

namespace planelab {

namespace {
struct Built {
  std::vector<DeviceSpec> devices;
  std::vector<LinkSpec> links;
  std::map<std::string, std::vector<std::string>> groups;
};
Built Generate(GeneratorSpec g) {
  Built b;
  ExpandGenerator(g, &b.devices, &b.links, &b.groups);
  return b;
}
}  // namespace

TEST(Generators, LeafSpineIsFullBipartitePlusHosts) {
  GeneratorSpec g;
  g.kind = "leaf-spine";
  g.spines = 2;
  g.leaves = 4;
  g.hosts_per_router = 3;
  Built b = Generate(g);
  EXPECT_EQ(b.devices.size(), 2u + 4u + 12u);
  EXPECT_EQ(b.links.size(), 2u * 4u + 12u);
  EXPECT_EQ(b.groups["spines"].size(), 2u);
  EXPECT_EQ(b.groups["leaves"].size(), 4u);
  EXPECT_EQ(b.groups["hosts"].size(), 12u);
  Topology t(b.devices, b.links);
  EXPECT_TRUE(t.Validate().empty());
  // Any two hosts on different leaves are 4 hops apart: host-leaf-spine-leaf-host.
  EXPECT_EQ(t.HopDistance("h1-1", "h4-3"), 4);
  EXPECT_EQ(t.HopDistance("h1-1", "h1-2"), 2);
}

TEST(Generators, GridIsASparseMeshOfDegreeAtMostFour) {
  for (int n : {1, 2, 10, 16, 5000}) {
    GeneratorSpec g;
    g.kind = "grid";
    g.routers = n;
    std::vector<DeviceSpec> devices;
    std::vector<LinkSpec> links;
    std::map<std::string, std::vector<std::string>> groups;
    ExpandGenerator(g, &devices, &links, &groups);
    TopologySize size = GeneratorSize(g);
    EXPECT_EQ(devices.size(), size.devices) << n;
    EXPECT_EQ(links.size(), size.links) << n;
    std::map<std::string, int> degree;
    for (const auto& l : links) {
      ++degree[l.a];
      ++degree[l.b];
    }
    for (const auto& [d, k] : degree) EXPECT_LE(k, 4) << d;
    if (n == 16) EXPECT_EQ(links.size(), 24u);  // a 4 x 4 grid
  }
}

TEST(Generators, RingLineStar) {
  GeneratorSpec g;
  g.kind = "ring";
  g.routers = 5;
  g.hosts_per_router = 1;
  Built ring = Generate(g);
  EXPECT_EQ(ring.links.size(), 5u + 5u);
  Topology tr(ring.devices, ring.links);
  EXPECT_EQ(tr.HopDistance("r1", "r3"), 2);
  EXPECT_EQ(tr.HopDistance("r1", "r4"), 2);  // the other way round the ring
  g.kind = "line";
  Built line = Generate(g);
  EXPECT_EQ(line.links.size(), 4u + 5u);
  Topology tl(line.devices, line.links);
  EXPECT_EQ(tl.HopDistance("r1", "r5"), 4);
  g.kind = "star";
  g.routers = 3;
  Built star = Generate(g);
  EXPECT_EQ(star.devices.size(), 1u + 3u + 3u);
  Topology ts(star.devices, star.links);
  EXPECT_EQ(ts.HopDistance("h1", "h3"), 4);
}

TEST(Generators, InternetDualHomesEveryStub) {
  GeneratorSpec g;
  g.kind = "internet";
  g.spines = 3;  // transits
  g.leaves = 4;  // stubs
  g.hosts_per_router = 1;
  Built b = Generate(g);
  EXPECT_EQ(b.groups["transits"].size(), 3u);
  EXPECT_EQ(b.groups["stubs"].size(), 4u);
  EXPECT_EQ(b.links.size(), 3u + 4u * 2u + 4u);  // transit mesh, two uplinks per stub, host links
  Topology t(b.devices, b.links);
  EXPECT_TRUE(t.Validate().empty());
  std::set<uint32_t> asns;
  for (const auto& d : b.devices) if (d.kind == "router") asns.insert(d.asn);
  EXPECT_EQ(asns.size(), 7u);  // one AS per router
  EXPECT_EQ(b.devices[0].asn, 64496u);  // RFC 5398 documentation ASN
}

TEST(Generators, CliqueLinksEveryPairOfSingleRouterAses) {
  GeneratorSpec g;
  g.kind = "clique";
  g.routers = 6;
  g.hosts_per_router = 1;
  Built b = Generate(g);
  EXPECT_EQ(b.devices.size(), 6u + 6u);
  EXPECT_EQ(b.links.size(), 6u * 5u / 2u + 6u);
  std::set<uint32_t> asns;
  for (const auto& d : b.devices) {
    if (d.kind == "router") asns.insert(d.asn);
  }
  EXPECT_EQ(asns, (std::set<uint32_t>{65001, 65002, 65003, 65004, 65005, 65006}));
  Topology t(b.devices, b.links);
  for (int i = 2; i <= 6; ++i) EXPECT_EQ(t.HopDistance("r1", "r" + std::to_string(i)), 1);
  EXPECT_EQ(t.HopDistance("h1", "h6"), 3);
}

TEST(TopologyValidation, FindsDuplicatesDanglingAndUnreachable) {
  std::vector<DeviceSpec> d = {{"r1", "router", {}, true}, {"r1", "router", {}, true}, {"h1", "host", {}, true},
                               {"h2", "host", {}, true}};
  std::vector<LinkSpec> l(2);
  l[0].id = "r1-h1";
  l[0].a = "r1";
  l[0].b = "h1";
  l[1].id = "r1-r9";
  l[1].a = "r1";
  l[1].b = "r9";
  Topology t(d, l);
  auto issues = t.Validate();
  std::string all;
  for (const auto& i : issues) all += i.pointer + " " + i.message + "\n";
  EXPECT_NE(all.find("/topology/devices/1/id duplicate device id \"r1\""), std::string::npos) << all;
  EXPECT_NE(all.find("/topology/links/1/b link \"r1-r9\" ends at \"r9\""), std::string::npos) << all;
  EXPECT_NE(all.find("/topology/devices/3 host \"h2\" is unreachable"), std::string::npos) << all;
}

TEST(TopologyValidation, ReportsIslandsWhenNothingElseExplainsThem) {
  std::vector<DeviceSpec> d = {{"r1", "router", {}, true}, {"h1", "host", {}, true}, {"r2", "router", {}, true},
                               {"h2", "host", {}, true}};
  std::vector<LinkSpec> l(2);
  l[0].id = "a";
  l[0].a = "r1";
  l[0].b = "h1";
  l[1].id = "b";
  l[1].a = "r2";
  l[1].b = "h2";
  Topology t(d, l);
  auto issues = t.Validate();
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0].message.find("2 disconnected pieces"), std::string::npos);
  EXPECT_FALSE(t.Connected("h1", "h2"));
}

}  // namespace planelab
