#include "sim/cli/run_summary.h"

#include "sim/probe/convergence_probe.h"
#include "sim/probe/expectations.h"
#include "sim/probe/health_probe.h"
#include "sim/trace/run_reader.h"

namespace planelab {

using ojson = nlohmann::ordered_json;

ojson RunSummary(const Scenario& sc, const std::vector<DeviceSpec>& devices, const HealthProbe& health,
                 const ConvergenceProbe& convergence) {
  ojson summary;
  summary["schema"] = "planelab.summary/1";
  summary["scenario"] = sc.name;
  summary["seed"] = sc.seed;
  summary["sim_time_s"] = ToSeconds(sc.duration);
  summary["expectations"] = ojson::array();
  // Network-wide convergence: from each trigger to the last FIB programmed anywhere.
  ojson conv = ojson::array();
  for (const auto& ep : convergence.episodes()) {
    ojson c;
    c["trigger"] = ep.trigger;
    c["at_s"] = ToSeconds(ep.at);
    c["converged_after_s"] = ep.last_change < 0 ? ojson(nullptr) : ojson(ToSeconds(ep.last_change - ep.at));
    c["rib_changes"] = ep.rib_changes;
    c["routers_changed"] = ep.routers.size();
    conv.push_back(c);
  }
  summary["convergence"] = conv;
  ojson devs = ojson::object();
  for (const auto& spec : devices) {
    ojson planes = ojson::object();
    auto it = health.timeline().find(spec.id);
    for (Plane p : {Plane::kData, Plane::kControl, Plane::kManagement}) {
      if (it == health.timeline().end() || !it->second.count(p)) continue;
      ojson list = ojson::array();
      for (const auto& iv : it->second.at(p)) {
        list.push_back({{"from_s", ToSeconds(iv.from)}, {"to_s", ToSeconds(iv.to)}, {"actual", ToString(iv.actual)},
                        {"reported", ToString(iv.reported)}});
      }
      planes[ToString(p)] = list;
    }
    devs[spec.id] = planes;
  }
  summary["devices"] = devs;
  return summary;
}

bool AddExpectations(const Scenario& sc, const RunStoreReader& store, ojson& summary) {
  bool all_passed = true;
  for (const auto& r : EvaluateExpectations(sc, store)) {
    ojson e;
    e["id"] = r.id;
    e["passed"] = r.passed;
    e["observed"] = r.has_observed ? ojson(r.observed) : ojson(nullptr);
    e["bound"] = r.bound;
    e["detail"] = r.detail;
    summary["expectations"].push_back(e);
    all_passed &= r.passed;
  }
  return all_passed;
}

}  // namespace planelab
