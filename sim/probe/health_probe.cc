#include "sim/probe/health_probe.h"

namespace planelab {

void HealthProbe::Sample(SimTime now) {
  for (const auto& w : watched_) {
    Health actual = w.actor->MeasureHealth();
    Health reported = dashboard_ ? dashboard_->Reported(w.device, w.actor->plane()) : Health::kUnknown;
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
