// Scraped cluster components in the telemetry pipeline, pure: kubernetes-mixin's rules with their `for:`, and
// what a failed scrape leaves on the components' panels.
#include <gtest/gtest.h>

#include "models/monitor/pipeline/telemetry_pipeline.h"

namespace planelab::telemetry {
namespace {

/// Every 30 s from `from` to `to`: etcd-1's scrape answers with has_leader; node-1's fails when `kubelet_up` is false.
void Drive(TelemetryPipeline& p, SimTime from, SimTime to, double has_leader, bool kubelet_up) {
  for (SimTime t = from; t < to; t += kSec) {
    if ((t / kSec) % 30 == 2) {
      p.Collected(t, t, "etcd-1", {{"has_leader", has_leader}, {"leader_changes", 1}});
      if (kubelet_up) p.Collected(t, t, "node-1", {{"pods_running", 3}, {"ready_pods", 3}, {"lease_renew_failures", 0}});
      else p.CollectionFailed(t, "node-1");
    }
    p.Tick(t);
  }
}

TelemetryPipeline Cluster() {
  return TelemetryPipeline(PipelineConfig{}, {"etcd-1", "node-1"}, "nms",
                           {{"etcd-1", job::kEtcd}, {"node-1", job::kKubelet}});
}

std::vector<std::string> Paged(const TelemetryPipeline& p) {
  std::vector<std::string> out;
  for (const auto& n : p.notifications()) {
    for (const auto& a : n.firing) out.push_back(a.alertname + "/" + a.device);
  }
  return out;
}

TEST(ComponentScrape, EtcdNoLeaderPagesAfterItsOneMinuteFor) {
  TelemetryPipeline p = Cluster();
  Drive(p, 0, 120 * kSec, 1, true);
  EXPECT_EQ(p.Reported("etcd-1", Plane::kControl), Health::kUp);
  Drive(p, 120 * kSec, 400 * kSec, 0, true);
  // Scraped at 122 s, stored at 123 s, pending at 180 s, firing at 240 s (for: 1m), paged after group_wait 30 s.
  ASSERT_EQ(p.notifications().size(), 1u);
  EXPECT_EQ(p.notifications()[0].at, 270 * kSec);
  EXPECT_EQ(Paged(p), std::vector<std::string>{"etcdNoLeader/etcd-1"});
  EXPECT_EQ(p.Reported("etcd-1", Plane::kControl), Health::kDown);
}

TEST(ComponentScrape, ADeadKubeletIsNoDataForFifteenMinutesThenKubeletDown) {
  TelemetryPipeline p = Cluster();
  Drive(p, 0, 120 * kSec, 1, true);
  EXPECT_EQ(p.Reported("node-1", Plane::kControl), Health::kUp);
  EXPECT_EQ(p.Reported("node-1", Plane::kData), Health::kUp);
  Drive(p, 120 * kSec, 900 * kSec, 1, false);
  // The failed scrapes marked its series stale: the panels say No data, and no rule has held for 15 minutes yet.
  EXPECT_EQ(p.Reported("node-1", Plane::kControl), Health::kUnknown);
  EXPECT_EQ(p.Reported("node-1", Plane::kData), Health::kUnknown);
  EXPECT_TRUE(Paged(p).empty());
  Drive(p, 900 * kSec, 1200 * kSec, 1, false);
  // up == 0 from 123 s: pending at 180 s, firing at 180 + 900 = 1080 s, paged at 1110 s.
  ASSERT_EQ(Paged(p), std::vector<std::string>{"KubeletDown/node-1"});
  EXPECT_EQ(p.notifications()[0].at, 1110 * kSec);
  EXPECT_EQ(p.Reported("node-1", Plane::kControl), Health::kDown);
  // Routers' TargetDown is not raised for a component: its *Down rule speaks for it.
  for (const auto& a : p.notifications()[0].firing) EXPECT_NE(a.alertname, "TargetDown");
}

TEST(ComponentScrape, ComponentForOverridesTheMixinsFor) {
  PipelineConfig c;
  c.component_for = kMinute;
  TelemetryPipeline p(c, {"node-1"}, "nms", {{"node-1", job::kKubelet}});
  Drive(p, 0, 120 * kSec, 1, true);
  Drive(p, 120 * kSec, 400 * kSec, 1, false);
  ASSERT_EQ(Paged(p), std::vector<std::string>{"KubeletDown/node-1"});
  EXPECT_EQ(p.notifications()[0].at, 270 * kSec);
}

}  // namespace
}  // namespace planelab::telemetry
