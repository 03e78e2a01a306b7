// The Envoy sidecars' metrics, named as Envoy and the istio-agent export them. Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

/// The client's sidecar (outbound): recorded by service clients in a mesh.
struct ClientSidecarMetrics : MetricTable {
  ClientSidecarMetrics() : MetricTable(Plane::kData, "mesh") {}
  const CounterDecl& upstream_rq_2xx = DeclareCounter("upstream_rq_2xx", "requests", "requests answered 2xx");
  const CounterDecl& upstream_rq_4xx = DeclareCounter("upstream_rq_4xx", "requests", "requests answered 4xx (404 NR)");
  const CounterDecl& upstream_rq_5xx = DeclareCounter("upstream_rq_5xx", "requests", "requests answered 5xx (503, 504)");
  const CounterDecl& response_flags = DeclareCounter(
      "response_flags.<flag>", "requests", "requests logged with Envoy response flag <flag>",
      {"UF", "UH", "NR", "UO", "UT", "URX", "DC"});
  const CounterDecl& cluster_rq_total = DeclareCounter(
      "cluster.<cluster>.upstream_rq_total", "requests", "requests the route sent to cluster <cluster> (a deployment)");
  const CounterDecl& upstream_rq_retry = DeclareCounter("upstream_rq_retry", "requests", "retries sent");
  const GaugeDecl& upstream_cx_active = DeclareGauge("upstream_cx_active", "connections", "upstream connections open");
  const GaugeDecl& upstream_rq_active = DeclareGauge("upstream_rq_active", "requests", "requests on the wire upstream");
  const GaugeDecl& upstream_rq_pending_active =
      DeclareGauge("upstream_rq_pending_active", "requests", "requests waiting for an upstream connection");
  const GaugeDecl& ejections_active =
      DeclareGauge("outlier_detection.ejections_active", "hosts", "hosts ejected by outlier detection now");
  const CounterDecl& ejections_total =
      DeclareCounter("outlier_detection.ejections_enforced_total", "hosts", "ejections enforced");
  const CounterDecl& ssl_connection_error =
      DeclareCounter("ssl.connection_error", "connections", "mTLS handshakes that failed (expired or missing certificate)");
  const GaugeDecl& connected_state = DeclareGauge(
      "control_plane.connected_state", "1", "1 while the xDS stream to istiod is up; 0 while the proxy runs on its last configuration");
  const GaugeDecl& config_version = DeclareGauge("config_version", "version", "xDS version the proxy applied (0: none)");
  const GaugeDecl& cert_expiry_seconds =
      DeclareGauge("cert_expiry_seconds", "s", "time until the workload certificate expires (istio_agent; negative: expired)");

  static const ClientSidecarMetrics& Get() {
    static const ClientSidecarMetrics table;
    return table;
  }
};

/// The sidecars of a node's pods (inbound): recorded by nodes in a mesh.
struct NodeSidecarMetrics : MetricTable {
  NodeSidecarMetrics() : MetricTable(Plane::kData, "mesh") {}
  const GaugeDecl& sidecars = DeclareGauge("sidecars", "proxies", "sidecars of the pods running here");
  const GaugeDecl& sidecars_connected =
      DeclareGauge("sidecars_connected", "proxies", "sidecars with control_plane.connected_state 1");
  const GaugeDecl& sidecars_unconfigured =
      DeclareGauge("sidecars_unconfigured", "proxies", "sidecars that never received a configuration from istiod");
  const GaugeDecl& sidecars_cert_expired =
      DeclareGauge("sidecars_cert_expired", "proxies", "sidecars whose workload certificate expired or was never issued");
  const CounterDecl& inbound_ssl_connection_error = DeclareCounter(
      "inbound_ssl_connection_error", "connections", "inbound mTLS handshakes refused (CERTIFICATE_EXPIRED, no certificate)");
  const CounterDecl& inbound_cx_refused =
      DeclareCounter("inbound_cx_refused", "connections", "connections refused because the pod's sidecar is down");
  // The outbound side of the calling pods' sidecars (a mesh with service calls), summed over the node's pods.
  const CounterDecl& outbound_rq_2xx =
      DeclareCounter("outbound.upstream_rq_2xx", "requests", "calls of this node's pods answered 2xx");
  const CounterDecl& outbound_rq_4xx =
      DeclareCounter("outbound.upstream_rq_4xx", "requests", "calls of this node's pods answered 4xx (404 NR)");
  const CounterDecl& outbound_rq_5xx =
      DeclareCounter("outbound.upstream_rq_5xx", "requests", "calls of this node's pods answered 5xx (503, 504)");
  const CounterDecl& outbound_response_flags = DeclareCounter(
      "outbound.response_flags.<flag>", "requests", "calls logged with Envoy response flag <flag> by this node's pods' sidecars",
      {"UF", "UH", "NR", "UO", "UT", "URX", "DC"});
  const CounterDecl& outbound_rq_retry =
      DeclareCounter("outbound.upstream_rq_retry", "requests", "retries the pods' sidecars sent");
  const CounterDecl& outbound_ejections_total = DeclareCounter(
      "outbound.outlier_detection.ejections_enforced_total", "hosts", "ejections the pods' sidecars enforced");
  const CounterDecl& outbound_ssl_connection_error = DeclareCounter(
      "outbound.ssl.connection_error", "connections", "mTLS handshakes of the pods' calls that failed");
  const GaugeDecl& outbound_cx_active =
      DeclareGauge("outbound.upstream_cx_active", "connections", "upstream connections the pods' sidecars hold open");
  const GaugeDecl& outbound_rq_active =
      DeclareGauge("outbound.upstream_rq_active", "requests", "calls on the wire upstream");
  const GaugeDecl& outbound_rq_pending_active = DeclareGauge(
      "outbound.upstream_rq_pending_active", "requests", "calls waiting for an upstream connection");
  const CounterDecl& answered_5xx = DeclareCounter(
      "answered_5xx", "requests", "requests this node's pods answered 5xx because a call they made failed");

  static const NodeSidecarMetrics& Get() {
    static const NodeSidecarMetrics table;
    return table;
  }
};

}  // namespace planelab
