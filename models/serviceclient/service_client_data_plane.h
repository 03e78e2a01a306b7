// Users of the cluster's services: requests at a rate through the cloud load balancer, measured as users feel
// them (latency, refused connections, timeouts).
#pragma once
#include <deque>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "models/mesh/data/outbound_proxy.h"
#include "models/mesh/data/sidecar_tcp.h"
#include "models/mesh/data/sidecar_agent.h"
#include "models/proto/cluster_api.h"
#include "sim/core/plane_actor.h"
#include "sim/scenario/scenario.h"
#include "models/cluster/cluster_section.h"

namespace planelab {

class Network;
class MessageSocket;
struct MeshSpec;

/// Runs every service client the scenario assigns to this device.
class ServiceClientDataPlane : public PlaneActor {
 public:
  ServiceClientDataPlane(RunContext& ctx, const std::string& device, Network& net,
                         std::vector<const ServiceClientSpec*> clients, const MeshSpec& mesh,
                         std::vector<std::string> mesh_clusters = {});
  ~ServiceClientDataPlane() override;
  void Start() override;
  Health MeasureHealth() override;

 protected:
  /// A crash loses the socket and the requests in flight; the restart resumes sending.
  void HandleCrash() override;

 private:
  struct Outstanding {
    SimTime sent = 0;
    size_t client = 0;
  };
  void SendNext(size_t i);
  // In a mesh the client's own Envoy sidecar routes each request (client-side load balancing from istiod's last
  // push) straight to a pod over mTLS, with retries, outlier detection and circuit breaking.
  OutboundProxy::Hooks OutboundHooks();
  void MeshSweep();
  const MeshSpec& mesh_;
  std::unique_ptr<SidecarAgent> sidecar_;
  std::unique_ptr<OutboundProxy> outbound_;
  std::unique_ptr<UpstreamPool> upstream_;  // over TCP: the sidecar's connections to the pods
  std::unique_ptr<MessageSocket> xds_sock_;
  uint32_t istiod_addr_ = 0;
  Counter* rq_2xx_ = nullptr;
  Counter* rq_4xx_ = nullptr;
  Counter* rq_5xx_ = nullptr;
  std::map<envoy::Flag, Counter*> flag_counters_;
  std::map<std::string, Counter*> cluster_rq_;
  Counter* retries_ = nullptr;
  Counter* ejections_ = nullptr;
  Counter* ssl_errors_ = nullptr;
  double RateAt(const ServiceClientSpec& c, SimTime t) const;

  Network& net_;
  std::vector<const ServiceClientSpec*> clients_;
  std::unique_ptr<MessageSocket> sock_;
  uint32_t lb_addr_ = 0;
  std::map<uint64_t, Outstanding> outstanding_;
  uint64_t next_id_ = 1;
  uint64_t interval_due_ = 0, interval_bad_ = 0;
  Counter* sent_ = nullptr;
  Counter* ok_ = nullptr;
  Counter* refused_ = nullptr;
  Counter* timeouts_ = nullptr;
  Histogram* latency_ = nullptr;
  Gauge* error_ratio_ = nullptr;
  double last_error_ratio_ = 0;
};

}  // namespace planelab
