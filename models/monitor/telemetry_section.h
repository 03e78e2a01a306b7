// The monitor family's scenario section ("telemetry"): turns the monitoring station into a telemetry pipeline
// (collection, store, rules, alert manager, dashboards, audit log delivery, access paths). Without the section the
// station is the plain SNMP poller of "management" and its outputs are what they always were.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/scenario_section.h"
#include "sim/util/units.h"

namespace planelab {

/// The telemetry pipeline's settings, with the defaults of the systems it imitates (cited per field).
struct TelemetrySpec {
  bool enabled = false;  // true when the scenario has the section
  // Collection: "snmp" (the station polls each agent, as Prometheus scrapes the SNMP exporter) or "gnmi" (each
  // agent streams to the station).
  std::string collection = "snmp";
  // Prometheus <scrape_config>: scrape_interval defaults to 1m and scrape_timeout to 10s; the range for
  // cluster components is 15-60s, so 30s, with Prometheus's timeout.
  SimTime scrape_interval = 30 * kSec;
  SimTime scrape_timeout = 10 * kSec;
  // gNMI specification §3.5.1.5.2: a STREAM subscription is SAMPLE (every sample_interval) or ON_CHANGE (with an
  // optional heartbeat_interval; 0 means no heartbeat). 30s is a common SAMPLE interval for interface state.
  std::string stream_mode = "sample";  // sample | on_change
  SimTime sample_interval = 30 * kSec;
  SimTime heartbeat_interval = 60 * kSec;
  // The hop from the collector to the store (a message bus or remote_write): a second under normal load.
  SimTime ingest_lag = 1 * kSec;
  // Prometheus: --query.lookback-delta defaults to 5m; global evaluation_interval defaults to 1m.
  SimTime lookback = 5 * 60 * kSec;
  SimTime evaluation_interval = 60 * kSec;
  // The `for:` of the device alerting rules. Prometheus's own default is 0; community rules use 1m-15m.
  SimTime rule_for = 60 * kSec;
  // Alertmanager <route>: group_wait 30s, group_interval 5m, repeat_interval 4h; group_by as in its example
  // configuration (by alert name).
  std::vector<std::string> group_by{"alertname"};
  SimTime group_wait = 30 * kSec;
  SimTime group_interval = 5 * 60 * kSec;
  SimTime repeat_interval = 4 * 3600 * kSec;
  // Dashboards re-run their queries on a refresh interval (Grafana offers 5s to 1d); 30s.
  SimTime dashboard_refresh = 30 * kSec;
  // Audit records per managed device per second (logins, commands, commits), the shipper's delivery capacity in
  // records per second, and its normal delivery lag.
  double audit_rate = 0.1;
  double audit_capacity = 50;
  SimTime audit_lag = 2 * kSec;
  // Access paths: "out-of-band" (the management network), "in-band" (SSH over the production network, entering at
  // inband_gateway, default the first router) or "both".
  std::string access = "out-of-band";
  std::string inband_gateway;
  // Cluster components (etcd, API server, controller manager, kubelets) serve /metrics; the station scrapes them
  // as Prometheus does (HTTP over TCP, same interval and timeout), through the same access paths as the devices.
  bool scrape_components = true;
  // The `for:` of the component rules; unset, each rule keeps kubernetes-mixin's (15m for the *Down rules, 1m for
  // etcdNoLeader). Short runs and classes set it shorter.
  std::optional<SimTime> component_for;
};

/// The "telemetry" section: parser, schema fragment and the checks that need the whole scenario.
ScenarioSection TelemetrySection();

}  // namespace planelab
