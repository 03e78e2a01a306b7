// The monitoring station's telemetry pipeline, end to end and pure: samples handed over by the collector pass an
// ingest hop into the series store; rules are evaluated on their interval and feed the alert manager; dashboards
// re-query on their refresh; audit records are shipped with a lag and a capacity. The station's actor binds it to
// simulated time (Tick every second) and to the wire (what its polls or streams bring back).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/monitor/pipeline/telemetry_core.h"
#include "sim/core/plane.h"

namespace planelab::telemetry {

/// The pipeline's settings (TelemetrySpec's, in the cores' terms).
struct PipelineConfig {
  SimTime collection_interval = 30 * kSec;  // how often each device's samples are expected
  SimTime ingest_lag = 1 * kSec;
  SimTime lookback = 5 * kMinute;
  SimTime evaluation_interval = kMinute;
  SimTime rule_for = kMinute;
  SimTime dashboard_refresh = 30 * kSec;
  AlertManager::Config alertmanager;
  double audit_rate = 0.1, audit_capacity = 50;
  SimTime audit_lag = 2 * kSec;
  // The `for:` of the component rules; unset, each keeps kubernetes-mixin's own.
  std::optional<SimTime> component_for;
};

/// Something the pipeline did that belongs in the run's event trace (kind and JSON detail).
struct PipelineEvent {
  std::string kind, detail;
};

/// What one dashboard shows of one device right now: each series' value, or none ("No data").
struct DevicePanels {
  std::map<std::string, double> values;
  std::optional<SimTime> last_updated;  // newest sample time among its series
};

/// The series each device's collection brings (names as in the store): `up` is the collector's own verdict.
const std::vector<std::string>& DeviceSeries();

/// The Prometheus jobs of scraped cluster components (their /metrics, scraped over HTTP): each decides the
/// component's panels and the kubernetes-mixin rules that watch it.
namespace job {
inline constexpr const char* kApiServer = "apiserver";
inline constexpr const char* kEtcd = "etcd";
inline constexpr const char* kControllerManager = "kube-controller-manager";
inline constexpr const char* kKubelet = "kubelet";
}  // namespace job

/// The whole pipeline for one station: collection hand-over, store, rules, alert manager, dashboards, audit.
class TelemetryPipeline {
 public:
  /// `jobs` names the Prometheus job of each scraped component among `devices`; the others are agents (routers,
  /// switches) with the SNMP/gNMI series of DeviceSeries().
  TelemetryPipeline(PipelineConfig config, std::vector<std::string> devices, std::string station,
                    std::map<std::string, std::string> jobs = {});
  // Its rules refer to the pipeline itself: it stays where it was made.
  TelemetryPipeline(const TelemetryPipeline&) = delete;
  TelemetryPipeline& operator=(const TelemetryPipeline&) = delete;

  // Collection. While the collector is down nothing is handed over (the station does not collect either).
  /// A device's values sampled at `sample_t` reached the collector at `now`.
  void Collected(SimTime sample_t, SimTime now, const std::string& device, const std::map<std::string, double>& values);
  /// A scrape of the device failed at `now` (timeout): up = 0, and its value series get staleness markers, as
  /// Prometheus does for the series of a failed scrape.
  void CollectionFailed(SimTime now, const std::string& device);

  // Faults on the pipeline.
  void SetCollectorDown(bool down) { collector_down_ = down; }
  bool collector_down() const { return collector_down_; }
  void SetExtraLag(SimTime lag);
  void SetAlertingDown(bool down) { alerting_down_ = down; }
  /// Audit shipping keeps this share of its capacity (0: stopped).
  void SetAuditCapacityFactor(double factor);
  /// Whether a device's audit records can leave it (its management path).
  void SetDeviceReachable(const std::string& device, bool reachable);

  /// Advances the pipeline to `now`; returns what happened (alerts, notifications) for the trace.
  std::vector<PipelineEvent> Tick(SimTime now);

  /// What the dashboards and the notified alerts say of a device's plane: up, degraded, down or unknown.
  Health Reported(const std::string& device, Plane plane) const;

  // Measures, as of the last Tick.
  double data_age_s() const { return data_age_s_; }          // oldest panel's "last updated", seconds ago
  double shown_lag_s() const { return shown_lag_s_; }        // sample time -> shown, newest refresh
  double stale_panel_share() const { return stale_share_; }  // panels with no data or not updated in 2 intervals
  size_t audit_backlog() const;
  double audit_lag_s() const { return audit_lag_s_; }
  size_t alerts_firing() const { return firing_.size(); }
  size_t notifications_sent() const { return notifications_.size(); }
  const std::vector<Notification>& notifications() const { return notifications_; }
  const SeriesStore& store() const { return store_; }

 private:
  struct Item {
    std::string series;
    double value = 0;
    SimTime sample_t = 0;
    bool stale_marker = false;
  };
  void Refresh(SimTime now);
  std::vector<AlertRule> Rules() const;
  /// The series a device's panels draw, per plane (data, control, management), by its job.
  std::vector<std::vector<std::string>> Panels(const std::string& device) const;
  /// The series the device's collection brought (agents: DeviceSeries(); components: what their scrapes had).
  std::vector<std::string> SeriesOf(const std::string& device) const;
  Health ReportedComponent(const std::string& j, const std::string& device, const DevicePanels& p, Plane plane) const;
  std::vector<AlertRule> ComponentRules() const;
  /// The API server's errors (429 and 5xx) over its requests in the last 5 minutes, as KubeAPIErrorsHigh computes.
  std::optional<double> ApiErrorRatio(const SeriesStore& s, const std::string& device, SimTime at) const;

  PipelineConfig config_;
  std::vector<std::string> devices_;
  std::string station_;
  std::map<std::string, std::string> jobs_;                  // scraped components: device -> Prometheus job
  std::map<std::string, std::set<std::string>> component_series_;  // what each component's scrapes brought
  SimTime refreshed_at_ = 0;
  SeriesStore store_;
  RuleEvaluator rules_;
  AlertManager alertmanager_;
  DeliveryQueue<Item> ingest_;
  DeliveryQueue<std::string> audit_;
  std::map<std::string, std::deque<SimTime>> audit_held_;  // records waiting on devices without a path
  std::map<std::string, double> audit_due_;                 // fractional records produced so far
  std::map<std::string, bool> reachable_;
  bool collector_down_ = false, alerting_down_ = false;
  SimTime last_tick_ = 0, next_eval_ = 0, next_refresh_ = 0;
  std::map<std::string, DevicePanels> panels_;
  std::map<std::string, SimTime> shown_;  // series -> sample time last shown
  std::set<AlertLabels> firing_;          // firing, as the rules see it
  std::set<AlertLabels> notified_;        // firing, as the on-call was told
  std::vector<Notification> notifications_;
  double data_age_s_ = 0, shown_lag_s_ = 0, stale_share_ = 0, audit_lag_s_ = 0;
};

}  // namespace planelab::telemetry
