// The Envoy sidecars of one node's pods, as the node's data plane runs them: one agent per pod (xDS stream, its
// configuration, its workload certificate) over the node's socket to istiod, and the inbound check every request
// to a pod passes in a mesh: the sidecar must be up, its listeners started, and both certificates valid (mTLS).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "models/mesh/data/outbound_proxy.h"
#include "models/mesh/data/sidecar_tcp.h"
#include "models/mesh/data/sidecar_agent.h"

namespace planelab {

class Network;
class MessageSocket;
struct MeshSpec;
struct MeshCallSpec;

class NodeSidecars {
 public:
  /// `outbound`: the hooks every calling pod's outbound proxy shares (time, stats, `done`); send and source are
  /// filled per pod.
  NodeSidecars(Network& net, std::string device, const MeshSpec& spec, SidecarAgent::Hooks hooks,
               OutboundProxy::Hooks outbound = {});
  ~NodeSidecars();
  /// The node's data plane runs (power on, restart) or stops (power off, crash: every sidecar dies with it).
  void Open();
  void Close();
  /// The pods running here now (name, deployment); new ones get a sidecar (`warm`: it ran before the run began),
  /// gone ones lose it. A pod whose deployment calls services also gets its sidecar's outbound listener.
  void SyncPods(const std::vector<std::pair<std::string, std::string>>& pods, bool warm);
  /// The application of `pod` calls a service through its sidecar (request `id`, unique on this node). False when
  /// the pod has no outbound sidecar (not running here, not a caller).
  bool Call(const std::string& pod, uint64_t id, const MeshCallSpec& call);
  /// The application gave up on call `id` (its timeout).
  void GiveUp(const std::string& pod, uint64_t id);
  /// Outlier detection's interval timer for every outbound proxy here.
  void Sweep(SimTime now);
  /// A sum over the outbound proxies' clusters (connections, pending requests, ...).
  double SumClusters(const std::function<double(envoy::UpstreamCluster&)>& fn);
  /// The calling pods' upstream connections: real ones over TCP, the clusters' model of them otherwise.
  double UpstreamConnections();
  enum class Inbound { kOk, kRefused, kNoCertificate, kCertificateExpired };
  Inbound Admit(const std::string& pod, bool client_cert_valid, SimTime now) const;
  /// sidecar-crash: the pod's istio-proxy dies (on) and is restarted as a new proxy (off).
  void CrashSidecar(const std::string& pod, bool on);
  std::string FirstPod() const { return agents_.empty() ? std::string() : agents_.begin()->first; }

  size_t size() const { return agents_.size(); }
  size_t connected() const;
  size_t unconfigured() const;
  size_t cert_expired(SimTime now) const;

 private:
  Network& net_;
  std::string device_;
  const MeshSpec& spec_;
  SidecarAgent::Hooks hooks_;
  std::unique_ptr<MessageSocket> sock_;
  uint32_t istiod_addr_ = 0;
  std::map<std::string, std::unique_ptr<SidecarAgent>> agents_;
  std::set<std::string> crashed_;
  // The outbound listeners of calling pods: the proxy and the application's socket its requests leave from.
  struct Outbound {
    std::unique_ptr<MessageSocket> sock;    // over datagrams
    std::unique_ptr<UpstreamPool> pool;     // over TCP
    std::unique_ptr<OutboundProxy> proxy;
  };
  OutboundProxy::Hooks outbound_hooks_;
  std::map<std::string, Outbound> outbound_;
};

}  // namespace planelab
