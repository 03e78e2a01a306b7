// The BGP decision process: ComparePaths against a table covering every step of RFC 4271 §9.1.1
// and §9.1.2.2 (a-g, e not modelled), and the speaker using it - step f (lowest BGP Identifier,
// from the neighbour's OPEN) before g (lowest peer address), and the reason it reports.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "models/router/control/bgp/bgp_speaker.h"
#include "tests/models/router/control/bgp/speaker_fabric.h"

namespace planelab::bgp {
namespace {

using bgptest::A;
using bgptest::Fabric;
using R = DecisionReason;
using W = Comparison::Winner;

/// Two eBGP routes from AS 65001, equal in everything the comparison looks at before the BGP
/// Identifier; `a` has the lower identifier and `b` the lower peer address.
PathCandidate Base() {
  PathCandidate p;
  p.local_pref = 100;
  p.as_path_length = 2;
  p.origin = Origin::kIgp;
  p.neighbour_as = 65001;
  p.med = 0;
  p.ebgp = true;
  p.bgp_id = A(10, 0, 0, 1);
  p.peer_addr = A(10, 1, 0, 9);
  return p;
}
PathCandidate With(std::function<void(PathCandidate&)> f) {
  PathCandidate p = Base();
  f(p);
  return p;
}

struct Row {
  const char* what;
  PathCandidate a, b;
  bool always_compare_med;
  W winner;
  bool multipath_equal;
  R reason;
};

std::vector<Row> Table() {
  return {
      // §9.1.1: degree of preference (LOCAL_PREF) first, whatever follows.
      {"higher LOCAL_PREF wins", With([](auto& p) { p.local_pref = 200; }), Base(), false, W::kA, false, R::kLocalPref},
      {"LOCAL_PREF before AS_PATH length",
       With([](auto& p) { p.local_pref = 90; p.as_path_length = 1; }), Base(), false, W::kB, false, R::kLocalPref},
      // a: AS_PATH length.
      {"shorter AS_PATH wins", With([](auto& p) { p.as_path_length = 3; }), Base(), false, W::kB, false, R::kAsPathLength},
      {"AS_PATH length before ORIGIN",
       With([](auto& p) { p.as_path_length = 1; p.origin = Origin::kIncomplete; }), Base(), false, W::kA, false,
       R::kAsPathLength},
      // b: ORIGIN, IGP < EGP < INCOMPLETE.
      {"IGP over EGP", Base(), With([](auto& p) { p.origin = Origin::kEgp; }), false, W::kA, false, R::kOrigin},
      {"EGP over INCOMPLETE", With([](auto& p) { p.origin = Origin::kIncomplete; }),
       With([](auto& p) { p.origin = Origin::kEgp; }), false, W::kB, false, R::kOrigin},
      {"ORIGIN before MED", With([](auto& p) { p.origin = Origin::kEgp; p.med = 0; }),
       With([](auto& p) { p.med = 50; }), false, W::kB, false, R::kOrigin},
      // c: MED within one neighbouring AS; missing counts as 0; other ASes only when configured.
      {"lower MED from the same neighbouring AS", With([](auto& p) { p.med = 10; }),
       With([](auto& p) { p.med = 5; }), false, W::kB, false, R::kMed},
      {"missing MED (0) beats a MED", Base(), With([](auto& p) { p.med = 1; }), false, W::kA, false, R::kMed},
      {"MED from different neighbouring ASes is not compared",
       With([](auto& p) { p.med = 10; }), With([](auto& p) { p.med = 5; p.neighbour_as = 65002; p.bgp_id = A(10, 0, 0, 2); }),
       false, W::kA, true, R::kRouterId},
      {"always-compare-med compares across neighbouring ASes",
       With([](auto& p) { p.med = 10; }), With([](auto& p) { p.med = 5; p.neighbour_as = 65002; }), true, W::kB, false,
       R::kMed},
      {"MED before eBGP over iBGP", With([](auto& p) { p.ebgp = false; p.med = 1; }),
       With([](auto& p) { p.med = 2; }), false, W::kA, false, R::kMed},
      // d: eBGP over iBGP.
      {"eBGP over iBGP", With([](auto& p) { p.ebgp = false; }), With([](auto& p) { p.bgp_id = A(10, 0, 0, 2); }), false,
       W::kB, false, R::kEbgpOverIbgp},
      // e (interior cost) is not modelled: all next hops are directly connected.
      // f: lowest BGP Identifier - the multipath set is settled, this only picks the best.
      {"lower BGP Identifier wins over lower peer address",
       Base(), With([](auto& p) { p.bgp_id = A(10, 0, 0, 2); p.peer_addr = A(10, 1, 0, 1); }), false, W::kA, true,
       R::kRouterId},
      {"lower BGP Identifier, both iBGP", With([](auto& p) { p.ebgp = false; p.bgp_id = A(10, 0, 0, 7); }),
       With([](auto& p) { p.ebgp = false; p.bgp_id = A(10, 0, 0, 3); }), false, W::kB, true, R::kRouterId},
      {"AS_PATH content may differ at equal length (multipath relax)",
       With([](auto& p) { p.neighbour_as = 65009; }), With([](auto& p) { p.bgp_id = A(10, 0, 0, 2); }), false, W::kA,
       true, R::kRouterId},
      // g: lowest peer address - two sessions with one neighbour (same identifier).
      {"same BGP Identifier: lower peer address", With([](auto& p) { p.peer_addr = A(10, 1, 0, 10); }), Base(), false,
       W::kB, true, R::kPeerAddress},
      {"identical: the first is kept", Base(), Base(), false, W::kA, true, R::kPeerAddress},
  };
}

TEST(BgpDecision, ComparePathsFollowsRfc4271StepByStep) {
  for (const Row& r : Table()) {
    DecisionConfig cfg;
    cfg.always_compare_med = r.always_compare_med;
    Comparison c = ComparePaths(r.a, r.b, cfg);
    EXPECT_EQ(c.winner, r.winner) << r.what;
    EXPECT_EQ(c.multipath_equal, r.multipath_equal) << r.what;
    EXPECT_EQ(c.reason, r.reason) << r.what << ": " << ToString(c.reason) << " instead of " << ToString(r.reason);
    // The comparison does not depend on the order of its arguments (except for identical routes).
    if (r.a.peer_addr == r.b.peer_addr && r.a.bgp_id == r.b.bgp_id && r.reason == R::kPeerAddress) continue;
    Comparison s = ComparePaths(r.b, r.a, cfg);
    EXPECT_NE(s.winner, c.winner) << r.what << " (swapped)";
    EXPECT_EQ(s.multipath_equal, c.multipath_equal) << r.what << " (swapped)";
    EXPECT_EQ(s.reason, c.reason) << r.what << " (swapped)";
  }
}

TEST(BgpDecision, TableCoversEveryComparisonStep) {
  std::vector<bool> seen(static_cast<size_t>(R::kPeerAddress) + 1, false);
  for (const Row& r : Table()) seen[static_cast<size_t>(r.reason)] = true;
  for (R step : {R::kLocalPref, R::kAsPathLength, R::kOrigin, R::kMed, R::kEbgpOverIbgp, R::kRouterId, R::kPeerAddress}) {
    EXPECT_TRUE(seen[static_cast<size_t>(step)]) << ToString(step);
  }
  // Reasons are ordered like the steps: the later one is the finer tie-break.
  EXPECT_LT(R::kOnlyPath, R::kLocalPref);
  EXPECT_LT(R::kLocalPref, R::kAsPathLength);
  EXPECT_LT(R::kAsPathLength, R::kOrigin);
  EXPECT_LT(R::kOrigin, R::kMed);
  EXPECT_LT(R::kMed, R::kEbgpOverIbgp);
  EXPECT_LT(R::kEbgpOverIbgp, R::kRouterId);
  EXPECT_LT(R::kRouterId, R::kPeerAddress);
}

const Prefix kP{A(192, 168, 4, 0), 24};

/// r1 (AS 65001) hears kP from r4 (AS 65004) through r7 and r5, whose paths are equal through
/// step e. r7's session has the lower peer address (10.0.1.2 against 10.0.2.2), r5 the lower BGP
/// Identifier (the harness gives speaker n the identifier n).
Fabric Diamond() {
  Fabric f;
  f.AddSpeaker(1, 65001, {});
  f.AddSpeaker(7, 65007, {});
  f.AddSpeaker(5, 65005, {});
  f.AddSpeaker(4, 65004, {kP});
  f.Session(1, 7, 1);  // r1's peer 0: r7 at 10.0.1.2
  f.Session(1, 5, 2);  // r1's peer 1: r5 at 10.0.2.2
  f.Session(7, 4, 3);
  f.Session(5, 4, 4);
  f.Start();
  return f;
}

TEST(BgpDecision, StepFPrefersTheLowerBgpIdentifierOverTheLowerPeerAddress) {
  Fabric f = Diamond();
  BgpSpeaker& r1 = f.sp(1);
  ASSERT_EQ(r1.established(), 2u);
  // The identifiers come from the neighbours' OPENs.
  EXPECT_EQ(r1.peer_bgp_id(0), 7u);
  EXPECT_EQ(r1.peer_bgp_id(1), 5u);
  // Both paths are in the multipath set...
  ASSERT_EQ(r1.ForwardingTable()[kP].size(), 2u);
  // ...and the best, the one r1 advertises, is r5's: r1 does not send it back to r5 (where it
  // came from) and sends it to r7. Before step f, r7's path (lower address) was the best.
  EXPECT_EQ(r1.adj_rib_out_size(1), 0u);
  EXPECT_EQ(r1.adj_rib_out_size(0), 1u);
  auto changes = r1.TakeBestPathChanges();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].first, kP);
  EXPECT_EQ(changes[0].second, R::kRouterId);
  EXPECT_TRUE(r1.TakeBestPathChanges().empty());  // taken
}

TEST(BgpDecision, ReasonsFollowTheBestPathAsCandidatesComeAndGo) {
  Fabric f = Diamond();
  BgpSpeaker& r1 = f.sp(1);
  r1.TakeBestPathChanges();
  // r5's session goes: r7's path is the only one left.
  f.Reset(1, 1);
  auto changes = r1.TakeBestPathChanges();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].second, R::kOnlyPath);
  EXPECT_EQ(r1.peer_bgp_id(1), 0u);  // forgotten with the session
  // r7's goes too (before r5's is back): no path.
  f.Reset(1, 0);
  changes = r1.TakeBestPathChanges();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].second, R::kNoPath);
  // Both come back after ConnectRetryTime: the best is r5's again, by BGP Identifier.
  f.Advance(130 * kSec);
  ASSERT_EQ(r1.established(), 2u);
  changes = r1.TakeBestPathChanges();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].second, R::kRouterId);
  // The originator's own prefix: chosen because it is local.
  changes = f.sp(4).TakeBestPathChanges();
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes[0].second, R::kLocal);
}

TEST(BgpDecision, ShorterPathIsReportedAsTheAsPathStep) {
  // r1 hears kP directly from r4 ([65004]) and through r7 ([65007 65004]).
  Fabric f;
  f.AddSpeaker(1, 65001, {});
  f.AddSpeaker(7, 65007, {});
  f.AddSpeaker(4, 65004, {kP});
  f.Session(1, 4, 1);
  f.Session(1, 7, 2);
  f.Session(7, 4, 3);
  f.Start();
  auto changes = f.sp(1).TakeBestPathChanges();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].second, R::kAsPathLength);
  EXPECT_EQ(f.sp(1).ForwardingTable()[kP].size(), 1u);
}

TEST(BgpDecision, ReasonNamesAreStable) {
  // They are written to the run store (event bgp.best-path).
  EXPECT_STREQ(ToString(R::kNoPath), "no-path");
  EXPECT_STREQ(ToString(R::kLocal), "local");
  EXPECT_STREQ(ToString(R::kOnlyPath), "only-path");
  EXPECT_STREQ(ToString(R::kLocalPref), "local-pref");
  EXPECT_STREQ(ToString(R::kAsPathLength), "as-path-length");
  EXPECT_STREQ(ToString(R::kOrigin), "origin");
  EXPECT_STREQ(ToString(R::kMed), "med");
  EXPECT_STREQ(ToString(R::kEbgpOverIbgp), "ebgp-over-ibgp");
  EXPECT_STREQ(ToString(R::kRouterId), "router-id");
  EXPECT_STREQ(ToString(R::kPeerAddress), "peer-address");
}

}  // namespace
}  // namespace planelab::bgp
