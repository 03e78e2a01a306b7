// The worker node's data plane: its pods serving requests (each a single server with a bounded backlog) and
// the service routing kube-proxy programmed (client -> service -> a ready pod, here or on another node).
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/mesh/data/node_sidecars.h"
#include "models/node/node_plane_messages.h"
#include "models/proto/cluster_api.h"
#include "sim/core/plane_actor.h"

namespace planelab {

class Network;
class MessageSocket;
struct MeshSpec;
struct MeshCallSpec;

/// What users' requests meet on this node.
class NodeDataPlane : public PlaneActor {
 public:
  NodeDataPlane(RunContext& ctx, const std::string& device, Network& net, bool running_at_start,
                Port<PodStats>& stats, const MeshSpec& mesh);
  ~NodeDataPlane() override;
  void Start() override;
  Health MeasureHealth() override;
  void OnProgram(const NodeProgram& p);
  void SetCniBroken(bool broken) { cni_broken_ = broken; }
  /// sidecar-crash: the istio-proxy of `pod` (empty: the first pod here) dies (on) or restarts (off).
  void CrashSidecar(const std::string& pod, bool on);
  void PowerOff();
  void PowerOn();

 protected:
  /// A crash of the serving path: requests reaching the node go unanswered. The pods and the rules stay (the
  /// container runtime and the kernel keep them); the restart asks the kubelet to program them again.
  void HandleCrash() override;
  void HandleRestart() override;

 private:
  void Serving();
  struct Pod {
    LocalPod spec;
    SimTime busy_until = 0;
    uint64_t served_in_interval = 0;
  };
  void OnRequest(std::shared_ptr<const ServiceRequest> r);
  /// In a mesh over TCP: what the pod's sidecar says to a connection (its ClientHello, its client certificate).
  InboundListener::Verdict AdmitConnection(const std::string& pod, bool client_cert);
  void OnMeshRequest(std::shared_ptr<const ServiceRequest> r);
  /// Sends the answer to `r` back the way it came (its TCP connection, or a datagram).
  void SendAnswer(const ServiceRequest& r, std::shared_ptr<ServiceResponse> resp, uint32_t bytes);
  void Refuse(const ServiceRequest& r, bool tls_failure = false);
  void Serve(Pod& pod, std::shared_ptr<const ServiceRequest> r);
  /// The pod answers `r` (200, or the status of its first failed call).
  void Answer(const ServiceRequest& r, int code);
  // In a mesh with calls: a request served by a calling pod waits for its calls through the pod's sidecar.
  void StartCalls(const std::string& pod, const std::vector<MeshCallSpec>& calls, std::shared_ptr<const ServiceRequest> r);
  void CallDone(uint64_t call, int code);
  void OutboundSweep();
  struct AppRequest {
    std::shared_ptr<const ServiceRequest> r;
    uint32_t outstanding = 0;
    int code = 200;
  };
  void ReportStats();

  Network& net_;
  bool running_at_start_;
  Port<PodStats>& stats_;
  bool cni_broken_ = false;
  std::unique_ptr<MessageSocket> sock_;
  std::map<std::string, Pod> pods_;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> endpoints_;
  std::map<std::string, uint32_t> node_addr_;
  uint64_t interval_in_ = 0, interval_bad_ = 0;
  Counter* requests_ = nullptr;
  Counter* forwarded_ = nullptr;
  Counter* served_ = nullptr;
  Counter* refused_ = nullptr;
  Counter* overload_drops_ = nullptr;
  Gauge* ready_pods_ = nullptr;
  // In a mesh: the pods' Envoy sidecars (inbound mTLS) and their metrics.
  std::unique_ptr<NodeSidecars> sidecars_;
  std::unique_ptr<InboundListener> inbound_;  // in a mesh over TCP: the pods' sidecars' mTLS port
  std::string crashed_sidecar_;
  Counter* inbound_tls_errors_ = nullptr;
  Counter* inbound_refused_ = nullptr;
  const MeshSpec& mesh_;
  std::map<uint64_t, AppRequest> app_;   // requests waiting for their calls, by app id
  std::map<uint64_t, uint64_t> calls_;   // call id -> app id
  uint64_t next_app_ = 1, next_call_ = 1;
  Counter* out_rq_2xx_ = nullptr;
  Counter* out_rq_4xx_ = nullptr;
  Counter* out_rq_5xx_ = nullptr;
  std::map<envoy::Flag, Counter*> out_flags_;
  Counter* out_retries_ = nullptr;
  Counter* out_ejections_ = nullptr;
  Counter* out_ssl_errors_ = nullptr;
  Counter* answered_5xx_ = nullptr;
};

}  // namespace planelab
