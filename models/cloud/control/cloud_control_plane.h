// The cloud provider's control plane: its control APIs - instance launch (with the auto-scaling group that keeps the
// desired count of worker instances, and instance retirement after a lifetime), IAM (policy and role changes),
// load-balancer registration, volume attach - and the infrastructure-as-code pipeline that calls them. Each API can
// fail (cloud-control-plane-outage); what it set before lives in the data planes, which keep serving (static
// stability): registered targets, propagated IAM policies, attached volumes.
#pragma once
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/cloud/core/cloud_core.h"
#include "models/cluster/cluster_section.h"
#include "sim/core/plane_actor.h"
#include "sim/scenario/scenario.h"

namespace planelab {

/// control -> data: the instances registered with the load balancer.
struct LbTargets {
  std::vector<std::string> nodes;
};
/// control -> data: an IAM change reached the authorising replicas (sent when it becomes effective).
struct IamUpdate {
  std::string role;
  bool allow = true;
};
/// control -> data: a volume attached (or detached) through the volume API.
struct VolumeUpdate {
  std::string volume;
  bool attached = true;
};
/// data -> control: the load balancer's request rate (ALB's RequestCount, for target tracking).
struct LbLoad {
  double rps = 0;
};

/// Whether a scenario uses the cloud's services beyond the instance API (then their metrics are recorded).
bool CloudServicesUsed(const Scenario& sc, const std::string& cloud_device);

/// Keeps `nodes` instances running (or the target-tracking desired count); when launches fail, retired instances
/// are simply not replaced.
class CloudControlPlane : public PlaneActor {
 public:
  struct Ports {
    Port<LbTargets>& targets;
    Port<IamUpdate>& iam;
    Port<VolumeUpdate>& volumes;
  };
  CloudControlPlane(RunContext& ctx, const std::string& device, const ClusterSpec& spec, Ports to_data, bool services);
  void Start() override;
  Health MeasureHealth() override;
  void SetDegraded(double error_rate, SimTime extra_latency);
  /// Fault hook (cloud-control-plane-outage): the named APIs (empty: all) fail with errors or time out.
  void SetOutage(const std::vector<std::string>& apis, const std::string& mode, bool on);
  /// Fault hook (iam-propagation-slow).
  void SetIamSlow(double factor) { iam_.SetSlowFactor(factor); }
  /// From the load balancer (data plane): its request rate, for target tracking.
  void OnLoad(const LbLoad& l);

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
  /// One call to a control API: `done(ok)` after its latency, or after the API timeout when it hangs.
  void Call(const std::string& api, SimTime timeout, std::function<void(bool)> done);
  bool Out(const std::string& api) const { return outage_.count(api) > 0; }
  void Register(const std::string& slot, bool on);
  void AskIam(IamChangeSpec ch, SimTime first_asked);
  void StartIacRun(const IacRunSpec& run);
  void DriveIac();
  void Attach(const std::string& volume);

  const ClusterSpec& spec_;
  Ports to_data_;
  bool services_;
  std::map<std::string, Instance> slots_;
  std::vector<std::string> order_;
  std::set<std::string> registered_;
  uint32_t desired_ = 0;
  double error_rate_ = 0;
  SimTime extra_latency_ = 0;
  std::map<std::string, std::string> outage_;  // api -> errors | timeouts
  cloud::IamCore iam_;
  uint32_t iam_pending_ = 0;
  std::vector<cloud::Resource> managed_;       // what the IaC state file holds
  std::unique_ptr<cloud::ApplyRun> iac_;
  SimTime iac_started_ = 0;
  std::set<std::string> volumes_;
  uint64_t interval_calls_ = 0, interval_failed_ = 0;
  Counter* launches_ = nullptr;
  Counter* launch_failures_ = nullptr;
  Counter* retirements_ = nullptr;
  Histogram* api_latency_ = nullptr;
  Gauge* running_ = nullptr;
  std::map<std::string, Counter*> api_requests_, api_errors_;
  std::map<std::string, Histogram*> api_call_latency_;
  Counter* iam_effective_ = nullptr;
  Histogram* iam_latency_ = nullptr;
  Gauge* iam_pending_gauge_ = nullptr;
  Counter* iac_ok_ = nullptr;
  Counter* iac_failed_ = nullptr;
  Histogram* iac_duration_ = nullptr;
  Gauge* registered_gauge_ = nullptr;
  Gauge* desired_gauge_ = nullptr;
  Gauge* volumes_gauge_ = nullptr;
};

}  // namespace planelab
