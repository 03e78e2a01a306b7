// A process's Prometheus /metrics endpoint on real ns-3 TCP, serving the device's own counters and gauges.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

namespace planelab {

class MetricRegistry;
class Network;

/// An HTTP/1.1 server on `port` of the device's node that answers `GET /metrics` with the device's counters and
/// gauges as they are now, in Prometheus's text format (sim/util/prometheus_text.h). The plane whose process
/// serves it opens it when the process starts and destroys it when the process dies, so a crashed component
/// stops answering scrapes exactly as the real one does.
class MetricsEndpoint {
 public:
  MetricsEndpoint(Network& net, const MetricRegistry& metrics, const std::string& device, uint16_t port);
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;
  /// Scrapes answered so far.
  uint64_t served() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// The exposition name of a PlaneLab series: the metric's name with what Prometheus names do not allow
/// replaced by '_' (its plane goes into a label).
std::string ExpositionName(const std::string& metric);

}  // namespace planelab

namespace planelab {

/// The endpoint a process opens on start when the station scrapes its device (the device has a management
/// link: ManagementSpec::scrape_components), else nullptr: nothing is listening and nothing changes.
std::unique_ptr<MetricsEndpoint> OpenMetricsEndpoint(Network& net, const MetricRegistry& metrics,
                                                     const std::string& device, uint16_t port);

}  // namespace planelab
