// Plain configuration structs for a scenario, with defaults; parsed in one place (scenario_loader).
#pragma once
#include <any>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/util/units.h"

namespace planelab {

/// A device as the scenario declares it; `kind` selects the model ("router", "host").
struct DeviceSpec {
  std::string id;
  std::string kind;
  std::vector<std::string> groups;  // e.g. "spines", "leaves", "hosts"
  bool managed = true;              // routers: reachable by the monitoring station over OOB
  uint32_t asn = 0;                 // routers under BGP: AS number (0 = assigned by the loader)
  std::optional<std::pair<double, double>> pos;  // where the replay draws it (scene units, y down)
};

/// Queue discipline on a link's egress; chosen on purpose (ns-3 would add FqCoDel otherwise).
struct QueueSpec {
  std::string kind = "fifo";     // fifo | red | codel | fq-codel
  std::string size = "100p";     // ns-3 QueueSize text, e.g. "100p" or "150000B"
};

/// A point-to-point link between two devices.
struct LinkSpec {
  std::string id;
  std::string a, b;
  uint64_t rate_bps = 1000000000ULL;  // 1Gbps
  SimTime delay = 1 * kMs;
  QueueSpec queue;
  uint32_t cost = 1;                  // routing metric
};

/// The out-of-band management network: a station with its own links to every managed device.
struct ManagementSpec {
  bool enabled = true;
  std::string station = "nms";
  uint64_t oob_rate_bps = 100000000ULL;  // 100Mbps, a typical OOB copper port
  SimTime oob_delay = 1 * kMs;
  // The dashboard's poll cadence: NMS tools poll every 1-5 min; runs here are short, so 5s.
  SimTime poll_interval = 5 * kSec;
  // net-snmp's default request timeout is 1 s (snmp.conf "timeout").
  SimTime poll_timeout = 1 * kSec;
};

/// BGP settings; timers default to RFC 4271 §10, damping to RFC 2439 with RFC 7196 §3's parameters.
struct BgpSpec {
  SimTime keepalive = 30 * kSec;
  SimTime hold_time = 90 * kSec;
  SimTime connect_retry = 120 * kSec;
  SimTime mrai_ebgp = 30 * kSec;
  SimTime mrai_ibgp = 5 * kSec;
  bool multipath = true;
  // RFC 4271 §10: MRAI, KeepAlive and ConnectRetry are jittered by a factor uniform in [0.75, 1.0]
  // each time they start (the hold timer is not). `mrai_jitter` covers the MRAI, `timer_jitter`
  // the other two; false reproduces hand-computed timings.
  bool mrai_jitter = true;
  bool timer_jitter = true;
  // RFC 4271 §9.2.1.1 rate-limits "an advertisement and/or withdrawal"; implementations choose.
  // false (common practice, and RFC 1771's rule): withdrawals are sent at once.
  bool mrai_withdrawals = false;
  // Sender-side loop detection: RFC 4271 §9.1.2 has the receiver discard a path holding its own
  // AS; whether the sender sends it at all is the implementation's choice. true: not sent.
  bool sender_side_loop_detection = true;
  bool damping = false;
  SimTime damping_half_life = 15 * 60 * kSec;
  double damping_suppress = 6000;
  double damping_reuse = 750;
  SimTime damping_max_suppress = 60 * 60 * kSec;
};

/// BFD between router neighbours (RFC 5880/5881), run by the forwarding hardware as line cards do.
struct BfdSpec {
  bool enabled = false;
  // Common vendor defaults (e.g. FRR: 300 ms transmit/receive, detect multiplier 3).
  SimTime interval = 300 * kMs;
  uint32_t multiplier = 3;
};

/// Router control-plane protocol and timers: "link-state" (OSPF-like) or "bgp".
struct RoutingSpec {
  BfdSpec bfd;
  std::string protocol = "link-state";
  BgpSpec bgp;
  // RFC 2328 Appendix C.3: HelloInterval 10 s, RouterDeadInterval 4 x HelloInterval.
  SimTime hello_interval = 10 * kSec;
  SimTime dead_interval = 40 * kSec;
  // RFC 8405 §6 suggests INITIAL_SPF_DELAY of 50 ms.
  SimTime spf_delay = 50 * kMs;
  // Hardware FIB programming is not instant: typical per-batch latency of a line card.
  SimTime fib_program_delay = 10 * kMs;
  // CPU cost of control work on the route processor.
  SimTime cpu_cost_message = 200 * kUs;
  SimTime cpu_cost_spf = 5 * kMs;
};

/// A request/response workload between two hosts, as users feel it.
struct WorkloadSpec {
  std::string id;
  std::string protocol = "udp";  // udp | tcp
  std::string client, server;
  double rate_pps = 100;
  uint64_t request_bytes = 200;
  uint64_t response_bytes = 1000;
  SimTime timeout = 1 * kSec;
  SimTime start = 1 * kSec;
  std::optional<SimTime> stop;
  uint16_t port = 0;  // 0: assigned
};

/// A fault from the scenario's timeline: {at, until, target, kind, params}.
struct FaultSpec {
  SimTime at = 0;
  std::optional<SimTime> until;
  std::string target;
  std::string kind;
  std::map<std::string, std::string> params;  // as written (text), as the fault.start event records them
  std::any parsed;                            // the kind's parameter struct (e.g. LinkFlapParams), parsed once
  std::string pointer;                        // JSON pointer, for error messages
};

/// One expectation: a metric (or a health state) of a plane of a device or group over a window.
struct ExpectationSpec {
  std::string id;
  std::string device;  // a device id, or
  std::string group;   // a group name
  std::string plane;   // data | control | management
  std::string metric;  // a metric name, or "health.actual" / "health.reported"
  SimTime from = 0;
  std::optional<SimTime> to;
  std::string stat = "mean";  // mean | max | min | last | sum | delta | fraction
  std::string op = ">=";      // < <= > >= == !=
  double bound = 0;
  std::string state;          // for health: the state whose time fraction is compared
  std::string pointer;
};

/// Topology generator request ("line", "ring", "star", "leaf-spine").
struct GeneratorSpec {
  std::string kind;
  int routers = 0;          // line, ring, star (leaves of the star)
  int spines = 0, leaves = 0;  // internet: transits, stubs
  int hosts_per_router = 0;  // line, ring, star leaves, leaf-spine leaves
  std::string prefix;        // id prefix, to combine several generators
  uint32_t asn_base = 0;     // leaf-spine: spines share asn_base, leaf i gets asn_base + i (RFC 7938 §5.2.1)
  LinkSpec link;             // link parameters for generated links
  std::string pointer;
};

/// A Deployment the cluster runs from the start, and the Service in front of it (same name).
struct DeploymentSpec {
  std::string name;
  uint32_t replicas = 10;
  double pod_capacity_rps = 100;      // requests/s one pod serves before requests queue
  bool autoscale = false;             // a HorizontalPodAutoscaler on request load
  uint32_t min_replicas = 1, max_replicas = 100;
  double target_utilization = 0.6;    // HPA target: served/capacity per pod
  std::string pointer;
};

/// Clients of a Service, entering through the cloud load balancer that spreads over the nodes.
struct ServiceClientSpec {
  std::string id;
  std::string service;
  double rate_pps = 100;
  uint32_t request_bytes = 200, response_bytes = 1000;
  SimTime timeout = 1 * kSec;
  SimTime start = 0;
  /// Rate changes over time: {at, rate}; the last one before now applies.
  std::vector<std::pair<SimTime, double>> rate_steps;
  std::string pointer;
};

/// A new revision of a Deployment's pod template, applied by an operator at `at` through kubectl.
struct RolloutSpec {
  SimTime at = 0;
  std::string deployment;
  std::string pointer;
};

/// An orchestrated cluster: an etcd-like store, an API server, controllers, worker nodes, a cloud instance API.
/// Defaults are the real systems' (sources in the comments); the generator builds its network.
struct ClusterSpec {
  bool enabled = false;
  uint32_t store_members = 3;
  uint32_t nodes = 6;                 // worker instances running at the start
  uint32_t spare_slots = 0;           // room for replacement instances
  uint32_t nodes_per_rack = 40;
  uint32_t max_pods = 110;            // kubelet --max-pods default
  uint32_t clients = 1;
  LinkSpec link;                      // rack links
  // etcd (etcd.io/docs "Tuning"): --heartbeat-interval 100ms, --election-timeout 1000ms; --snapshot-count 100000.
  SimTime store_heartbeat = 100 * kMs;
  SimTime store_election = 1000 * kMs;
  uint64_t snapshot_count = 100000;
  // Disk (see DiskConfig): a gp3-class SSD.
  double disk_iops = 3000;
  SimTime disk_fsync_median = 1 * kMs;
  // kube-apiserver flags: --max-requests-inflight 400, --max-mutating-requests-inflight 200,
  // --request-timeout 1m0s.
  uint32_t api_max_inflight = 400;
  uint32_t api_max_mutating_inflight = 200;
  SimTime api_request_timeout = 60 * kSec;
  // Kubelet: node lease duration 40 s renewed every 10 s (a quarter of it); kube-controller-manager
  // --node-monitor-grace-period 40s; pods tolerate not-ready/unreachable for 300 s (DefaultTolerationSeconds);
  // terminationGracePeriodSeconds 30.
  SimTime lease_duration = 40 * kSec;
  SimTime lease_renew = 10 * kSec;
  SimTime node_monitor_grace = 40 * kSec;
  SimTime pod_eviction_timeout = 300 * kSec;
  SimTime termination_grace = 30 * kSec;
  SimTime pod_startup = 2 * kSec;      // image cached: sandbox + container start
  SimTime readiness_delay = 5 * kSec;  // first readiness probe success after the container started
  // A terminating pod keeps serving this long (the preStop sleep production deployments add) so that every
  // kube-proxy has dropped its endpoint before it stops; 0 models an app that exits on SIGTERM at once.
  SimTime pod_drain = 5 * kSec;
  // HPA: --horizontal-pod-autoscaler-sync-period 15s, tolerance 0.1, scale-down stabilization 300 s.
  SimTime hpa_sync = 15 * kSec;
  // Cloud: instances retire after `node_lifetime` (0: never) and are replaced; a launch takes `instance_boot`
  // until the kubelet starts; the instance API answers in `cloud_api_latency`.
  SimTime node_lifetime = 0;
  SimTime instance_boot = 90 * kSec;
  SimTime cloud_api_latency = 500 * kMs;
  std::vector<DeploymentSpec> deployments;
  std::vector<ServiceClientSpec> service_clients;
  std::vector<RolloutSpec> rollouts;
};

/// The whole scenario as loaded from JSON.
struct Scenario {
  std::string path;
  std::string text;  // the file's bytes, for the manifest hash
  std::string name;
  std::string description;
  uint64_t seed = 1;
  SimTime duration = 60 * kSec;
  SimTime sample_interval = 1 * kSec;
  std::vector<GeneratorSpec> generators;
  std::vector<DeviceSpec> devices;  // after generation: every device
  std::vector<LinkSpec> links;      // after generation: every data link
  std::map<std::string, std::vector<std::string>> groups;
  ManagementSpec management;
  RoutingSpec routing;
  std::vector<WorkloadSpec> workloads;
  ClusterSpec cluster;
  std::vector<FaultSpec> faults;
  std::vector<ExpectationSpec> expectations;
};

}  // namespace planelab
