// The cloud provider's control plane: the instance API (launch/terminate with latency and errors), the
// auto-scaling group that keeps the desired count of worker instances, and instance retirement after a lifetime.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "sim/core/plane_actor.h"
#include "sim/scenario/scenario.h"
#include "models/cluster/cluster_section.h"

namespace planelab {

/// control -> data: the instances the load balancer sends traffic to.
struct LbTargets {
  std::vector<std::string> nodes;
};

/// Keeps `nodes` instances running; when launches fail, retired instances are simply not replaced.
class CloudControlPlane : public PlaneActor {
 public:
  CloudControlPlane(RunContext& ctx, const std::string& device, const ClusterSpec& spec, Port<LbTargets>& to_data);
  void Start() override;
  Health MeasureHealth() override;
  void SetDegraded(double error_rate, SimTime extra_latency);

 protected:
  /// A crash of the auto-scaling service loses the launches in flight; the restart re-arms the retirements and
  /// the reconcile loop (Start()), and publishes the targets again.
  void HandleCrash() override;

 private:
  enum class Slot { kEmpty, kBooting, kRunning };
  struct Instance {
    Slot state = Slot::kEmpty;
    SimTime retire_at = -1;
  };
  void Reconcile();
  void Launch(const std::string& slot);
  void Retire(const std::string& slot);
  void PublishTargets();

  const ClusterSpec& spec_;
  Port<LbTargets>& to_data_;
  std::map<std::string, Instance> slots_;
  std::vector<std::string> order_;
  double error_rate_ = 0;
  SimTime extra_latency_ = 0;
  uint64_t interval_calls_ = 0, interval_failed_ = 0;
  Counter* launches_ = nullptr;
  Counter* launch_failures_ = nullptr;
  Counter* retirements_ = nullptr;
  Histogram* api_latency_ = nullptr;
  Gauge* running_ = nullptr;
};

}  // namespace planelab
