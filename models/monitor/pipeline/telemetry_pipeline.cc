#include "models/monitor/pipeline/telemetry_pipeline.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace planelab::telemetry {

namespace {

int Rank(Health h) { return h == Health::kDown ? 2 : h == Health::kDegraded ? 1 : 0; }

nlohmann::json AlertJson(const AlertLabels& a) {
  return {{"alertname", a.alertname}, {"device", a.device}, {"plane", a.plane}, {"severity", a.severity}};
}

std::optional<double> Value(const SeriesStore& s, const std::string& metric, const std::string& device, SimTime at) {
  auto v = s.Instant(SeriesName(metric, device), at);
  if (!v) return std::nullopt;
  return v->value;
}

/// PromQL's increase(metric[window]) from two instant queries, a counter reset counting from zero.
std::optional<double> Increase(const SeriesStore& s, const std::string& metric, const std::string& device, SimTime at,
                               SimTime window) {
  auto now = Value(s, metric, device, at), then = Value(s, metric, device, at - window);
  if (!now || !then) return std::nullopt;
  return *now >= *then ? *now - *then : *now;
}

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

const std::vector<std::string>& DeviceSeries() {
  static const std::vector<std::string> k = {"up", "if_oper_up", "if_total", "cpu_pct", "adj_up", "adj_cfg"};
  return k;
}

TelemetryPipeline::TelemetryPipeline(PipelineConfig config, std::vector<std::string> devices,
                                     std::string station, std::map<std::string, std::string> jobs)
    : config_(std::move(config)),
      devices_(std::move(devices)),
      station_(std::move(station)),
      jobs_(std::move(jobs)),
      store_(config_.lookback),
      rules_({}, {}),
      alertmanager_(config_.alertmanager) {
  std::vector<std::string> all = devices_;
  all.push_back(station_);
  rules_ = RuleEvaluator(Rules(), all);
  ingest_.SetLag(config_.ingest_lag);
  audit_.SetLag(config_.audit_lag);
  audit_.SetRate(config_.audit_capacity);
  for (const auto& d : devices_) reachable_[d] = true;
  next_eval_ = config_.evaluation_interval;
  next_refresh_ = config_.dashboard_refresh;
}

std::vector<AlertRule> TelemetryPipeline::Rules() const {
  // The device rules an NMS ships with, as PromQL would write them over the collected series.
  SimTime f = config_.rule_for;
  auto lt = [](const char* a, const char* b) {
    return [a, b](const SeriesStore& s, const std::string& d, SimTime at) {
      auto x = Value(s, a, d, at), y = Value(s, b, d, at);
      return x && y && *x < *y && *x > 0;
    };
  };
  std::vector<AlertRule> r;
  // up == 0: the collector cannot reach the device's agent.
  // (Scraped components have their own *Down rules below.)
  r.push_back({"TargetDown", "management", "critical", f, [this](const SeriesStore& s, const std::string& d, SimTime at) {
                 if (jobs_.count(d)) return false;
                 auto v = Value(s, "up", d, at);
                 return v && *v == 0;
               }});
  // if_oper_up == 0 and if_total > 0: every interface is down.
  r.push_back({"AllInterfacesDown", "data", "critical", f, [](const SeriesStore& s, const std::string& d, SimTime at) {
                 auto up = Value(s, "if_oper_up", d, at), total = Value(s, "if_total", d, at);
                 return up && total && *up == 0 && *total > 0;
               }});
  r.push_back({"InterfaceDown", "data", "warning", f, lt("if_oper_up", "if_total")});
  r.push_back({"RoutingNeighborDown", "control", "warning", f, [](const SeriesStore& s, const std::string& d, SimTime at) {
                 auto up = Value(s, "adj_up", d, at), cfg = Value(s, "adj_cfg", d, at);
                 return up && cfg && *up < *cfg;
               }});
  r.push_back({"ControlCpuHigh", "control", "warning", f, [](const SeriesStore& s, const std::string& d, SimTime at) {
                 auto v = Value(s, "cpu_pct", d, at);
                 return v && *v >= 90;
               }});
  // Meta-monitoring: the newest sample of every device is older than three collection intervals, so the pipeline
  // itself has stopped delivering (collector stalled, ingest lagging). Raised on the station.
  std::vector<std::string> devs = devices_;
  std::string station = station_;
  SimTime limit = 3 * config_.collection_interval;
  r.push_back({"TelemetryStale", "management", "critical", 0,
               [devs, station, limit](const SeriesStore& s, const std::string& d, SimTime at) {
                 if (d != station || devs.empty()) return false;
                 std::optional<SimTime> newest;
                 for (const auto& dev : devs) {
                   auto t = s.LastSampleTime(SeriesName("up", dev), at);
                   if (t && (!newest || *t > *newest)) newest = t;
                 }
                 return newest ? at - *newest > limit : at > limit;
               }});
  // Meta-monitoring of audit delivery: the oldest undelivered record is more than two minutes old.
  r.push_back({"AuditDeliveryLagging", "management", "warning", f,
               [station](const SeriesStore& s, const std::string& d, SimTime at) {
                 if (d != station) return false;
                 auto v = Value(s, "audit_lag_seconds", d, at);
                 return v && *v > 120;
               }});
  if (!jobs_.empty()) {
    for (AlertRule& rule : ComponentRules()) r.push_back(std::move(rule));
  }
  return r;
}

std::vector<AlertRule> TelemetryPipeline::ComponentRules() const {
  // The rules kube-prometheus ships for the control plane (kubernetes-mixin, etcd's etcd-mixin), per component
  // rather than per job, over the series the components' own /metrics expose. Each keeps the mixin's `for:` unless
  // the scenario sets component_for.
  auto f = [this](SimTime mixin) { return config_.component_for.value_or(mixin); };
  auto down = [this](const char* j) {
    return [this, j](const SeriesStore& s, const std::string& d, SimTime at) {
      auto it = jobs_.find(d);
      if (it == jobs_.end() || it->second != j) return false;
      auto v = Value(s, "up", d, at);
      return v && *v == 0;
    };
  };
  std::vector<AlertRule> r;
  // kubernetes-mixin: absent(up{job="apiserver"} == 1) for: 15m, critical; likewise for the controller manager;
  // KubeletDown: kubelets whose up == 0, for: 15m, critical (the mixin pages on more than 3 % of them; here each).
  r.push_back({"KubeAPIDown", "control", "critical", f(15 * kMinute), down(job::kApiServer)});
  r.push_back({"KubeControllerManagerDown", "control", "critical", f(15 * kMinute), down(job::kControllerManager)});
  r.push_back({"KubeletDown", "control", "critical", f(15 * kMinute), down(job::kKubelet)});
  // etcd-mixin: etcdMembersDown (a member's up == 0 ...) for: 10m, critical; etcdNoLeader: etcd_server_has_leader
  // == 0 for: 1m, critical; etcdHighNumberOfLeaderChanges: increase(leader_changes_seen_total[15m]) >= 4, warning.
  r.push_back({"etcdMembersDown", "control", "critical", f(10 * kMinute), down(job::kEtcd)});
  r.push_back({"etcdNoLeader", "control", "critical", f(kMinute), [](const SeriesStore& s, const std::string& d, SimTime at) {
                 auto v = Value(s, "has_leader", d, at);
                 return v && *v == 0;
               }});
  r.push_back({"etcdHighNumberOfLeaderChanges", "control", "warning", f(5 * kMinute),
               [](const SeriesStore& s, const std::string& d, SimTime at) {
                 auto v = Increase(s, "leader_changes", d, at, 15 * kMinute);
                 return v && *v >= 4;
               }});
  // kubernetes-mixin (release-0.3) KubeAPIErrorsHigh: 5xx over 3 % of the API server's requests in 5m, for: 10m,
  // critical. Here the API server's error counters also count 429s (its inflight limits).
  r.push_back({"KubeAPIErrorsHigh", "control", "critical", f(10 * kMinute),
               [this](const SeriesStore& s, const std::string& d, SimTime at) {
                 auto ratio = ApiErrorRatio(s, d, at);
                 return ratio && *ratio > 0.03;
               }});
  return r;
}

std::optional<double> TelemetryPipeline::ApiErrorRatio(const SeriesStore& s, const std::string& device, SimTime at) const {
  auto it = component_series_.find(device);
  if (it == component_series_.end()) return std::nullopt;
  double requests = 0, errors = 0;
  bool any = false;
  for (const auto& m : it->second) {
    bool req = StartsWith(m, "requests_"), err = StartsWith(m, "errors_");
    if (!req && !err) continue;
    auto inc = Increase(s, m, device, at, 5 * kMinute);
    if (!inc) continue;
    any = true;
    (req ? requests : errors) += *inc;
  }
  if (!any || requests <= 0) return std::nullopt;
  return errors / requests;
}

std::vector<std::string> TelemetryPipeline::SeriesOf(const std::string& device) const {
  if (!jobs_.count(device)) return DeviceSeries();
  std::vector<std::string> out = {"up"};
  auto it = component_series_.find(device);
  if (it != component_series_.end()) {
    for (const auto& m : it->second) {
      if (m != "up") out.push_back(m);
    }
  }
  return out;
}

std::vector<std::vector<std::string>> TelemetryPipeline::Panels(const std::string& device) const {
  auto it = jobs_.find(device);
  if (it == jobs_.end()) return {{"if_oper_up", "if_total"}, {"cpu_pct", "adj_up", "adj_cfg"}, {"up"}};
  // A component's dashboard (the kube-prometheus "Kubernetes / <component>" boards): its control panel draws the
  // series that say whether it does its job; a kubelet's data panel, its pods.
  const std::string& j = it->second;
  if (j == job::kApiServer) return {{}, {"requests_get", "errors_get"}, {"up"}};
  if (j == job::kEtcd) return {{}, {"has_leader"}, {"up"}};
  if (j == job::kControllerManager) return {{}, {"workqueue_depth"}, {"up"}};
  return {{"ready_pods", "pods_running"}, {"pods_running", "lease_renew_failures"}, {"up"}};
}

void TelemetryPipeline::Collected(SimTime sample_t, SimTime now, const std::string& device,
                                  const std::map<std::string, double>& values) {
  if (collector_down_) return;
  ingest_.Push(now, Item{SeriesName("up", device), 1, sample_t, false});
  bool component = jobs_.count(device) > 0;
  for (const auto& [metric, v] : values) {
    ingest_.Push(now, Item{SeriesName(metric, device), v, sample_t, false});
    if (component) component_series_[device].insert(metric);
  }
}

void TelemetryPipeline::CollectionFailed(SimTime now, const std::string& device) {
  if (collector_down_) return;
  ingest_.Push(now, Item{SeriesName("up", device), 0, now, false});
  for (const auto& metric : SeriesOf(device)) {
    if (metric != "up") ingest_.Push(now, Item{SeriesName(metric, device), 0, now, true});
  }
}

void TelemetryPipeline::SetExtraLag(SimTime lag) { ingest_.SetLag(config_.ingest_lag + lag); }

void TelemetryPipeline::SetAuditCapacityFactor(double factor) {
  audit_.SetStopped(factor <= 0);
  audit_.SetRate(std::max(factor, 1e-9) * config_.audit_capacity);
}

void TelemetryPipeline::SetDeviceReachable(const std::string& device, bool reachable) { reachable_[device] = reachable; }

size_t TelemetryPipeline::audit_backlog() const {
  size_t n = audit_.backlog();
  for (const auto& [_, q] : audit_held_) n += q.size();
  return n;
}

std::vector<PipelineEvent> TelemetryPipeline::Tick(SimTime now) {
  std::vector<PipelineEvent> events;
  // Audit records: produced on the devices, shipped when a management path reaches them.
  double dt = ToSeconds(now - last_tick_);
  last_tick_ = now;
  SimTime oldest_held = now;
  for (const auto& d : devices_) {
    double& due = audit_due_[d];
    due += config_.audit_rate * dt;
    std::deque<SimTime>& held = audit_held_[d];
    for (; due >= 1; due -= 1) held.push_back(now);
    if (reachable_[d]) {
      for (SimTime t : held) audit_.Push(t, d);
      held.clear();
    } else if (!held.empty()) {
      oldest_held = std::min(oldest_held, held.front());
    }
  }
  audit_.Deliver(now);
  audit_lag_s_ = ToSeconds(std::max(now - oldest_held, audit_.OldestAge(now)));
  // The shipper exports its own lag, scraped locally with the station's other self-metrics.
  store_.Append(SeriesName("audit_lag_seconds", station_), now, audit_lag_s_);

  // Ingest: what the collector handed over reaches the store after the hop's lag.
  for (auto& [_, item] : ingest_.Deliver(now)) {
    if (item.stale_marker) store_.MarkStale(item.series, item.sample_t);
    else store_.Append(item.series, item.sample_t, item.value);
  }

  // Rules on their interval, then the alert manager; both stop while alerting is down.
  for (; now >= next_eval_; next_eval_ += config_.evaluation_interval) {
    if (alerting_down_) continue;
    for (const AlertTransition& t : rules_.Evaluate(store_, next_eval_)) {
      if (t.to == AlertTransition::To::kPending) continue;
      nlohmann::json d = AlertJson(t.labels);
      d["active_since_s"] = ToSeconds(t.active_since);
      if (t.to == AlertTransition::To::kFiring) firing_.insert(t.labels);
      else firing_.erase(t.labels);
      events.push_back({t.to == AlertTransition::To::kFiring ? "alert.firing" : "alert.resolved", d.dump()});
      alertmanager_.Receive(t, next_eval_);
    }
  }
  if (!alerting_down_) {
    for (Notification& n : alertmanager_.Flush(now)) {
      nlohmann::json d = {{"group", n.group}, {"firing", nlohmann::json::array()}, {"resolved", nlohmann::json::array()}};
      for (const auto& a : n.firing) {
        d["firing"].push_back(AlertJson(a));
        notified_.insert(a);
      }
      for (const auto& a : n.resolved) {
        d["resolved"].push_back(AlertJson(a));
        notified_.erase(a);
      }
      events.push_back({"alert.notified", d.dump()});
      notifications_.push_back(std::move(n));
    }
  }
  for (; now >= next_refresh_; next_refresh_ += config_.dashboard_refresh) Refresh(now);
  return events;
}

void TelemetryPipeline::Refresh(SimTime now) {
  // Each device has three panels (data: interfaces; control: CPU and neighbours; management: reachability), each
  // stale when a series it draws has no data or was last updated more than two collection intervals ago.
  // A component's panels are those of its job (Panels()); an empty panel is one its board does not have.
  refreshed_at_ = now;
  SimTime stale_after = 2 * config_.collection_interval;
  size_t panels = 0, stale = 0;
  SimTime oldest = now;
  double lag = 0;
  for (const auto& d : devices_) {
    DevicePanels p;
    for (const auto& metric : SeriesOf(d)) {
      std::string name = SeriesName(metric, d);
      auto v = store_.Instant(name, now);
      if (!v) continue;
      p.values[metric] = v->value;
      if (!p.last_updated || v->t > *p.last_updated) p.last_updated = v->t;
      auto it = shown_.find(name);
      if (it == shown_.end() || it->second < v->t) {
        lag = std::max(lag, ToSeconds(now - v->t));
        shown_[name] = v->t;
      }
    }
    for (const auto& panel : Panels(d)) {
      if (panel.empty()) continue;
      ++panels;
      bool ok = true;
      for (const auto& metric : panel) {
        auto t = store_.LastSampleTime(SeriesName(metric, d), now);
        ok &= p.values.count(metric) && t && now - *t <= stale_after;
      }
      stale += ok ? 0 : 1;
    }
    auto up = store_.LastSampleTime(SeriesName("up", d), now);
    oldest = std::min(oldest, up ? *up : 0);
    panels_[d] = std::move(p);
  }
  data_age_s_ = ToSeconds(now - oldest);
  shown_lag_s_ = lag;
  stale_share_ = panels ? static_cast<double>(stale) / static_cast<double>(panels) : 0;
}

Health TelemetryPipeline::Reported(const std::string& device, Plane plane) const {
  auto it = panels_.find(device);
  Health panel = Health::kUnknown;
  // The station's own management plane: the pipeline is up unless an alert about it says otherwise.
  if (device == station_ && plane == Plane::kManagement) panel = Health::kUp;
  auto component = jobs_.find(device);
  if (it != panels_.end() && component != jobs_.end()) {
    panel = ReportedComponent(component->second, device, it->second, plane);
  } else if (it != panels_.end()) {
    const auto& v = it->second.values;
    auto has = [&v](std::initializer_list<const char*> names) {
      for (const char* n : names) {
        if (!v.count(n)) return false;
      }
      return true;
    };
    switch (plane) {
      case Plane::kManagement:
        if (has({"up"})) panel = v.at("up") == 0 ? Health::kDown : Health::kUp;
        break;
      case Plane::kData:
        if (has({"if_oper_up", "if_total"})) {
          double up = v.at("if_oper_up"), total = v.at("if_total");
          panel = up == 0 && total > 0 ? Health::kDown : up < total ? Health::kDegraded : Health::kUp;
        }
        break;
      case Plane::kControl:
        // Typical NMS thresholds, as the plain station uses: CPU at 90 % or a neighbour missing is a warning.
        if (has({"cpu_pct", "adj_up", "adj_cfg"})) {
          panel = v.at("cpu_pct") >= 90 || v.at("adj_up") < v.at("adj_cfg") ? Health::kDegraded : Health::kUp;
        }
        break;
    }
  }
  // What the on-call was told: a firing alert on this device and plane.
  std::optional<Health> told;
  for (const AlertLabels& a : notified_) {
    if (a.device != device || a.plane != ToString(plane)) continue;
    Health h = a.severity == "critical" ? Health::kDown : Health::kDegraded;
    if (!told || Rank(h) > Rank(*told)) told = h;
  }
  if (!told) return panel;
  if (panel == Health::kUnknown) return *told;
  return Rank(*told) > Rank(panel) ? *told : panel;
}

Health TelemetryPipeline::ReportedComponent(const std::string& j, const std::string& device, const DevicePanels& p,
                                             Plane plane) const {
  const auto& v = p.values;
  auto has = [&v](const char* n) { return v.count(n) > 0; };
  switch (plane) {
    case Plane::kManagement:
      return has("up") ? (v.at("up") == 0 ? Health::kDown : Health::kUp) : Health::kUnknown;
    case Plane::kControl:
      // A failed scrape leaves the control panel with No data (its series were marked stale): operators cannot
      // tell a dead process from a cut path until a *Down rule has held for its `for:`.
      if (j == job::kEtcd) {
        if (!has("has_leader")) return Health::kUnknown;
        return v.at("has_leader") == 0 ? Health::kDown : Health::kUp;
      }
      if (j == job::kApiServer) {
        if (!has("requests_get")) return Health::kUnknown;
        auto ratio = ApiErrorRatio(store_, device, refreshed_at_);
        return ratio && *ratio > 0.03 ? Health::kDegraded : Health::kUp;
      }
      if (j == job::kControllerManager) return has("workqueue_depth") ? Health::kUp : Health::kUnknown;
      if (j == job::kKubelet) {
        if (!has("pods_running")) return Health::kUnknown;
        auto failures = Increase(store_, "lease_renew_failures", device, refreshed_at_, 5 * kMinute);
        return failures && *failures > 0 ? Health::kDegraded : Health::kUp;
      }
      return Health::kUnknown;
    case Plane::kData:
      if (j != job::kKubelet || !has("ready_pods") || !has("pods_running")) return Health::kUnknown;
      return v.at("ready_pods") < v.at("pods_running") ? Health::kDegraded : Health::kUp;
  }
  return Health::kUnknown;
}

}  // namespace planelab::telemetry
