// The metrics of the cloud's services beyond the instance API (models/cloud/cloud_spec.h), recorded only by a cloud
// whose scenario uses them (a "cluster.cloud" service or one of their faults). Pure.
#pragma once
#include <string>
#include <vector>

#include "sim/core/metric_decl.h"

namespace planelab {

inline const std::vector<std::string>& CloudApiNames() {
  static const std::vector<std::string> names = {"launch", "iam", "lb", "volume"};
  return names;
}

/// Control APIs (error rates and latency per API, as CloudTrail and the service dashboards count them), IAM change
/// propagation, IaC runs, registration and the group's desired capacity.
struct CloudServicesControlMetrics : MetricTable {
  CloudServicesControlMetrics() : MetricTable(Plane::kControl, "cloud services") {}
  const CounterDecl& api_requests =
      DeclareCounter("api_requests_<api>", "calls", "calls to the control API <api>", CloudApiNames());
  const CounterDecl& api_errors =
      DeclareCounter("api_errors_<api>", "calls", "calls to the control API <api> that failed (5xx or timeout)", CloudApiNames());
  const HistogramDecl& api_call_latency =
      DeclareHistogram("api_call_latency_<api>", "s", "control API <api>: call -> answer (or failure)", CloudApiNames());
  const CounterDecl& iam_changes_effective =
      DeclareCounter("iam_changes_effective", "changes", "IAM changes that reached the authorising replicas");
  const HistogramDecl& iam_change_latency = DeclareHistogram(
      "iam_change_latency", "s", "IAM change asked by the operator -> effective on the replicas (retries included)");
  const GaugeDecl& iam_changes_pending =
      DeclareGauge("iam_changes_pending", "changes", "IAM changes asked and not yet effective");
  const CounterDecl& iac_runs_succeeded = DeclareCounter("iac_runs_succeeded", "runs", "IaC pipeline runs (apply) that succeeded");
  const CounterDecl& iac_runs_failed =
      DeclareCounter("iac_runs_failed", "runs", "IaC pipeline runs that failed: a call out of retries, the run timeout, or the state lock");
  const HistogramDecl& iac_run_duration = DeclareHistogram("iac_run_duration", "s", "IaC run: start -> outcome");
  const GaugeDecl& targets_registered =
      DeclareGauge("targets_registered", "targets", "instances registered with the load balancer's target group");
  const GaugeDecl& desired_instances =
      DeclareGauge("desired_instances", "instances", "the auto-scaling group's desired capacity");
  const GaugeDecl& volumes_attached = DeclareGauge("volumes_attached", "volumes", "volumes attached, as the control API knows");

  static const CloudServicesControlMetrics& Get() {
    static const CloudServicesControlMetrics t;
    return t;
  }
};

/// The data planes that keep their state: the load balancer's target health (CloudWatch's HealthyHostCount and
/// UnHealthyHostCount), the IAM replica's answers, block-volume I/O.
struct CloudServicesDataMetrics : MetricTable {
  CloudServicesDataMetrics() : MetricTable(Plane::kData, "cloud services") {}
  const GaugeDecl& healthy = DeclareGauge("HealthyHostCount", "targets", "targets the health checks find healthy");
  const GaugeDecl& unhealthy = DeclareGauge("UnHealthyHostCount", "targets", "targets the health checks find unhealthy");
  const GaugeDecl& failing_open =
      DeclareGauge("lb_failing_open", "1", "1 while no target is healthy and the load balancer routes to all of them");
  const CounterDecl& lb_dropped = DeclareCounter("lb_dropped", "requests", "requests the load balancer dropped (lb-data-plane-drop)");
  const CounterDecl& iam_allowed = DeclareCounter("iam_requests_allowed", "requests", "requests the IAM replica authorised");
  const CounterDecl& iam_denied =
      DeclareCounter("iam_requests_denied", "requests", "requests denied (403 AccessDenied): the role is not effective on the replica");
  const CounterDecl& volume_ops = DeclareCounter("volume_ops", "ops", "block-volume reads and writes completed");
  const CounterDecl& volume_errors =
      DeclareCounter("volume_io_errors", "ops", "block-volume reads and writes that failed (I/O error or timeout)");
  const HistogramDecl& volume_read_latency = DeclareHistogram("volume_read_latency", "s", "block-volume read latency");
  const HistogramDecl& volume_write_latency = DeclareHistogram("volume_write_latency", "s", "block-volume write latency");
  const GaugeDecl& volumes_serving = DeclareGauge("volumes_serving", "volumes", "attached volumes the data plane serves");

  static const CloudServicesDataMetrics& Get() {
    static const CloudServicesDataMetrics t;
    return t;
  }
};

}  // namespace planelab
