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

/// An OpenFlow control channel between a switch and a controller, from the switch agent's ofchannel.up/down and
/// switch.role events: when it was up, and the role the controller held on it.
struct ControlChannel {
  std::string sw, controller;
  std::vector<std::pair<double, double>> up;                // [from, to) windows with the channel established
  std::vector<std::pair<double, std::string>> roles;        // (t, role) changes: master | slave | equal
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
  /// Loads `run_dir`; returns false and sets error() on a missing, damaged or incompatible run: a store
  /// SQLite reports corrupt or whose content does not match its digest, a value of the wrong type, a
  /// manifest of another schema or whose files do not match it. An interrupted run loads (see
  /// interrupted()).
  bool Load(const std::string& run_dir);
  const std::string& error() const { return error_; }
  /// Damage found after Load(), by a query made on demand (a chart's series); "" while there is none.
  const std::string& damage() const { return damage_; }

  const std::string& scenario() const { return scenario_; }
  /// The time the replay covers: the planned duration of a complete run, where the data end for an
  /// interrupted one.
  double duration() const { return duration_; }
  /// The scenario's duration as the run store records it (what a complete run would have covered).
  double planned_duration() const { return planned_; }
  /// Whether the run did not finish: a .partial-<PID> folder, an INTERRUPTED marker, meta complete =
  /// false, or no summary.json or manifest.json.
  bool interrupted() const { return !interruption_.empty(); }
  /// Whether this is a student bundle (bundle.sqlite): the operators' view only, actual health "hidden".
  bool student_bundle() const { return student_bundle_; }
  /// Why the run counts as interrupted, and where its data end; "" for a complete run.
  std::string InterruptionNote() const;
  /// Everything the replay draws from the run (devices, links, events, fault windows, health, link
  /// state, every metric series) as text, one item per line, times to the last bit: two runs draw the
  /// same story exactly when these are equal. Throws RunStoreDamaged if reading the series fails.
  std::string Story() const;
  const std::vector<DeviceInfo>& devices() const { return devices_; }
  const std::vector<LinkInfo>& links() const { return links_; }
  const std::vector<EventInfo>& events() const { return events_; }
  const std::vector<FaultWindow>& faults() const { return faults_; }
  /// The OpenFlow channels of the run (switch x controller pairs a switch agent reported on), in switch then
  /// controller order; empty for runs without switches.
  const std::vector<ControlChannel>& control_channels() const { return channels_; }
  /// A channel's state at t: "up", "down" (it had been up and was lost), or "connecting" (never up yet).
  static std::string ChannelStateAt(const ControlChannel& c, double t);
  /// The controller's role on an up channel at t ("master", "slave", "equal"), "" while the channel is not up.
  static std::string ChannelRoleAt(const ControlChannel& c, double t);
  /// The planes a device has, in data/control/management order.
  std::vector<std::string> PlanesOf(const std::string& device) const;
  /// State of a plane at time t: the sample covering t (the first sample at or after t).
  PlaneState StateAt(const std::string& device, const std::string& plane, double t) const;
  /// Handles for callers that look the same plane or link up at many times (the replay's redraw): no
  /// lookup by name on each call. A null handle answers as an unknown plane or a link with no record.
  using PlaneHandle = const void*;
  struct LinkHandle {
    const std::vector<std::pair<double, double>>* util = nullptr;
    const std::vector<std::pair<double, double>>* down = nullptr;
  };
  PlaneHandle Plane(const std::string& device, const std::string& plane) const;
  PlaneState StateAt(PlaneHandle plane, double t) const;
  LinkHandle Link(const std::string& link) const;
  static double LinkUtilizationAt(const LinkHandle& link, double t);
  static bool LinkDownAt(const LinkHandle& link, double t);
  /// States of a plane at each of `times` (ascending): StateAt for each, in one pass over the keyframes.
  std::vector<PlaneState> StatesAt(const std::string& device, const std::string& plane,
                                   const std::vector<double>& times) const;
  /// The sampling interval of health (the gap between a plane's first two keyframes), 1 s when unknown.
  double HealthInterval() const;
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
  void LoadOrThrow(const std::string& run_dir);
  std::string error_, scenario_;
  bool student_bundle_ = false;
  mutable std::string damage_;
  std::vector<std::string> interruption_;  // the reasons, empty for a complete run
  double planned_ = 0;
  std::unique_ptr<RunStoreReader> store_;  // kept open for metric queries (charts, hover text)
  double duration_ = 0;
  std::vector<DeviceInfo> devices_;
  std::vector<LinkInfo> links_;
  std::vector<EventInfo> events_;
  std::vector<FaultWindow> faults_;
  std::vector<ControlChannel> channels_;
  std::map<std::pair<std::string, std::string>, Keyframes> health_;
  std::map<std::string, std::vector<std::pair<double, double>>> link_down_;  // link -> [from, to) windows
  std::map<std::string, std::vector<std::pair<double, double>>> link_util_;  // link -> (t, utilisation)
};

}  // namespace planelab::gui
