// The controller's management plane, pure: the API's door and the operators' dashboard.
#include "models/sdn_controller/mgmt/northbound_core.h"

#include <gtest/gtest.h>

namespace planelab::sdn {
namespace {

Summary Fabric() {
  Summary s;
  s.nodes = {{"c1", true}, {"c2", true}, {"c3", false}};
  s.has_leader = true;
  s.devices = {{"leaf1", true}, {"leaf2", false}};
  s.links = 4;
  s.intents_installed = 1;
  return s;
}

TEST(NorthboundAdmit, DownRefusesSlowDelaysUpPasses) {
  EXPECT_TRUE(Admit(ApiMode::kUp, 5 * kSec).reaches_backend);
  EXPECT_EQ(Admit(ApiMode::kUp, 5 * kSec).extra_delay, 0);
  CallOutcome slow = Admit(ApiMode::kSlow, 5 * kSec);
  EXPECT_TRUE(slow.reaches_backend);
  EXPECT_EQ(slow.extra_delay, 5 * kSec);
  CallOutcome down = Admit(ApiMode::kDown, 5 * kSec);
  EXPECT_FALSE(down.reaches_backend);
  EXPECT_EQ(down.refused_code, 0);  // connection refused: no HTTP status at all
}

TEST(NorthboundDashboard, ShowsDevicesAndNodesWhileFresh) {
  Dashboard d("c1", 15 * kSec, 1 * kSec);
  EXPECT_EQ(d.Reported("leaf1", Plane::kControl, 0), Health::kUnknown);  // nothing shown before the first poll
  EXPECT_EQ(d.Age(0), -1);
  d.Refreshed(5 * kSec, Fabric());
  EXPECT_EQ(d.Reported("leaf1", Plane::kControl, 6 * kSec), Health::kUp);
  EXPECT_EQ(d.Reported("leaf2", Plane::kControl, 6 * kSec), Health::kDown);  // not available
  EXPECT_EQ(d.Reported("leaf1", Plane::kData, 6 * kSec), Health::kUnknown);  // a controller cannot see forwarding
  EXPECT_EQ(d.Reported("c2", Plane::kControl, 6 * kSec), Health::kUp);
  EXPECT_EQ(d.Reported("c3", Plane::kControl, 6 * kSec), Health::kDown);  // INACTIVE
  EXPECT_EQ(d.Reported("h1", Plane::kData, 6 * kSec), Health::kUnknown);
  EXPECT_DOUBLE_EQ(d.Age(8 * kSec), 3.0);
  // Stale: nothing is claimed once the last refresh is older than stale_after.
  EXPECT_EQ(d.Reported("leaf1", Plane::kControl, 20 * kSec), Health::kUp);
  EXPECT_EQ(d.Reported("leaf1", Plane::kControl, 20 * kSec + 1), Health::kUnknown);
}

TEST(NorthboundDashboard, ReadOnlyClusterShowsDegradedMembers) {
  Dashboard d("c1", 15 * kSec, 1 * kSec);
  Summary s = Fabric();
  s.has_leader = false;
  d.Refreshed(0, s);
  EXPECT_EQ(d.Reported("c1", Plane::kControl, 1), Health::kDegraded);
  EXPECT_EQ(d.Reported("c3", Plane::kControl, 1), Health::kDown);
}

TEST(NorthboundDashboard, TheApiIsJudgedByTheCallsThemselves) {
  Dashboard d("c1", 15 * kSec, 1 * kSec);
  EXPECT_EQ(d.Reported("c1", Plane::kManagement, 0), Health::kUnknown);
  d.CallEnded(true, 20 * kMs);
  EXPECT_EQ(d.Reported("c1", Plane::kManagement, 0), Health::kUp);
  d.CallEnded(true, 3 * kSec);
  EXPECT_EQ(d.Reported("c1", Plane::kManagement, 0), Health::kDegraded);  // slow
  d.CallEnded(false, 0);
  // Refused: known at once, even with the dashboard stale (operators see their calls fail).
  EXPECT_EQ(d.Reported("c1", Plane::kManagement, 100 * kSec), Health::kDown);
  EXPECT_EQ(d.Reported("c2", Plane::kManagement, 0), Health::kUnknown);  // another member's API: not watched
  d.Reset();
  EXPECT_EQ(d.Reported("c1", Plane::kManagement, 0), Health::kUnknown);
}

}  // namespace
}  // namespace planelab::sdn
