// Wire messages of the orchestrator: objects kept in the replicated store, the store's client protocol
// (etcd's KV and watch), the API server's protocol (Kubernetes verbs and watches) and service traffic.
// Planes on different devices exchange these over MessageSocket (real UDP datagrams of the given size).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/util/units.h"

namespace planelab {

/// Well-known ports: etcd client and peer ports, the API server's secure port, the kubelet's.
constexpr uint16_t kStoreClientPort = 2379;
constexpr uint16_t kStorePeerPort = 2380;
constexpr uint16_t kApiServerPort = 6443;
constexpr uint16_t kKubeletPort = 10250;
// Prometheus /metrics of etcd (kubeadm's --listen-metrics-urls=http://127.0.0.1:2381) and of
// kube-controller-manager (its secure port); the API server and the kubelet serve it on the ports above.
constexpr uint16_t kEtcdMetricsPort = 2381;
constexpr uint16_t kControllerManagerPort = 10257;
constexpr uint16_t kCloudApiPort = 443;
constexpr uint16_t kServicePort = 80;

enum class ObjectKind : uint8_t { kNode, kLease, kPod, kDeployment, kVirtualService };
const char* ToString(ObjectKind k);

enum class PodPhase : uint8_t { kPending, kRunning, kSucceeded, kFailed };

/// One API object, flattened: each kind uses its own fields. Immutable once shared.
struct ApiObject {
  ObjectKind kind = ObjectKind::kPod;
  std::string name;
  // Node: Ready condition as the kubelet last posted it; pod capacity (kubelet --max-pods, default 110).
  bool node_ready = false;
  uint32_t max_pods = 110;
  uint32_t node_addr = 0;
  bool unschedulable = false;        // cordoned (draining before its instance retires)
  SimTime ready_since = 0;
  // Lease (coordination.k8s.io): the kubelet's heartbeat.
  SimTime renew_time = 0;
  // Pod
  std::string deployment;
  uint32_t revision = 0;             // the template revision it was made from
  std::string node;                  // bound node, "" while pending
  PodPhase phase = PodPhase::kPending;
  bool pod_ready = false;
  bool terminating = false;          // deletionTimestamp set: the kubelet stops it, then deletes it
  SimTime created = 0;
  // Deployment
  uint32_t replicas = 0;
  uint32_t ready_replicas = 0, updated_replicas = 0;
  double pod_capacity_rps = 100;     // what one pod serves before it queues (the workload's capacity)
  SimTime revision_changed = 0;      // when the current revision was set (a rollout began)
  // VirtualService (networking.istio.io, the mesh's routing rule for the service `name`): weighted destinations
  // (deployments), the route timeout (0: none) and retry attempts.
  std::vector<std::pair<std::string, uint32_t>> routes;
  SimTime route_timeout = 0;
  uint32_t retry_attempts = 2;

  /// Bytes the object takes in the store and on the wire, close to real Kubernetes objects
  /// (a Lease ~0.3 KB, a Pod ~2.5 KB, a Node ~10 KB with its status and images).
  uint32_t Bytes() const;
  /// The store key, as the API server lays them out ("/registry/pods/<name>").
  std::string Key() const;
};
using ObjectPtr = std::shared_ptr<const ApiObject>;
std::string KeyOf(ObjectKind kind, const std::string& name);
/// The kind of a key made by KeyOf, or false.
bool KindOfKey(const std::string& key, ObjectKind* kind);

// ---- The store's client protocol (etcd v3 KV and Watch, reduced) ----

/// A client request to a store member.
struct StoreRequest {
  enum class Op : uint8_t { kPut, kDelete, kRange, kWatch } op = Op::kPut;
  uint64_t id = 0;
  std::string key;                   // Put/Delete: the key; Range/Watch: a prefix
  ObjectPtr value;
  int64_t expect_mod_revision = -1;  // -1: unconditional; 0: must not exist; n: compare-and-swap on mod_revision
  int64_t start_revision = 0;        // Watch: replay from here (0: from now)
  uint64_t watch_id = 0;             // Watch: the client's id for the stream
  uint32_t Bytes() const;
};

/// One change seen by a watch.
struct KvEvent {
  std::string key;
  ObjectPtr value;                   // null for a delete
  int64_t mod_revision = 0;
};

/// A store member's answer.
struct StoreResponse {
  enum class Status : uint8_t { kOk, kConflict, kNotFound, kTimeout, kNoLeader, kCompacted };
  uint64_t id = 0;
  Status status = Status::kOk;
  int64_t revision = 0;              // the store's revision after the request
  std::vector<KvEvent> kvs;          // Range results
  uint32_t Bytes() const;
};
const char* ToString(StoreResponse::Status s);

/// Events of a watch stream; `seq` counts batches per stream so a lost datagram is noticed. The answer to the
/// watch request itself is the batch of seq 0 (with `status`): a stream's socket receives only batches.
struct StoreWatchBatch {
  uint64_t watch_id = 0;
  uint64_t seq = 0;
  StoreResponse::Status status = StoreResponse::Status::kOk;
  int64_t revision = 0;              // progress: every change up to here was sent
  std::vector<KvEvent> events;
  uint32_t Bytes() const;
};

// ---- The API server's protocol (Kubernetes verbs, reduced) ----

enum class Verb : uint8_t { kGet, kList, kCreate, kUpdate, kDelete, kWatch };
/// Every verb, in order (the API server records its per-verb metrics in this order).
inline constexpr Verb kVerbs[] = {Verb::kGet, Verb::kList, Verb::kCreate, Verb::kUpdate, Verb::kDelete, Verb::kWatch};
const char* ToString(Verb v);

/// The owner filter of a pod watch ("deployment=<name>", kube-proxy's view of a service's endpoints); any other
/// non-empty pod filter is a node name (spec.nodeName, the kubelet's view).
std::string OwnerFilter(const std::string& deployment);
/// True when `filter` is an owner filter; `*owner` gets the deployment's name.
bool IsOwnerFilter(const std::string& filter, std::string* owner = nullptr);

/// A request to the API server.
struct ApiRequest {
  uint64_t id = 0;
  Verb verb = Verb::kGet;
  ObjectKind kind = ObjectKind::kPod;
  std::string name;
  ObjectPtr obj;                     // Create/Update
  int64_t resource_version = 0;      // Update: optimistic concurrency (0: unconditional)
  std::string node_filter;           // Watch/List of pods: spec.nodeName=<node> (the kubelet's field selector)
  uint64_t watch_id = 0;
  uint32_t Bytes() const;
};

/// The API server's answer, with an HTTP status code.
struct ApiResponse {
  uint64_t id = 0;
  int code = 200;                    // 200/201, 404, 409 conflict, 429 too many requests, 500, 504 timeout
  ObjectPtr obj;
  int64_t resource_version = 0;
  std::vector<std::pair<ObjectPtr, int64_t>> items;  // List
  uint32_t Bytes() const;
};

/// A watch event batch from the API server's watch cache. The answer to the watch request is the batch of
/// seq 0: `code` 200 with the full current list in `events` (list and watch in one), or an error code.
struct ApiWatchBatch {
  uint64_t watch_id = 0;
  uint64_t seq = 0;
  int code = 200;
  bool endpoints_view = false;       // kube-proxy's watch: EndpointSlice entries (~150 B each), not whole pods
  struct Event {
    bool deleted = false;
    ObjectPtr obj;
    int64_t resource_version = 0;
  };
  std::vector<Event> events;
  uint32_t Bytes() const;
};

// ---- Cloud provider instance API ----

/// Launch or terminate an instance (a node slot of the topology).
struct CloudRequest {
  enum class Op : uint8_t { kLaunch, kTerminate } op = Op::kLaunch;
  uint64_t id = 0;
  std::string instance;              // Terminate: which one
};
/// The answer; a launch answers as soon as the instance is allocated, and it boots after that.
struct CloudResponse {
  uint64_t id = 0;
  bool ok = false;
  std::string instance;
  std::string error;
};

// ---- Resource metrics (the kubelet's /metrics/resource, as metrics-server scrapes it) ----

/// A scrape of one kubelet's pod metrics.
struct MetricsScrape {
  uint64_t id = 0;
};
/// One pod's load: served requests per second over the last window, as a share of its capacity.
struct PodMetric {
  std::string pod;
  std::string deployment;
  double utilization = 0;
};
/// The kubelet's answer.
struct MetricsReply {
  uint64_t id = 0;
  std::vector<PodMetric> pods;
  uint32_t Bytes() const { return 100 + 80 * static_cast<uint32_t>(pods.size()); }
};

// ---- Service traffic ----

/// A client's request to a service, entering the cluster at a node (as a cloud load balancer sends it).
struct ServiceRequest {
  uint64_t id = 0;
  std::string service;
  uint32_t client_addr = 0;
  uint16_t client_port = 0;
  uint32_t request_bytes = 200;
  uint32_t response_bytes = 1000;
  uint8_t hops = 0;                  // 0 at the ingress node, 1 once kube-proxy forwarded it to the pod's node
  std::string pod;                   // the endpoint kube-proxy chose (set when forwarded)
  // In a mesh: sent by the client's sidecar straight to the pod (hops 1) over mTLS; the client's certificate.
  bool mtls = false;
  bool client_cert_valid = false;
  bool health_check = false;         // the load balancer's target health check (kube-proxy's healthz answers it)
  uint64_t conn = 0;                 // in a mesh over TCP: the inbound connection the answer goes back on (0: UDP)
};
/// The answer, sent by the node whose pod served it (or that refused it).
struct ServiceResponse {
  uint64_t id = 0;
  bool refused = false;              // connection refused: no route to a ready endpoint or a broken CNI
  // In a mesh: the server's sidecar refused the mTLS handshake (an expired or missing certificate).
  bool tls_failure = false;
  // The HTTP status the pod answered (in a mesh with calls: a 503/504 when a call it made failed).
  uint16_t code = 200;
};

}  // namespace planelab
