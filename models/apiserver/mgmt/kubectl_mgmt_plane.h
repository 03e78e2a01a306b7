// The API server's management plane is its operators' kubectl: periodic `kubectl get nodes`, and the
// scenario's rollouts applied as an operator would (retrying until the API takes them, then watching them
// finish). What it shows of the nodes is the dashboard operators trust.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "models/proto/cluster_api.h"
#include "sim/core/device.h"
#include "sim/core/plane_actor.h"
#include "sim/scenario/scenario.h"
#include "models/cluster/cluster_section.h"
#include "models/mesh/mesh_section.h"

namespace planelab {

class Network;
class ApiClient;

/// kubectl, measured as operators feel it; also the cluster's dashboard ("kubectl get nodes").
class KubectlMgmtPlane : public PlaneActor, public ReportedHealthSource {
 public:
  KubectlMgmtPlane(RunContext& ctx, const std::string& device, const ClusterSpec& spec, Network& net,
                   const MeshSpec& mesh);
  ~KubectlMgmtPlane() override;
  void Start() override;
  Health MeasureHealth() override;
  Health Reported(const std::string& device, Plane plane) const override;

 protected:
  /// The operator's terminal dies: its client and what `kubectl get nodes` showed go (the dashboard says
  /// nothing until the restarted terminal lists the nodes again); the rollouts asked for are resumed.
  void HandleCrash() override;

 private:
  struct Rollout {
    const RolloutSpec* spec = nullptr;
    SimTime requested = -1, accepted = -1, done = -1;
    uint32_t revision = 0;
  };
  /// One kubectl call, measured; `then` gets the answer.
  void Kubectl(ApiRequest req, std::function<void(const ApiResponse&)> then);
  void GetDeployment(size_t i, std::function<void(const ApiResponse&)> then);
  void GetNodes();
  void TryRollout(size_t i);
  void CheckRollout(size_t i);
  /// `kubectl apply` of the mesh's VirtualService `i` (create, or update the one there).
  void ApplyRule(size_t i);
  void Observe(const ApiResponse& r, SimTime started);

  const ClusterSpec& spec_;
  Network& net_;
  std::unique_ptr<ApiClient> api_;
  std::map<std::string, bool> nodes_;
  SimTime nodes_seen_ = -1;
  bool api_ok_ = true;
  std::vector<Rollout> rollouts_;
  const MeshSpec& mesh_;
  std::vector<bool> rule_applied_, rule_asked_;
  uint64_t interval_requests_ = 0, interval_errors_ = 0;
  Counter* requests_ = nullptr;
  Counter* errors_ = nullptr;
  Histogram* latency_ = nullptr;
  Gauge* nodes_ready_ = nullptr;
  Gauge* rollouts_in_progress_ = nullptr;
  Gauge* rollout_seconds_ = nullptr;
};

}  // namespace planelab
