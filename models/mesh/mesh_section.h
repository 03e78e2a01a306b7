// The mesh family's scenario section ("mesh"): istiod and Envoy sidecars on the orchestrated cluster, with
// Istio's and Envoy's defaults (cited where declared: core/envoy_defaults.h, core/cert_lifecycle.h,
// core/push_debounce.h), its parser and schema fragment (mesh.schema.json). It adds the istiod device to the
// cluster's control-plane rack.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "models/mesh/core/cert_lifecycle.h"
#include "models/mesh/core/envoy_defaults.h"
#include "models/mesh/core/envoy_router.h"
#include "models/mesh/core/push_debounce.h"
#include "sim/scenario/scenario_section.h"
#include "sim/util/units.h"

namespace planelab {

/// A VirtualService for one service host, applied through kubectl at `at` (0: present from the start). A later
/// entry for the same host replaces it (a routing change, e.g. shifting weight to a canary).
struct VirtualServiceSpec {
  SimTime at = 0;
  std::string host;                               // the service the clients call
  std::vector<envoy::WeightedCluster> routes;     // destinations: deployments and weights
  SimTime timeout = 0;                            // 0: none (Istio's default)
  uint32_t retry_attempts = 2;                    // Istio's default retry policy
  std::string pointer;
};

/// One outbound call a service's pods make for every request they serve (through their own sidecar, to another
/// service's pods): the request waits for every call, and fails with the first failed call's status.
struct MeshCallSpec {
  std::string service;            // the service host called (a deployment, routed by its VirtualService if any)
  uint32_t per_request = 1;       // calls per served request, sent together
  // The calling application's own timeout (its HTTP client's; chosen: 1 s, as the service clients' default): the app
  // gives up (Envoy logs DC) and answers 504.
  SimTime timeout = 1 * kSec;
  uint32_t request_bytes = 200, response_bytes = 1000;
};

struct MeshSpec {
  bool enabled = false;
  mesh::DebounceConfig debounce;
  mesh::CertConfig cert;
  envoy::OutlierConfig outlier;
  envoy::CircuitBreakers breakers;
  SimTime initial_fetch_timeout = envoy::kInitialFetchTimeout;
  // PILOT_PUSH_THROTTLE: concurrent pushes (100 until Istio 1.22; later releases size it to the machine).
  uint32_t push_throttle = 100;
  // istiod's CPU time to build one proxy's push (chosen: ~1 ms per proxy plus 2 us per endpoint it carries, so
  // 15,000 proxies take seconds, as Istio's scalability notes report for large meshes) over `istiod_cpus` cores
  // (istiod's default request: 500m CPU; PlaneLab gives it 2 cores).
  SimTime push_cost = 1 * kMs;
  SimTime push_cost_per_endpoint = 2 * kUs;
  uint32_t istiod_cpus = 2;
  // Signing one CSR (an RSA-2048 signature, about 1 ms).
  SimTime csr_cost = 1 * kMs;
  // pilot-discovery --keepaliveInterval 30s, --keepaliveTimeout 10s: a stream unheard of this long is gone.
  SimTime keepalive_interval = 30 * kSec;
  SimTime keepalive_timeout = 10 * kSec;
  std::vector<VirtualServiceSpec> virtual_services;
  /// Sidecar-to-sidecar requests over real TCP connections opened with a TLS 1.3 handshake (Envoy's HTTP/1.1
  /// pool); false (the default): one UDP datagram each way with mTLS modelled on top. TCP costs more: ns-3 scans a
  /// node's endpoints (TIME_WAIT ones too) for every new connection.
  bool tcp = false;
  /// Istio's DestinationRule connectionPool.http: maxRequestsPerConnection (0: unlimited, Istio's default; 1 turns
  /// keep-alive off: every request opens a connection and does the TLS handshake) and idleTimeout (1h default: an
  /// upstream connection unused this long is closed).
  uint32_t max_requests_per_connection = 0;
  SimTime idle_timeout = 3600 * kSec;
  /// Service-to-service calls, by calling deployment (acyclic). A caller's pod sidecars get the routes, clusters and
  /// endpoints of the services it calls (Istio's Sidecar egress scope); other pods' sidecars only their inbound.
  std::map<std::string, std::vector<MeshCallSpec>> calls;
};

/// The "mesh" section: parser (adds the istiod device) and schema fragment.
ScenarioSection MeshSection();

}  // namespace planelab
