// The telemetry pipeline's pure cores: collection schedules, the time-series store, rule evaluation, the alert
// manager, delivery queues (ingest lag, audit log) and access paths. No ns-3: the monitoring station's actor feeds
// them with samples and ticks in simulated time, and tests drive them alone (tests/models/monitor/).
#pragma once
#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "models/proto/telemetry_stream.h"
#include "sim/util/units.h"

namespace planelab::telemetry {

constexpr SimTime kMinute = 60 * kSec;

// ---------------------------------------------------------------------------------------------------------------
// Collection

// StreamMode and StreamSubscription (the device side of gNMI streaming) are in models/proto/telemetry_stream.h.

/// A Prometheus-like scrape loop for one target: one scrape per interval, a scrape that does not answer within the
/// timeout fails. Prometheus's defaults: scrape_interval 1m, scrape_timeout 10s (configuration docs, <global>).
class ScrapeLoop {
 public:
  ScrapeLoop(SimTime interval, SimTime timeout, SimTime offset) : interval_(interval), timeout_(timeout), next_(offset) {}
  /// When the next scrape starts.
  SimTime NextScrape() const { return next_; }
  /// Starts the scrape due now; returns its number.
  uint64_t Start(SimTime now);
  /// The answer of scrape `n` at `now`: true when it counts (in time and still the current one).
  bool Answer(uint64_t n, SimTime now) const { return n == current_ && now - started_ <= timeout_; }
  SimTime timeout() const { return timeout_; }

 private:
  SimTime interval_, timeout_, next_;
  uint64_t current_ = 0;
  SimTime started_ = 0;
};

// ---------------------------------------------------------------------------------------------------------------
// Storage and queries

/// One stored sample; a staleness marker (Prometheus writes a special NaN) ends a series at its time.
struct Sample {
  SimTime t = 0;
  double value = 0;
  bool stale_marker = false;
};

/// A time-series store queried like Prometheus: an instant query at t returns each series' latest sample at or
/// before t, unless it is older than the lookback delta (--query.lookback-delta, default 5m) or is a staleness
/// marker, in which case the series is absent from the result.
class SeriesStore {
 public:
  explicit SeriesStore(SimTime lookback = 5 * kMinute) : lookback_(lookback) {}
  void Append(const std::string& series, SimTime t, double value);
  /// Marks `series` stale at t (its target went away or the series left the scrape).
  void MarkStale(const std::string& series, SimTime t);
  /// The series' value as an instant query at `at` sees it, or none.
  std::optional<Sample> Instant(const std::string& series, SimTime at) const;
  /// Time of the latest real sample (not a marker) of the series at or before `at`, or none.
  std::optional<SimTime> LastSampleTime(const std::string& series, SimTime at) const;
  SimTime lookback() const { return lookback_; }
  size_t series_count() const { return series_.size(); }

 private:
  SimTime lookback_;
  // Samples in time order; older ones are dropped once a newer sample is itself older than the lookback.
  std::map<std::string, std::deque<Sample>> series_;
};

/// The series name of a metric of one device: "<metric>{<device>}".
std::string SeriesName(const std::string& metric, const std::string& device);

// ---------------------------------------------------------------------------------------------------------------
// Rules and alerts

/// An alert's identity and what it says: the alerting rule's name, and the device and plane its labels name.
struct AlertLabels {
  std::string alertname, device, plane, severity;
  bool operator<(const AlertLabels& o) const {
    return std::tie(alertname, device, plane) < std::tie(o.alertname, o.device, o.plane);
  }
  bool operator==(const AlertLabels& o) const { return alertname == o.alertname && device == o.device && plane == o.plane; }
};

/// An alerting rule over the store: for each device, `expr` says whether the condition holds at the evaluation
/// time; a condition that holds for `for_duration` fires (Prometheus alerting rules, "for" clause).
struct AlertRule {
  std::string name, plane, severity;
  SimTime for_duration = 0;
  std::function<bool(const SeriesStore&, const std::string& device, SimTime at)> expr;
};

/// A change of an alert's state found by one evaluation.
struct AlertTransition {
  AlertLabels labels;
  enum class To { kPending, kFiring, kResolved } to;
  SimTime active_since = 0;
};

/// Evaluates alerting rules on a fixed interval (Prometheus global evaluation_interval, default 1m) and keeps the
/// pending and firing alerts. An alert pending for its rule's `for` duration fires; one whose condition stops
/// holding resolves (or, when only pending, is dropped).
class RuleEvaluator {
 public:
  RuleEvaluator(std::vector<AlertRule> rules, std::vector<std::string> devices)
      : rules_(std::move(rules)), devices_(std::move(devices)) {}
  std::vector<AlertTransition> Evaluate(const SeriesStore& store, SimTime now);
  /// Alerts firing now.
  std::vector<AlertLabels> Firing() const;

 private:
  struct Active {
    SimTime since = 0;
    bool firing = false;
  };
  std::vector<AlertRule> rules_;
  std::vector<std::string> devices_;
  std::map<AlertLabels, Active> active_;
};

/// A notification the alert manager sends to the on-call: the group and the alerts firing in it.
struct Notification {
  SimTime at = 0;
  std::string group;
  std::vector<AlertLabels> firing;
  std::vector<AlertLabels> resolved;
};

/// The alert manager's grouping and throttling (Alertmanager configuration docs, <route>): alerts are grouped by
/// the labels in group_by; a new group waits group_wait (default 30s) before its first notification; a group that
/// changes is notified again group_interval (default 5m) after its last one; an unchanged group is repeated after
/// repeat_interval (default 4h).
class AlertManager {
 public:
  struct Config {
    std::vector<std::string> group_by{"alertname"};
    SimTime group_wait = 30 * kSec;
    SimTime group_interval = 5 * kMinute;
    SimTime repeat_interval = 4 * 60 * kMinute;
  };
  explicit AlertManager(Config c) : config_(std::move(c)) {}
  /// An alert fired or resolved at `now`.
  void Receive(const AlertTransition& t, SimTime now);
  /// Notifications due at or before `now`, in time order.
  std::vector<Notification> Flush(SimTime now);
  /// When Flush next has something to do, or none.
  std::optional<SimTime> NextFlush() const;
  std::string GroupOf(const AlertLabels& a) const;

 private:
  struct Group {
    std::set<AlertLabels> firing, resolved;
    bool changed = false;
    std::optional<SimTime> last_notified;
    SimTime due = 0;
  };
  Config config_;
  std::map<std::string, Group> groups_;
};

// ---------------------------------------------------------------------------------------------------------------
// Delivery: the pipeline's ingest hop and the audit log's shipping

/// A queue that delivers items after a fixed lag and at most `rate` items per second (0: unlimited), in order; items
/// that cannot be delivered yet wait in its backlog. Used for the ingest hop (collector -> store) and for audit
/// records (device -> log store).
template <class T>
class DeliveryQueue {
 public:
  void SetLag(SimTime lag) { lag_ = lag; }
  void SetRate(double per_second) { rate_ = per_second; }
  /// Stops (or resumes) delivery: items keep arriving and wait.
  void SetStopped(bool stopped) { stopped_ = stopped; }
  void Push(SimTime now, T item) { q_.push_back({now, std::move(item)}); }
  /// Delivers what is due at `now` (in order) and returns it.
  std::vector<std::pair<SimTime, T>> Deliver(SimTime now) {
    std::vector<std::pair<SimTime, T>> out;
    if (stopped_) {
      last_ = now;
      return out;
    }
    // Capacity unused while idle does not accumulate beyond one second's worth.
    if (rate_ > 0) budget_ = std::min(budget_ + rate_ * ToSeconds(now - last_), std::max(1.0, rate_));
    last_ = now;
    while (!q_.empty() && q_.front().first + lag_ <= now) {
      if (rate_ > 0) {
        if (budget_ < 1) break;
        budget_ -= 1;
      }
      out.push_back(std::move(q_.front()));
      q_.pop_front();
    }
    return out;
  }
  size_t backlog() const { return q_.size(); }
  /// Age at `now` of the oldest item not delivered yet (0 when none).
  SimTime OldestAge(SimTime now) const { return q_.empty() ? 0 : now - q_.front().first; }

 private:
  std::deque<std::pair<SimTime, T>> q_;
  SimTime lag_ = 0, last_ = 0;
  double rate_ = 0, budget_ = 0;
  bool stopped_ = false;
};

// ---------------------------------------------------------------------------------------------------------------
// Access paths

/// Reachability of each device's management access paths: in-band (SSH over the production network, from the
/// station's gateway router along links that are up, through routers that still route management traffic) and
/// out-of-band (the management network's own link). A device is manageable when some allowed path reaches it.
class AccessPaths {
 public:
  enum class Mode { kOutOfBand, kInBand, kBoth };
  explicit AccessPaths(Mode mode) : mode_(mode) {}
  /// The production network: a link between two devices, up or not.
  void SetLink(const std::string& id, const std::string& a, const std::string& b, bool up);
  /// A device that no longer routes in-band management (its routing is gone, or its in-band access is cut).
  void SetInbandBlocked(const std::string& device, bool blocked);
  void SetOobUp(const std::string& device, bool up);
  void SetGateway(const std::string& device) { gateway_ = device; }
  /// Recomputes in-band reachability from the gateway (breadth first over up links).
  void Recompute();
  bool InbandReachable(const std::string& device) const { return inband_.count(device) > 0; }
  bool OobReachable(const std::string& device) const;
  bool Manageable(const std::string& device) const;
  Mode mode() const { return mode_; }

 private:
  Mode mode_;
  std::string gateway_;
  std::map<std::string, std::pair<std::pair<std::string, std::string>, bool>> links_;
  std::set<std::string> blocked_, oob_down_, inband_;
};

// ---------------------------------------------------------------------------------------------------------------
// Measures per incident

/// What a run's events say about one fault, as the on-call experienced it.
struct IncidentMeasure {
  std::string fault_kind, target, plane;
  double start_s = 0;
  std::optional<double> time_to_detect_s;  // fault start -> first notification after it
  std::optional<double> time_to_know_s;    // fault start -> first notification naming the right device and plane
  std::string first_seen;                  // the first notification's alerts, as "alertname@device/plane, ..."
};

/// One fault as the measures need it: where it hit (the devices that count as "the right device") and its plane.
struct IncidentFault {
  std::string kind, target, plane;
  std::vector<std::string> devices;
  double start_s = 0;
  // Pages after this are not about the fault (its end plus the lookback: nothing of it is left to see by then).
  double attribution_end_s = 1e300;
  // Alerts that name the cause, when only some do (a stalled collector is known by TelemetryStale, not by any alert
  // on the station); empty: any alert on the right device and plane.
  std::vector<std::string> knowing_alerts;
};

/// Time to detect and time to know of each fault from the notifications the on-call received.
std::vector<IncidentMeasure> MeasureIncidents(const std::vector<IncidentFault>& faults,
                                              const std::vector<Notification>& notifications);

}  // namespace planelab::telemetry
