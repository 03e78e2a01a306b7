// The defaults of the mesh's cores, each with its source: Envoy's API reference and Istio's reference pages.
// Pure: no ns-3. One home for the numbers; the "mesh" section copies them into MeshSpec and a scenario may change
// them.
#pragma once
#include <cstdint>

#include "sim/util/units.h"

namespace planelab::envoy {

/// Outlier detection, Istio's DestinationRule.trafficPolicy.outlierDetection defaults
/// (istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection: consecutive5xxErrors 5,
/// interval 10s, baseEjectionTime 30s, maxEjectionPercent 10) which are Envoy's own
/// (envoy config.cluster.v3.OutlierDetection: consecutive_5xx 5, interval 10000ms, base_ejection_time 30000ms,
/// max_ejection_percent 10, max_ejection_time 300s).
struct OutlierConfig {
  bool enabled = true;
  uint32_t consecutive_5xx = 5;
  SimTime interval = 10 * kSec;
  SimTime base_ejection_time = 30 * kSec;
  SimTime max_ejection_time = 300 * kSec;
  uint32_t max_ejection_percent = 10;
};

/// Envoy's config.cluster.v3.CircuitBreakers.Thresholds defaults: max_connections 1024, max_pending_requests 1024,
/// max_requests 1024, max_retries 3 (envoy docs, "Circuit breaking"). Istio's ConnectionPoolSettings leave them
/// unless set (istio.io DestinationRule#ConnectionPoolSettings; Istio raises them to 2^32-1 since 1.10 unless set —
/// PlaneLab keeps Envoy's documented 1024 so overflow (UO) is reachable in a short run).
struct CircuitBreakers {
  uint32_t max_connections = 1024;
  uint32_t max_pending_requests = 1024;
  uint32_t max_requests = 1024;
  uint32_t max_retries = 3;
};

/// Istio's default retry policy for HTTP routes (istio.io VirtualService#HTTPRetry and pilot's
/// networking/core/v1alpha3/route/retry DefaultPolicy): 2 attempts, retry_on
/// "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes" with retriable status 503, host
/// predicate previous_hosts. Envoy's retry back-off: base 25 ms, max 10x base (envoy config.route.v3.RetryPolicy).
struct RetryPolicy {
  uint32_t attempts = 2;
  bool on_connect_failure = true;
  bool on_503 = true;  // retriable-status-codes: 503
  SimTime backoff_base = 25 * kMs;
  SimTime backoff_max = 250 * kMs;
};

/// Envoy's healthy_panic_threshold default: 50 % (envoy config.cluster.v3.Cluster.CommonLbConfig).
constexpr double kHealthyPanicThreshold = 50.0;

/// Envoy's config.core.v3.ConfigSource.initial_fetch_timeout default: 15 s.
constexpr SimTime kInitialFetchTimeout = 15 * kSec;

/// Envoy's gRPC xDS stream retry back-off (source/common/config/grpc_stream.h: RetryInitialDelayMs 500,
/// RetryMaxDelayMs 30000), fully jittered.
constexpr SimTime kXdsRetryInitial = 500 * kMs;
constexpr SimTime kXdsRetryMax = 30 * kSec;

}  // namespace planelab::envoy
