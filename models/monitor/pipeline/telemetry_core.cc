#include "models/monitor/pipeline/telemetry_core.h"

#include <deque>

namespace planelab::telemetry {

uint64_t ScrapeLoop::Start(SimTime now) {
  started_ = now;
  next_ = now + interval_;
  return ++current_;
}

void SeriesStore::Append(const std::string& series, SimTime t, double value) {
  std::deque<Sample>& s = series_[series];
  if (!s.empty() && t < s.back().t) return;  // out of order: Prometheus rejects it too
  s.push_back({t, value, false});
  // Keep only what a query at or after t can still see: the newest sample older than t - lookback and after it.
  while (s.size() > 1 && s[1].t <= t - lookback_) s.pop_front();
}

void SeriesStore::MarkStale(const std::string& series, SimTime t) {
  auto it = series_.find(series);
  if (it == series_.end() || it->second.empty() || it->second.back().stale_marker || t < it->second.back().t) return;
  it->second.push_back({t, 0, true});
}

std::optional<Sample> SeriesStore::Instant(const std::string& series, SimTime at) const {
  auto it = series_.find(series);
  if (it == series_.end()) return std::nullopt;
  for (auto s = it->second.rbegin(); s != it->second.rend(); ++s) {
    if (s->t > at) continue;
    if (s->stale_marker || s->t <= at - lookback_) return std::nullopt;
    return *s;
  }
  return std::nullopt;
}

std::optional<SimTime> SeriesStore::LastSampleTime(const std::string& series, SimTime at) const {
  auto it = series_.find(series);
  if (it == series_.end()) return std::nullopt;
  for (auto s = it->second.rbegin(); s != it->second.rend(); ++s) {
    if (s->t <= at && !s->stale_marker) return s->t;
  }
  return std::nullopt;
}

std::string SeriesName(const std::string& metric, const std::string& device) { return metric + "{" + device + "}"; }

std::vector<AlertTransition> RuleEvaluator::Evaluate(const SeriesStore& store, SimTime now) {
  std::vector<AlertTransition> out;
  for (const AlertRule& r : rules_) {
    for (const std::string& d : devices_) {
      AlertLabels l{r.name, d, r.plane, r.severity};
      bool holds = r.expr(store, d, now);
      auto it = active_.find(l);
      if (holds) {
        if (it == active_.end()) {
          it = active_.emplace(l, Active{now, false}).first;
          out.push_back({l, AlertTransition::To::kPending, now});
        }
        // Prometheus fires once the condition has held for `for` at an evaluation (for: 0 fires at once).
        if (!it->second.firing && now - it->second.since >= r.for_duration) {
          it->second.firing = true;
          out.push_back({l, AlertTransition::To::kFiring, it->second.since});
        }
      } else if (it != active_.end()) {
        if (it->second.firing) out.push_back({l, AlertTransition::To::kResolved, it->second.since});
        active_.erase(it);
      }
    }
  }
  return out;
}

std::vector<AlertLabels> RuleEvaluator::Firing() const {
  std::vector<AlertLabels> out;
  for (const auto& [l, a] : active_) {
    if (a.firing) out.push_back(l);
  }
  return out;
}

std::string AlertManager::GroupOf(const AlertLabels& a) const {
  std::string key = "{";
  for (size_t i = 0; i < config_.group_by.size(); ++i) {
    const std::string& g = config_.group_by[i];
    std::string v = g == "alertname" ? a.alertname : g == "device" ? a.device : g == "plane" ? a.plane
                    : g == "severity" ? a.severity : "";
    key += (i ? "," : "") + g + "=\"" + v + "\"";
  }
  return key + "}";
}

void AlertManager::Receive(const AlertTransition& t, SimTime now) {
  if (t.to == AlertTransition::To::kPending) return;  // Prometheus sends only firing and resolved alerts
  std::string key = GroupOf(t.labels);
  auto [it, fresh] = groups_.try_emplace(key);
  Group& g = it->second;
  if (t.to == AlertTransition::To::kFiring) {
    g.firing.insert(t.labels);
    g.resolved.erase(t.labels);
  } else {
    if (!g.firing.erase(t.labels)) return;
    g.resolved.insert(t.labels);
  }
  if (!g.changed) {
    g.changed = true;
    // A new group waits group_wait so alerts of the same cause arriving together go out as one notification;
    // a group already notified waits for its group_interval.
    g.due = g.last_notified ? std::max(now, *g.last_notified + config_.group_interval) : now + config_.group_wait;
  }
}

std::vector<Notification> AlertManager::Flush(SimTime now) {
  std::vector<Notification> out;
  for (auto& [key, g] : groups_) {
    bool repeat = !g.changed && !g.firing.empty() && g.last_notified && now >= *g.last_notified + config_.repeat_interval;
    if (!(g.changed && now >= g.due) && !repeat) continue;
    Notification n;
    n.at = g.changed ? g.due : *g.last_notified + config_.repeat_interval;
    n.group = key;
    n.firing.assign(g.firing.begin(), g.firing.end());
    n.resolved.assign(g.resolved.begin(), g.resolved.end());
    g.resolved.clear();
    g.changed = false;
    g.last_notified = n.at;
    out.push_back(std::move(n));
  }
  std::stable_sort(out.begin(), out.end(), [](const Notification& a, const Notification& b) { return a.at < b.at; });
  return out;
}

std::optional<SimTime> AlertManager::NextFlush() const {
  std::optional<SimTime> next;
  for (const auto& [_, g] : groups_) {
    std::optional<SimTime> t;
    if (g.changed) t = g.due;
    else if (!g.firing.empty() && g.last_notified) t = *g.last_notified + config_.repeat_interval;
    if (t && (!next || *t < *next)) next = t;
  }
  return next;
}

void AccessPaths::SetLink(const std::string& id, const std::string& a, const std::string& b, bool up) {
  links_[id] = {{a, b}, up};
}

void AccessPaths::SetInbandBlocked(const std::string& device, bool blocked) {
  if (blocked) blocked_.insert(device);
  else blocked_.erase(device);
}

void AccessPaths::SetOobUp(const std::string& device, bool up) {
  if (up) oob_down_.erase(device);
  else oob_down_.insert(device);
}

void AccessPaths::Recompute() {
  inband_.clear();
  if (gateway_.empty() || blocked_.count(gateway_)) return;
  std::map<std::string, std::vector<std::string>> adj;
  for (const auto& [_, l] : links_) {
    if (!l.second) continue;
    adj[l.first.first].push_back(l.first.second);
    adj[l.first.second].push_back(l.first.first);
  }
  std::deque<std::string> todo{gateway_};
  inband_.insert(gateway_);
  while (!todo.empty()) {
    std::string d = todo.front();
    todo.pop_front();
    for (const std::string& n : adj[d]) {
      // A blocked router cannot be reached in-band (its routing is gone) and carries nothing onward.
      if (blocked_.count(n) || !inband_.insert(n).second) continue;
      todo.push_back(n);
    }
  }
}

bool AccessPaths::OobReachable(const std::string& device) const { return oob_down_.count(device) == 0; }

bool AccessPaths::Manageable(const std::string& device) const {
  bool oob = mode_ != Mode::kInBand && OobReachable(device);
  bool inband = mode_ != Mode::kOutOfBand && InbandReachable(device);
  return oob || inband;
}

std::vector<IncidentMeasure> MeasureIncidents(const std::vector<IncidentFault>& faults,
                                              const std::vector<Notification>& notifications) {
  std::vector<IncidentMeasure> out;
  for (const IncidentFault& f : faults) {
    IncidentMeasure m;
    m.fault_kind = f.kind;
    m.target = f.target;
    m.plane = f.plane;
    m.start_s = f.start_s;
    for (const Notification& n : notifications) {
      double at = ToSeconds(n.at);
      if (at < f.start_s || n.firing.empty()) continue;
      if (at > f.attribution_end_s) break;
      if (m.time_to_know_s && at - f.start_s > *m.time_to_detect_s) break;
      // The first page is every notification of that instant (one per group).
      if (!m.time_to_detect_s || *m.time_to_detect_s == at - f.start_s) {
        m.time_to_detect_s = at - f.start_s;
        for (const AlertLabels& a : n.firing) {
          m.first_seen += (m.first_seen.empty() ? "" : ", ") + a.alertname + "@" + a.device + "/" + a.plane;
        }
      }
      for (const AlertLabels& a : n.firing) {
        bool right_device = std::find(f.devices.begin(), f.devices.end(), a.device) != f.devices.end();
        bool names_cause = f.knowing_alerts.empty() ||
                           std::find(f.knowing_alerts.begin(), f.knowing_alerts.end(), a.alertname) != f.knowing_alerts.end();
        if (!m.time_to_know_s && right_device && names_cause && (f.plane.empty() || a.plane == f.plane)) {
          m.time_to_know_s = at - f.start_s;
          break;
        }
      }
    }
    out.push_back(m);
  }
  return out;
}

}  // namespace planelab::telemetry
