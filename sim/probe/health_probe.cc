#include "sim/probe/health_probe.h"

namespace planelab {

void HealthProbe::Sample(SimTime now) {
  for (const auto& w : watched_) {
    Health actual = w.actor->MeasureHealth();
    Health reported = Health::kUnknown;
    for (const ReportedHealthSource* d : dashboards_) {
      reported = d->Reported(w.device, w.actor->plane());
      if (reported != Health::kUnknown) break;
    }
    if (sink_) sink_(now, w.device, w.actor->plane(), actual, reported);
    auto& list = timeline_[w.device][w.actor->plane()];
    if (!list.empty() && list.back().actual == actual && list.back().reported == reported) {
      list.back().to = now;
    } else {
      list.push_back({last_, now, actual, reported});
    }
  }
  last_ = now;
}

void HealthProbe::Finish(SimTime end) {
  if (end > last_) Sample(end);
}

}  // namespace planelab
