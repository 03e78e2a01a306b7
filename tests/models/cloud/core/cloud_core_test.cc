// The cloud's pure cores: IAM propagation and 403s, the ELB health-check state machine with fail open, the IaC
// plan and apply with retries and a run timeout, with the documented defaults.
#include "models/cloud/core/cloud_core.h"

#include <gtest/gtest.h>

namespace planelab::cloud {
namespace {

TEST(CloudIam, AGrantIsDeniedUntilItPropagates) {
  IamCore iam(IamPropagationConfig{}, 7);
  EXPECT_EQ(iam.config().median, 120 * kSec);
  SimTime at = iam.Grant("deployer", 10 * kSec);
  EXPECT_GT(at, 10 * kSec);
  EXPECT_EQ(iam.Authorize("deployer", at - 1), 403);
  EXPECT_EQ(iam.Authorize("deployer", at), 200);
  EXPECT_EQ(iam.Authorize("nobody", at), 403);
  SimTime gone = iam.Revoke("deployer", at);
  EXPECT_EQ(iam.Authorize("deployer", gone - 1), 200);  // the replica still allows it
  EXPECT_EQ(iam.Authorize("deployer", gone), 403);
}

TEST(CloudIam, MedianAroundTwoMinutesAndSlowFactorStretchesIt) {
  IamCore iam(IamPropagationConfig{}, 1);
  std::vector<SimTime> d;
  for (int i = 0; i < 1001; ++i) d.push_back(iam.Grant("r" + std::to_string(i), 0));
  std::sort(d.begin(), d.end());
  EXPECT_NEAR(ToSeconds(d[500]), 120, 15);
  EXPECT_GT(ToSeconds(d[990]), 300);  // the long tail
  IamCore slow(IamPropagationConfig{}, 1);
  slow.SetSlowFactor(10);
  EXPECT_NEAR(ToSeconds(slow.Grant("x", 0)), 10 * ToSeconds(IamCore(IamPropagationConfig{}, 1).Grant("x", 0)), 1e-3);
}

TEST(CloudTargetGroup, ElbDefaultsNewTargetOneCheckThenThresholds) {
  TargetGroup tg(HealthCheckConfig{});
  EXPECT_EQ(tg.config().interval, 30 * kSec);
  EXPECT_EQ(tg.config().timeout, 5 * kSec);
  EXPECT_EQ(tg.config().unhealthy_threshold, 2u);
  EXPECT_EQ(tg.config().healthy_threshold, 5u);
  tg.Register("i-1");
  tg.Register("i-2");
  EXPECT_EQ(tg.State("i-1"), TargetState::kInitial);
  tg.CheckResult("i-1", true);
  tg.CheckResult("i-2", true);
  EXPECT_EQ(tg.HealthyHostCount(), 2u);
  tg.CheckResult("i-2", false);
  EXPECT_EQ(tg.State("i-2"), TargetState::kHealthy);  // one failure is not enough
  tg.CheckResult("i-2", false);
  EXPECT_EQ(tg.State("i-2"), TargetState::kUnhealthy);
  EXPECT_EQ(tg.UnHealthyHostCount(), 1u);
  EXPECT_EQ(tg.Routable(), std::vector<std::string>{"i-1"});
  for (int i = 0; i < 4; ++i) tg.CheckResult("i-2", true);
  EXPECT_EQ(tg.State("i-2"), TargetState::kUnhealthy);  // 4 of 5
  tg.CheckResult("i-2", true);
  EXPECT_EQ(tg.State("i-2"), TargetState::kHealthy);
}

TEST(CloudTargetGroup, FailsOpenWhenEveryTargetIsUnhealthyAndDrainsOnDeregister) {
  TargetGroup tg(HealthCheckConfig{});
  tg.Register("i-1");
  tg.Register("i-2");
  for (const char* t : {"i-1", "i-2"}) {
    tg.CheckResult(t, true);
    tg.CheckResult(t, false);
    tg.CheckResult(t, false);
  }
  EXPECT_EQ(tg.HealthyHostCount(), 0u);
  EXPECT_TRUE(tg.FailingOpen());
  EXPECT_EQ(tg.Routable().size(), 2u);
  tg.Deregister("i-1", 100 * kSec);
  EXPECT_EQ(tg.State("i-1"), TargetState::kDraining);
  EXPECT_EQ(tg.Routable(), std::vector<std::string>{"i-2"});
  tg.Tick(399 * kSec);
  EXPECT_EQ(tg.State("i-1"), TargetState::kDraining);
  tg.Tick(400 * kSec);  // deregistration delay 300 s
  EXPECT_EQ(tg.State("i-1"), TargetState::kUnused);
}

TEST(CloudIac, PlanCreatesUpdatesDeletes) {
  std::vector<Resource> desired = {{"instance", "web-1", 1}, {"volume", "data", 2}, {"lb-target", "web-1", 1}};
  std::vector<Resource> actual = {{"volume", "data", 1}, {"instance", "old", 1}};
  auto plan = Plan(desired, actual);
  ASSERT_EQ(plan.size(), 4u);
  EXPECT_EQ(plan[0].kind, Action::Kind::kCreate);   // instance.web-1
  EXPECT_EQ(plan[1].kind, Action::Kind::kCreate);   // lb-target.web-1
  EXPECT_EQ(plan[2].kind, Action::Kind::kUpdate);   // volume.data
  EXPECT_EQ(plan[3].kind, Action::Kind::kDelete);   // instance.old
  EXPECT_TRUE(Plan(desired, desired).empty());
}

TEST(CloudIac, ApplyRetriesWithBackoffThenFailsTheRun) {
  ApplyConfig cfg;
  EXPECT_EQ(cfg.max_attempts, 3u);
  ApplyRun run(Plan({{"instance", "a", 1}, {"instance", "b", 1}}, {}), cfg, 0);
  SimTime wait = 0;
  ASSERT_NE(run.Next(0, &wait), nullptr);
  run.Result(true, 1 * kSec);
  ASSERT_NE(run.Next(1 * kSec, &wait), nullptr);
  run.Result(false, 2 * kSec);
  EXPECT_EQ(run.Next(2 * kSec, &wait), nullptr);
  EXPECT_EQ(wait, 3 * kSec);  // backoff 1 s
  ASSERT_NE(run.Next(3 * kSec, &wait), nullptr);
  run.Result(false, 4 * kSec);
  EXPECT_EQ(run.Next(5 * kSec, &wait), nullptr);
  EXPECT_EQ(wait, 6 * kSec);  // doubled
  ASSERT_NE(run.Next(6 * kSec, &wait), nullptr);
  run.Result(false, 7 * kSec);
  EXPECT_EQ(run.outcome(), ApplyRun::Outcome::kFailed);
  EXPECT_EQ(run.done(), 1u);
  EXPECT_EQ(run.failed_calls(), 3u);
}

TEST(CloudIac, ApplySucceedsOrHitsTheRunTimeout) {
  ApplyConfig cfg;
  cfg.run_timeout = 10 * kSec;
  ApplyRun ok(Plan({{"volume", "v", 1}}, {}), cfg, 0);
  ASSERT_NE(ok.Next(0, nullptr), nullptr);
  ok.Result(true, 1 * kSec);
  EXPECT_EQ(ok.outcome(), ApplyRun::Outcome::kSucceeded);
  ApplyRun slow(Plan({{"volume", "v", 1}}, {}), cfg, 0);
  ASSERT_NE(slow.Next(0, nullptr), nullptr);
  EXPECT_EQ(slow.Next(11 * kSec, nullptr), nullptr);
  EXPECT_EQ(slow.outcome(), ApplyRun::Outcome::kFailed);
  EXPECT_EQ(slow.why(), "run timeout");
}

}  // namespace
}  // namespace planelab::cloud
