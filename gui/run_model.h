// A recorded run, loaded from its run folder for replay: topology, health keyframes, events, series.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace planelab {
class RunStoreReader;
}

namespace planelab::gui {

/// A device of the run, as the run store lists it.
struct DeviceInfo {
  std::string id, kind;
  std::vector<std::string> groups;
  bool has_pos = false;
  double x = 0, y = 0;  // from the scenario's "pos", when given
};

/// A link of the run (data or out-of-band).
struct LinkInfo {
  std::string id, a, b, network;
};

/// One recorded event.
struct EventInfo {
  double t = 0;
  std::string device, plane, kind, detail;
};

/// A fault window, from its fault.start and fault.end events.
struct FaultWindow {
  double from = 0, to = 0;
  std::string kind, target;
};

/// Health of a plane at one instant.
struct PlaneState {
  std::string actual = "unknown", reported = "unknown";
};

/// Loads a run folder and answers "what was the state at time t" by binary search on keyframes.
class RunModel {
 public:
  RunModel();
  ~RunModel();
  RunModel(RunModel&&) noexcept;
  RunModel& operator=(RunModel&&) noexcept;
  /// Loads `run_dir`; returns false and sets error() on a missing, corrupt or incompatible run.
  bool Load(const std::string& run_dir);
  const std::string& error() const { return error_; }

  const std::string& scenario() const { return scenario_; }
  double duration() const { return duration_; }
  const std::vector<DeviceInfo>& devices() const { return devices_; }
  const std::vector<LinkInfo>& links() const { return links_; }
  const std::vector<EventInfo>& events() const { return events_; }
  const std::vector<FaultWindow>& faults() const { return faults_; }
  /// The planes a device has, in data/control/management order.
  std::vector<std::string> PlanesOf(const std::string& device) const;
  /// State of a plane at time t: the sample covering t (the first sample at or after t).
  PlaneState StateAt(const std::string& device, const std::string& plane, double t) const;
  /// Utilisation of a data link in the interval covering t (0..1), NaN when not recorded.
  double LinkUtilizationAt(const std::string& link, double t) const;
  /// Whether a link was cut at time t (carrier lost on it, or its OOB path cut by a fault).
  bool LinkDownAt(const std::string& link, double t) const;
  /// Values of one metric series over the run.
  std::vector<std::pair<double, double>> Series(const std::string& device, const std::string& plane,
                                                const std::string& metric) const;
  /// Last sampled value of a metric at or before t (NaN if none).
  double MetricAt(const std::string& device, const std::string& plane, const std::string& metric, double t) const;

 private:
  struct Keyframes {
    std::vector<double> t;
    std::vector<PlaneState> state;
  };
  std::string error_, scenario_;
  std::unique_ptr<RunStoreReader> store_;  // kept open for metric queries (charts, hover text)
  double duration_ = 0;
  std::vector<DeviceInfo> devices_;
  std::vector<LinkInfo> links_;
  std::vector<EventInfo> events_;
  std::vector<FaultWindow> faults_;
  std::map<std::pair<std::string, std::string>, Keyframes> health_;
  std::map<std::string, std::vector<std::pair<double, double>>> link_down_;  // link -> [from, to) windows
  std::map<std::string, std::vector<std::pair<double, double>>> link_util_;  // link -> (t, utilisation)
};

}  // namespace planelab::gui
