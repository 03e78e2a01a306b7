// istiod's metrics, named as istiod exports them on its monitoring port (pilot_*, citadel_*). Pure.
#pragma once
#include "sim/core/metric_decl.h"

namespace planelab {

/// The control plane: discovery (xDS) and the CA.
struct IstiodControlMetrics : MetricTable {
  IstiodControlMetrics() : MetricTable(Plane::kControl) {}
  const GaugeDecl& pilot_xds = DeclareGauge("pilot_xds", "proxies", "proxies connected over xDS");
  const CounterDecl& pilot_xds_pushes =
      DeclareCounter("pilot_xds_pushes", "pushes", "configuration pushes sent to proxies (one per proxy per push)");
  const CounterDecl& pilot_push_triggers =
      DeclareCounter("pilot_push_triggers", "pushes", "debounced push rounds started (each merges one or more changes)");
  const CounterDecl& pilot_debounce_events =
      DeclareCounter("pilot_debounce_events", "events", "config and endpoint changes merged by the debounce");
  const HistogramDecl& pilot_xds_push_time =
      DeclareHistogram("pilot_xds_push_time", "s", "time of a push round: start until every proxy connected then ACKed it");
  const HistogramDecl& pilot_proxy_convergence_time = DeclareHistogram(
      "pilot_proxy_convergence_time", "s", "delay between a config change and a proxy ACKing the push that carries it");
  const HistogramDecl& config_propagation_time = DeclareHistogram(
      "config_propagation_time", "s",
      "a routing rule applied through kubectl until a proxy ACKs the push that carries it (asked -> the sidecar has it)");
  const HistogramDecl& pilot_xds_connect_push_time = DeclareHistogram(
      "pilot_xds_connect_push_time", "s", "time from a proxy's (re)connection until it ACKed its first push");
  const GaugeDecl& pilot_proxies_stale =
      DeclareGauge("pilot_proxies_stale", "proxies", "connected proxies that have not ACKed the newest version");
  const GaugeDecl& pilot_config_version = DeclareGauge("pilot_config_version", "version", "newest pushed version");
  const CounterDecl& citadel_server_csr_count = DeclareCounter("citadel_server_csr_count", "requests", "CSRs received");
  const CounterDecl& citadel_server_success_cert_issuance_count =
      DeclareCounter("citadel_server_success_cert_issuance_count", "certificates", "certificates signed");

  static const IstiodControlMetrics& Get() {
    static const IstiodControlMetrics table;
    return table;
  }
};

/// The management plane: the monitoring port (15014) as Prometheus scrapes it, every 15 s.
struct IstiodMgmtMetrics : MetricTable {
  IstiodMgmtMetrics() : MetricTable(Plane::kManagement) {}
  const GaugeDecl& up = DeclareGauge("up", "1", "1 when the last scrape of istiod's monitoring port answered (Prometheus)");
  const GaugeDecl& scraped_pilot_xds =
      DeclareGauge("scraped_pilot_xds", "proxies", "pilot_xds as the dashboard shows it: the last successful scrape");
  const GaugeDecl& scrape_age = DeclareGauge("scrape_age", "s", "age of the newest successful scrape");

  static const IstiodMgmtMetrics& Get() {
    static const IstiodMgmtMetrics table;
    return table;
  }
};

}  // namespace planelab
