// The cluster family's scenario section ("cluster"): an orchestrated cluster (etcd-like store, API server,
// controllers, kubelets, a cloud instance API, service clients) with the real systems' defaults, its parser,
// its schema fragment (cluster.schema.json beside this file) and the network it expands into.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "models/cloud/cloud_spec.h"
#include "models/store/control/raft/raft_node.h"
#include "sim/scenario/scenario_section.h"
#include "sim/topology/topology.h"
#include "sim/util/units.h"

namespace planelab {

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
  // The cloud's other services: LB health checks, IAM, IaC, block volumes, scale-out (models/cloud/cloud_spec.h).
  CloudSpec cloud;
  std::vector<DeploymentSpec> deployments;
  std::vector<ServiceClientSpec> service_clients;
  std::vector<RolloutSpec> rollouts;
};

/// The "cluster" section: parser (which also adds the cluster's devices and links) and schema fragment.
ScenarioSection ClusterSection();

/// The Raft configuration of store member `member` (1..store_members): peers 1..N, ticking once per heartbeat
/// interval so heartbeat_tick is 1 and election_tick is election timeout / heartbeat (etcd's --heartbeat-interval
/// and --election-timeout). The seed is the caller's.
raft::Config StoreRaftConfig(const ClusterSpec& cs, uint64_t member);

/// How many devices and links ExpandCluster makes of `c`, computed from its numbers without expanding it.
TopologySize ClusterSize(const ClusterSpec& c);
/// Expands a cluster into its network: a core router, a control-plane rack (store members, API server,
/// controller manager, cloud, clients) and racks of worker node slots. Ids: etcd-N, apiserver, controllers,
/// cloud, client-N, node-N, rack-N.
void ExpandCluster(const ClusterSpec& c, std::vector<DeviceSpec>* devices, std::vector<LinkSpec>* links,
                   std::map<std::string, std::vector<std::string>>* groups);

}  // namespace planelab
