#include "sim/probe/convergence_probe.h"

#include <nlohmann/json.hpp>

namespace planelab {

ConvergenceProbe::ConvergenceProbe(EventBus& bus) {
  episodes_.push_back({"start", 0, -1, 0, {}});
  bus.Subscribe([this](const TraceEvent& e) {
    if (e.kind == "fault.start" || e.kind == "fault.end") {
      nlohmann::json d = nlohmann::json::parse(e.detail, nullptr, false);
      std::string kind = d.is_object() ? d.value("kind", "?") : "?";
      episodes_.push_back({e.kind + " " + kind + " " + e.device, e.t, -1, 0, {}});
    } else if (e.kind == "rib.changed") {
      ++episodes_.back().rib_changes;
      episodes_.back().routers.insert(e.device);
    } else if (e.kind == "fib.programmed") {
      episodes_.back().last_change = e.t;
    }
  });
}

}  // namespace planelab
