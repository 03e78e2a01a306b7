#include "sim/cli/run_summary.h"

#include <algorithm>

#include "models/monitor/pipeline/telemetry_core.h"
#include "models/monitor/telemetry_section.h"
#include "sim/fault/fault_catalog.h"

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

void AddIncidents(const Scenario& sc, const RunStoreReader& store, ojson& summary) {
  const TelemetrySpec& tel = sc.families.Get<TelemetrySpec>();
  if (!tel.enabled || !sc.management.enabled) return;
  const std::string& station = sc.management.station;
  // The faults, and the devices where each counts as found: its target, or a link's two ends.
  std::vector<telemetry::IncidentFault> faults;
  for (const auto& f : sc.faults) {
    telemetry::IncidentFault i;
    i.kind = f.kind;
    i.target = f.target;
    i.start_s = ToSeconds(f.at);
    const FaultKind* k = FindFaultKind(f.kind);
    i.plane = k ? k->plane : "";
    if (i.plane.empty() && f.params.count("plane")) i.plane = f.params.at("plane");
    i.devices = {f.target};
    for (const auto& l : sc.links) {
      if (l.id == f.target) i.devices = {l.a, l.b};
    }
    if (f.until) i.attribution_end_s = ToSeconds(*f.until + tel.lookback);
    // A fault of the pipeline is known by the meta rule that watches that part; alerting that is down cannot page
    // about itself (only an outside dead man's switch could). Cutting the station's paths is known device by device.
    if (f.target == station) {
      if (f.kind == "collector-down" || f.kind == "telemetry-pipeline-lag") i.knowing_alerts = {"TelemetryStale"};
      if (f.kind == "audit-log-backlog") i.knowing_alerts = {"AuditDeliveryLagging"};
      if (f.kind == "alerting-down") i.knowing_alerts = {"(none: a dead man's switch outside the pipeline)"};
      if (f.kind == "mgmt-oob-down" || f.kind == "mgmt-inband-down") {
        i.devices.clear();
        for (const auto& d : sc.devices) {
          if (d.kind == "router" && d.managed) i.devices.push_back(d.id);
        }
      }
    }
    faults.push_back(i);
  }
  // What the on-call received: the station's alert.notified events.
  std::vector<telemetry::Notification> notes;
  store.ForEach("SELECT t_s, detail FROM events WHERE kind = 'alert.notified' AND device = '" + station +
                    "' ORDER BY seq",
                "events", [&notes](const RunStoreReader::Row& r) {
                  telemetry::Notification n;
                  n.at = FromSeconds(r.Real(0));
                  nlohmann::json d = nlohmann::json::parse(r.Text(1));
                  n.group = d.value("group", "");
                  for (const auto& a : d["firing"]) {
                    n.firing.push_back({a["alertname"], a["device"], a["plane"], a["severity"]});
                  }
                  notes.push_back(std::move(n));
                });
  std::vector<telemetry::IncidentMeasure> measures = telemetry::MeasureIncidents(faults, notes);
  ojson list = ojson::array();
  double end_s = ToSeconds(sc.duration);
  for (size_t i = 0; i < measures.size(); ++i) {
    const auto& m = measures[i];
    double to_s = sc.faults[i].until ? ToSeconds(*sc.faults[i].until) : end_s;
    // The pipeline's own measures over the fault's window, from the station's series.
    auto max_of = [&](const char* metric) {
      double worst = 0;
      for (const auto& [_, v] : store.Samples(station, "management", metric, m.start_s, to_s)) worst = std::max(worst, v);
      return worst;
    };
    auto min_of = [&](const char* metric) {
      auto s = store.Samples(station, "management", metric, m.start_s, to_s);
      double least = s.empty() ? 0 : s.front().second;
      for (const auto& [_, v] : s) least = std::min(least, v);
      return least;
    };
    ojson o;
    o["fault"] = m.fault_kind;
    o["target"] = m.target;
    o["plane"] = m.plane;
    o["at_s"] = m.start_s;
    o["until_s"] = to_s;
    o["time_to_detect_s"] = m.time_to_detect_s ? ojson(*m.time_to_detect_s) : ojson(nullptr);
    o["time_to_know_s"] = m.time_to_know_s ? ojson(*m.time_to_know_s) : ojson(nullptr);
    o["first_seen"] = m.first_seen;
    o["telemetry_lag_max_s"] = max_of("shown_lag");
    o["data_age_max_s"] = max_of("data_age");
    o["stale_panel_share_max"] = max_of("stale_panel_share");
    o["audit_backlog_max"] = max_of("audit_backlog");
    o["audit_lag_max_s"] = max_of("audit_lag");
    o["manageable_devices_min"] = min_of("manageable_devices");
    list.push_back(o);
  }
  summary["incidents"] = list;
}

}  // namespace planelab
