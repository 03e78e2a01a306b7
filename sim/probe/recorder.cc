#include "sim/probe/recorder.h"

#include <nlohmann/json.hpp>

namespace planelab {

Recorder::Recorder(RunStoreWriter& store, RunContext& ctx) : store_(store), ctx_(ctx) {
  ctx_.events.Subscribe([this](const TraceEvent& e) {
    ++events_;
    store_.AddEvent(ToSeconds(e.t), e.device, e.plane, e.kind, e.detail);
  });
}

void Recorder::WriteTopology(const Scenario& sc) {
  for (const auto& d : sc.devices) {
    double xy[2] = {d.pos ? d.pos->first : 0, d.pos ? d.pos->second : 0};
    store_.AddDevice(d.id, d.kind, nlohmann::json(d.groups).dump(), d.managed, d.pos ? xy : nullptr);
  }
  if (sc.management.enabled) store_.AddDevice(sc.management.station, "monitor", "[\"monitors\"]", true);
  for (const auto& l : sc.links) {
    store_.AddLink(l.id, l.a, l.b, "data", l.rate_bps, ToSeconds(l.delay), l.queue.kind + ":" + l.queue.size);
  }
  if (sc.management.enabled) {
    for (const auto& d : sc.devices) {
      if (d.kind != "router" || !d.managed) continue;
      store_.AddLink("oob-" + d.id, sc.management.station, d.id, "oob", sc.management.oob_rate_bps,
                     ToSeconds(sc.management.oob_delay), "fifo:100p");
    }
  }
}

void Recorder::WriteSeries() {
  for (const auto& s : ctx_.metrics.series()) {
    store_.AddSeries(s.id, s.device, s.plane, s.metric, s.unit, s.kind, s.help);
  }
}

void Recorder::SampleMetrics(SimTime now) {
  double t = ToSeconds(now);
  ctx_.metrics.Sample([&](const SeriesInfo& s, double v) { store_.AddSample(t, s.id, v); });
  store_.Flush();
}

void Recorder::WriteHealth(SimTime now, const std::string& device, Plane plane, Health actual, Health reported) {
  store_.AddHealth(ToSeconds(now), device, ToString(plane), ToString(actual), ToString(reported));
}

}  // namespace planelab
