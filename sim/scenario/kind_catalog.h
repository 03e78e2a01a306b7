// Device kinds and the metrics each plane of a kind declares, known before any run (for validation).
#pragma once
#include <string>
#include <vector>

namespace planelab {

/// A metric a plane of a device kind declares.
struct MetricDoc {
  std::string plane;
  std::string name;
  std::string unit;
  std::string help;
};

/// A device kind: its planes and metrics.
struct DeviceKindDoc {
  std::string kind;
  std::string help;
  std::vector<std::string> planes;
  std::vector<MetricDoc> metrics;
};

const std::vector<DeviceKindDoc>& DeviceKinds();
const DeviceKindDoc* FindDeviceKind(const std::string& kind);
/// True when `metric` (or health.actual / health.reported) exists for that kind and plane.
bool KindHasMetric(const std::string& kind, const std::string& plane, const std::string& metric);

}  // namespace planelab
