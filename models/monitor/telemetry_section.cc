#include "models/monitor/telemetry_section.h"

#include <algorithm>

#include "models/monitor/telemetry_schema.h"

namespace planelab {

using nlohmann::json;

namespace {

void ParseTelemetry(SectionContext& c) {
  const json& t = c.value;
  TelemetrySpec& s = c.scenario.families.Mutable<TelemetrySpec>();
  s.enabled = true;
  s.collection = t.value("collection", s.collection);
  s.stream_mode = t.value("stream_mode", s.stream_mode);
  s.access = t.value("access", s.access);
  s.inband_gateway = t.value("inband_gateway", s.inband_gateway);
  c.ReadDuration("/scrape_interval", &s.scrape_interval, 1 * kSec);
  c.ReadDuration("/scrape_timeout", &s.scrape_timeout, 1 * kMs);
  c.ReadDuration("/sample_interval", &s.sample_interval, 1 * kSec);
  c.ReadDuration("/heartbeat_interval", &s.heartbeat_interval);
  c.ReadDuration("/ingest_lag", &s.ingest_lag);
  c.ReadDuration("/lookback", &s.lookback, 1 * kSec);
  c.ReadDuration("/evaluation_interval", &s.evaluation_interval, 1 * kSec);
  c.ReadDuration("/for", &s.rule_for);
  c.ReadDuration("/dashboard_refresh", &s.dashboard_refresh, 1 * kSec);
  s.scrape_components = t.value("scrape_components", s.scrape_components);
  c.scenario.management.scrape_components = s.scrape_components;
  if (t.contains("component_for")) {
    SimTime f = 0;
    c.ReadDuration("/component_for", &f);
    s.component_for = f;
  }
  if (t.contains("alertmanager")) {
    const json& a = t["alertmanager"];
    if (a.contains("group_by")) s.group_by = a["group_by"].get<std::vector<std::string>>();
    c.ReadDuration("/alertmanager/group_wait", &s.group_wait);
    c.ReadDuration("/alertmanager/group_interval", &s.group_interval, 1 * kSec);
    c.ReadDuration("/alertmanager/repeat_interval", &s.repeat_interval, 1 * kSec);
  }
  if (t.contains("audit")) {
    const json& a = t["audit"];
    s.audit_rate = a.value("rate", s.audit_rate);
    s.audit_capacity = a.value("capacity", s.audit_capacity);
    c.ReadDuration("/audit/lag", &s.audit_lag);
  }
  // Prometheus refuses a scrape_timeout longer than the scrape_interval.
  if (s.scrape_timeout > s.scrape_interval) {
    c.Problem("/scrape_timeout", "the scrape timeout must not be longer than scrape_interval (as in Prometheus)");
  }
}

/// The pipeline runs on the monitoring station, and the in-band gateway must be a router of the topology.
void CheckTelemetry(const Scenario& sc, Problems& problems) {
  const TelemetrySpec& s = sc.families.Get<TelemetrySpec>();
  if (!s.enabled) {
    // The pipeline's faults hit the pipeline, and the in-band path is one of its access paths.
    for (const auto& f : sc.faults) {
      if (f.kind == "telemetry-pipeline-lag" || f.kind == "collector-down" || f.kind == "alerting-down" ||
          f.kind == "audit-log-backlog" || f.kind == "mgmt-inband-down") {
        problems.Add(f.pointer + "/kind", "fault \"" + f.kind + "\" needs the telemetry pipeline: add a \"telemetry\" section");
      }
    }
    return;
  }
  if (!sc.management.enabled) {
    problems.Add("/telemetry", "the telemetry pipeline runs on the monitoring station: enable \"management\"");
  }
  if (!s.inband_gateway.empty()) {
    bool router = std::any_of(sc.devices.begin(), sc.devices.end(),
                              [&](const DeviceSpec& d) { return d.id == s.inband_gateway && d.kind == "router"; });
    if (!router) problems.Add("/telemetry/inband_gateway", "\"" + s.inband_gateway + "\" is not a router of the topology");
  }
}

}  // namespace

ScenarioSection TelemetrySection() {
  ScenarioSection s;
  s.key = "telemetry";
  s.help = "the monitoring station as a pipeline: collection, store, rules, alert manager, dashboards, audit, access";
  s.stage = ScenarioSection::Stage::kSettings;
  s.schema = kTelemetrySchemaText;
  s.parse = ParseTelemetry;
  s.check = CheckTelemetry;
  return s;
}

}  // namespace planelab
