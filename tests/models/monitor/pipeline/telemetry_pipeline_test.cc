// The telemetry pipeline end to end, pure: what reaches the on-call and the dashboards, and when.
#include "models/monitor/pipeline/telemetry_pipeline.h"

#include <gtest/gtest.h>

namespace planelab::telemetry {
namespace {

/// Drives a one-device pipeline: scrapes every 30 s that answer with `if_up` of 4 interfaces, until `to`.
void Scrape(TelemetryPipeline& p, SimTime from, SimTime to, double if_up) {
  for (SimTime t = from; t < to; t += kSec) {
    if ((t / kSec) % 30 == 2) {
      p.Collected(t, t, "r1", {{"if_oper_up", if_up}, {"if_total", 4}, {"cpu_pct", 5}, {"adj_up", 2}, {"adj_cfg", 2}});
    }
    p.Tick(t);
  }
}

TEST(TelemetryPipeline, AFaultReachesTheOnCallAfterScrapeRuleForAndGroupWait) {
  TelemetryPipeline p(PipelineConfig{}, {"r1"}, "nms");
  Scrape(p, 0, 120 * kSec, 4);
  EXPECT_EQ(p.Reported("r1", Plane::kData), Health::kUp);
  Scrape(p, 120 * kSec, 400 * kSec, 3);  // an interface goes down at 120 s
  ASSERT_EQ(p.notifications().size(), 1u);
  // Scraped at 122 s, in the store at 123 s, pending at the 180 s evaluation, firing at 240 s, paged 30 s later.
  EXPECT_EQ(p.notifications()[0].at, 270 * kSec);
  EXPECT_EQ(p.notifications()[0].firing[0].alertname, "InterfaceDown");
  EXPECT_EQ(p.Reported("r1", Plane::kData), Health::kDegraded);
}

TEST(TelemetryPipeline, AStalledCollectorFreezesPanelsThenEmptiesThem) {
  TelemetryPipeline p(PipelineConfig{}, {"r1"}, "nms");
  Scrape(p, 0, 120 * kSec, 4);
  p.SetCollectorDown(true);
  Scrape(p, 120 * kSec, 300 * kSec, 0);  // every interface down, but nothing is collected
  EXPECT_EQ(p.Reported("r1", Plane::kData), Health::kUp);  // the last green values, within the lookback
  EXPECT_EQ(p.stale_panel_share(), 1);                      // not updated in two intervals
  Scrape(p, 300 * kSec, 500 * kSec, 0);
  EXPECT_EQ(p.Reported("r1", Plane::kData), Health::kUnknown);  // past the 5-minute lookback: No data
  // Only the meta rule on the data's age paged, about the station.
  ASSERT_FALSE(p.notifications().empty());
  EXPECT_EQ(p.notifications()[0].firing[0].alertname, "TelemetryStale");
  EXPECT_EQ(p.notifications()[0].firing[0].device, "nms");
}

TEST(TelemetryPipeline, NothingIsPagedWhileAlertingIsDown) {
  TelemetryPipeline p(PipelineConfig{}, {"r1"}, "nms");
  Scrape(p, 0, 120 * kSec, 4);
  p.SetAlertingDown(true);
  Scrape(p, 120 * kSec, 600 * kSec, 3);
  EXPECT_TRUE(p.notifications().empty());
  EXPECT_EQ(p.Reported("r1", Plane::kData), Health::kDegraded);  // the dashboard shows it to whoever looks
}

TEST(TelemetryPipeline, AFailedScrapeMarksTheSeriesStale) {
  TelemetryPipeline q(PipelineConfig{}, {"r1"}, "nms");
  Scrape(q, 0, 60 * kSec, 4);  // answered at 2 and 32 s
  q.CollectionFailed(62 * kSec, "r1");
  for (SimTime t = 60 * kSec; t <= 91 * kSec; t += kSec) q.Tick(t);
  EXPECT_EQ(q.Reported("r1", Plane::kData), Health::kUnknown);     // staleness markers: gone at once
  EXPECT_EQ(q.Reported("r1", Plane::kManagement), Health::kDown);  // up == 0
}

TEST(TelemetryPipeline, AuditRecordsWaitForAPathAndForCapacity) {
  PipelineConfig c;
  c.audit_rate = 1;
  TelemetryPipeline p(c, {"r1"}, "nms");
  p.SetDeviceReachable("r1", false);
  for (SimTime t = 0; t <= 60 * kSec; t += kSec) p.Tick(t);
  EXPECT_EQ(p.audit_backlog(), 60u);
  EXPECT_NEAR(p.audit_lag_s(), 59, 1);
  p.SetDeviceReachable("r1", true);
  for (SimTime t = 61 * kSec; t <= 70 * kSec; t += kSec) p.Tick(t);
  EXPECT_EQ(p.audit_backlog(), 2u);  // the last two seconds' records are within the 2 s delivery lag
}

}  // namespace
}  // namespace planelab::telemetry
