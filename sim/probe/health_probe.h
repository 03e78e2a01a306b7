// Samples every plane's actual health and the dashboard's reported health on the sampling clock.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/core/device.h"

namespace planelab {

/// One stretch of time with constant (actual, reported) health.
struct HealthInterval {
  SimTime from = 0, to = 0;
  Health actual = Health::kUp;
  Health reported = Health::kUnknown;
};

/// Keeps, per device and plane, the compressed timeline of actual vs reported health.
class HealthProbe {
 public:
  using Sink = std::function<void(SimTime t, const std::string& device, Plane plane, Health actual, Health reported)>;
  void Watch(const std::string& device, PlaneActor* actor) { watched_.push_back({device, actor}); }
  /// Adds a dashboard; a plane's reported health is the first dashboard's that knows it (not unknown).
  void SetDashboard(const ReportedHealthSource* d) { dashboards_.push_back(d); }
  void SetSink(Sink s) { sink_ = std::move(s); }
  /// Measures every watched plane for the interval ending now.
  void Sample(SimTime now);
  /// Closes the open intervals at `end`.
  void Finish(SimTime end);
  /// device -> plane -> intervals.
  const std::map<std::string, std::map<Plane, std::vector<HealthInterval>>>& timeline() const { return timeline_; }

 private:
  struct Watched {
    std::string device;
    PlaneActor* actor;
  };
  std::vector<Watched> watched_;
  std::vector<const ReportedHealthSource*> dashboards_;
  Sink sink_;
  SimTime last_ = 0;
  std::map<std::string, std::map<Plane, std::vector<HealthInterval>>> timeline_;
};

}  // namespace planelab
