// The telemetry pipeline's pure cores, driven alone: streaming, scraping, the store's lookback and staleness,
// rules with `for:`, the alert manager's grouping, delivery queues, access paths and the incident measures.
#include "models/monitor/pipeline/telemetry_core.h"

#include <gtest/gtest.h>

namespace planelab::telemetry {
namespace {

TEST(Telemetry, SampleStreamSendsEverySampleInterval) {
  StreamSubscription s(StreamMode::kSample, 30 * kSec, 0);
  int sent = 0;
  for (SimTime t = 0; t <= 120 * kSec; t += kSec) sent += s.Offer(t, 1.0);
  EXPECT_EQ(sent, 5);  // 0, 30, 60, 90, 120
}

TEST(Telemetry, OnChangeStreamSendsChangesAndHeartbeats) {
  StreamSubscription s(StreamMode::kOnChange, 0, 60 * kSec);
  EXPECT_TRUE(s.Offer(0, 1));           // initial sync
  EXPECT_FALSE(s.Offer(10 * kSec, 1));  // unchanged
  EXPECT_TRUE(s.Offer(11 * kSec, 2));   // changed
  EXPECT_FALSE(s.Offer(70 * kSec, 2));  // 59 s since the last update
  EXPECT_TRUE(s.Offer(71 * kSec, 2));   // heartbeat
  StreamSubscription quiet(StreamMode::kOnChange, 0, 0);
  EXPECT_TRUE(quiet.Offer(0, 1));
  EXPECT_FALSE(quiet.Offer(3600 * kSec, 1));  // heartbeat 0: none
}

TEST(Telemetry, ScrapeAnswersAfterTheTimeoutDoNotCount) {
  ScrapeLoop loop(30 * kSec, 10 * kSec, 2 * kSec);
  EXPECT_EQ(loop.NextScrape(), 2 * kSec);
  uint64_t n = loop.Start(2 * kSec);
  EXPECT_EQ(loop.NextScrape(), 32 * kSec);
  EXPECT_TRUE(loop.Answer(n, 12 * kSec));
  EXPECT_FALSE(loop.Answer(n, 12 * kSec + 1));
  uint64_t m = loop.Start(32 * kSec);
  EXPECT_FALSE(loop.Answer(n, 33 * kSec));  // an answer to the previous scrape
  EXPECT_TRUE(loop.Answer(m, 33 * kSec));
}

TEST(Telemetry, InstantQueriesLookBackFiveMinutes) {
  SeriesStore store;
  EXPECT_EQ(store.lookback(), 5 * kMinute);
  store.Append("up{r1}", 10 * kSec, 1);
  ASSERT_TRUE(store.Instant("up{r1}", 10 * kSec));
  EXPECT_FALSE(store.Instant("up{r1}", 9 * kSec));  // nothing before its first sample
  EXPECT_EQ(store.Instant("up{r1}", 10 * kSec + 5 * kMinute - 1)->value, 1);
  EXPECT_FALSE(store.Instant("up{r1}", 10 * kSec + 5 * kMinute));  // gone from instant queries
  EXPECT_EQ(*store.LastSampleTime("up{r1}", 20 * kMinute), 10 * kSec);
  EXPECT_FALSE(store.Instant("nope", 0));
}

TEST(Telemetry, StalenessMarkersEndASeriesAtOnce) {
  SeriesStore store;
  store.Append("if_up{r1}", 0, 4);
  store.MarkStale("if_up{r1}", 30 * kSec);
  EXPECT_TRUE(store.Instant("if_up{r1}", 29 * kSec));
  EXPECT_FALSE(store.Instant("if_up{r1}", 30 * kSec));
  store.Append("if_up{r1}", 60 * kSec, 3);
  EXPECT_EQ(store.Instant("if_up{r1}", 61 * kSec)->value, 3);
  EXPECT_EQ(*store.LastSampleTime("if_up{r1}", 45 * kSec), 0);
}

TEST(Telemetry, RulesFireAfterTheirForDurationAndResolve) {
  SeriesStore store;
  AlertRule down{"TargetDown", "management", "critical", 2 * kMinute,
                 [](const SeriesStore& s, const std::string& d, SimTime at) {
                   auto v = s.Instant(SeriesName("up", d), at);
                   return v && v->value == 0;
                 }};
  RuleEvaluator eval({down}, {"r1", "r2"});
  store.Append("up{r1}", 0, 1);
  store.Append("up{r2}", 0, 1);
  EXPECT_TRUE(eval.Evaluate(store, 1 * kMinute).empty());
  store.Append("up{r1}", 70 * kSec, 0);
  auto t = eval.Evaluate(store, 2 * kMinute);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].to, AlertTransition::To::kPending);
  EXPECT_TRUE(eval.Evaluate(store, 3 * kMinute).empty());  // pending for 1m of its 2m
  t = eval.Evaluate(store, 4 * kMinute);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].to, AlertTransition::To::kFiring);
  EXPECT_EQ(t[0].labels.device, "r1");
  EXPECT_EQ(eval.Firing().size(), 1u);
  store.Append("up{r1}", 4 * kMinute + kSec, 1);
  t = eval.Evaluate(store, 5 * kMinute);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].to, AlertTransition::To::kResolved);
}

TEST(Telemetry, AlertManagerGroupsWaitsAndThrottles) {
  AlertManager am(AlertManager::Config{});
  auto fire = [](std::string dev) {
    return AlertTransition{{"InterfaceDown", dev, "data", "warning"}, AlertTransition::To::kFiring, 0};
  };
  am.Receive(fire("leaf1"), 60 * kSec);
  am.Receive(fire("leaf2"), 60 * kSec);
  EXPECT_EQ(*am.NextFlush(), 90 * kSec);  // group_wait 30s
  EXPECT_TRUE(am.Flush(89 * kSec).empty());
  auto n = am.Flush(90 * kSec);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].firing.size(), 2u);  // one notification for both: grouped by alertname
  EXPECT_EQ(n[0].group, "{alertname=\"InterfaceDown\"}");
  am.Receive(fire("leaf3"), 120 * kSec);
  EXPECT_TRUE(am.Flush(200 * kSec).empty());
  n = am.Flush(390 * kSec);  // group_interval 5m after the last notification
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].at, 390 * kSec);
  EXPECT_EQ(n[0].firing.size(), 3u);
  // Unchanged: repeated after repeat_interval (4h).
  EXPECT_EQ(*am.NextFlush(), 390 * kSec + 4 * 60 * kMinute);
}

TEST(Telemetry, DeliveryQueueAddsLagAndBuildsABacklog) {
  DeliveryQueue<int> q;
  q.SetLag(5 * kSec);
  q.Push(0, 1);
  EXPECT_TRUE(q.Deliver(4 * kSec).empty());
  EXPECT_EQ(q.Deliver(5 * kSec).size(), 1u);
  q.SetRate(2);  // 2 items per second
  for (int i = 0; i < 10; ++i) q.Push(10 * kSec, i);
  q.Deliver(15 * kSec);
  auto got = q.Deliver(16 * kSec);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(q.backlog(), 6u);
  EXPECT_EQ(q.OldestAge(16 * kSec), 6 * kSec);
  q.SetStopped(true);
  EXPECT_TRUE(q.Deliver(30 * kSec).empty());
}

TEST(Telemetry, InbandAccessSharesFateWithTheProductionNetwork) {
  AccessPaths inband(AccessPaths::Mode::kInBand), both(AccessPaths::Mode::kBoth);
  for (AccessPaths* p : {&inband, &both}) {
    p->SetGateway("r1");
    p->SetLink("r1-r2", "r1", "r2", true);
    p->SetLink("r2-r3", "r2", "r3", true);
    p->Recompute();
  }
  EXPECT_TRUE(inband.Manageable("r3"));
  for (AccessPaths* p : {&inband, &both}) {
    p->SetInbandBlocked("r2", true);  // r2's routing is gone
    p->Recompute();
  }
  EXPECT_FALSE(inband.Manageable("r2"));
  EXPECT_FALSE(inband.Manageable("r3"));  // behind r2
  EXPECT_TRUE(inband.Manageable("r1"));
  EXPECT_TRUE(both.Manageable("r3"));  // out-of-band still reaches it
  both.SetOobUp("r3", false);
  EXPECT_FALSE(both.Manageable("r3"));
}

TEST(Telemetry, IncidentMeasuresTimeToDetectAndToKnow) {
  Notification storm{100 * kSec, "g1", {{"TargetDown", "nms", "management", "critical"}}, {}};
  Notification right{400 * kSec, "g2", {{"InterfaceDown", "leaf1", "data", "warning"}}, {}};
  IncidentFault f{"link-down", "spine1-leaf1", "data", {"spine1", "leaf1"}, 60};
  auto m = MeasureIncidents({f}, {storm, right});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(*m[0].time_to_detect_s, 40);
  EXPECT_EQ(*m[0].time_to_know_s, 340);
  EXPECT_EQ(m[0].first_seen, "TargetDown@nms/management");
  // Two groups paged at the same instant are one first page.
  Notification other{100 * kSec, "g3", {{"RoutingNeighborDown", "leaf2", "control", "warning"}}, {}};
  auto both = MeasureIncidents({f}, {storm, other, right});
  EXPECT_EQ(both[0].first_seen, "TargetDown@nms/management, RoutingNeighborDown@leaf2/control");
  EXPECT_EQ(*both[0].time_to_know_s, 340);
  // Only the alerts that name the cause count as knowing it; pages after the attribution window count for nothing.
  IncidentFault stalled{"collector-down", "nms", "management", {"nms"}, 60, 1e300, {"TelemetryStale"}};
  Notification audit{100 * kSec, "g4", {{"AuditDeliveryLagging", "nms", "management", "warning"}}, {}};
  auto m2 = MeasureIncidents({stalled}, {audit});
  EXPECT_EQ(*m2[0].time_to_detect_s, 40);
  EXPECT_FALSE(m2[0].time_to_know_s);
  IncidentFault early{"link-down", "x", "data", {"leaf1"}, 10, 200};
  EXPECT_FALSE(MeasureIncidents({early}, {right})[0].time_to_detect_s);
  auto none = MeasureIncidents({IncidentFault{"x", "r9", "data", {"r9"}, 500}}, {storm, right});
  EXPECT_FALSE(none[0].time_to_detect_s);
}

}  // namespace
}  // namespace planelab::telemetry
