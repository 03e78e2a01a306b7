// The cloud's data plane: a network load balancer in front of the worker instances, spreading service requests
// over the registered targets (round robin). Health checks go to kube-proxy, which answers while the node is up.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/cloud/control/cloud_control_plane.h"
#include "sim/core/plane_actor.h"

namespace planelab {

class Network;
class MessageSocket;

/// Forwards each client request to one running instance, keeping the client's address (as an NLB does).
class LoadBalancerDataPlane : public PlaneActor {
 public:
  LoadBalancerDataPlane(RunContext& ctx, const std::string& device, Network& net);
  ~LoadBalancerDataPlane() override;
  void Start() override;
  Health MeasureHealth() override;
  /// Registered targets are the load balancer's configuration: kept while its forwarding path is down.
  void OnTargets(const LbTargets& t);

 protected:
  /// A crash of the forwarding path: nothing is forwarded until the restart (Start()) listens again.
  void HandleCrash() override;

 private:
  Network& net_;
  std::unique_ptr<MessageSocket> sock_;
  std::vector<uint32_t> targets_;
  size_t next_ = 0;
  uint64_t interval_in_ = 0, interval_dropped_ = 0;
  Counter* forwarded_ = nullptr;
  Counter* no_target_ = nullptr;
  Gauge* targets_gauge_ = nullptr;
};

}  // namespace planelab
