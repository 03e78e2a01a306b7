#include "models/cloud/cloud_device.h"

#include "models/cloud/control/cloud_control_plane.h"
#include "models/cloud/data/load_balancer_data_plane.h"
#include "sim/fault/fault_kinds.h"
#include "sim/fault/fault_injector.h"

namespace planelab {

namespace {

// Target registration reaches the load balancer's data path within seconds (NLB registration delay).
constexpr SimTime kRegistration = 1 * kSec;

class CloudDevice : public Device {
 public:
  explicit CloudDevice(DeviceEnv& env) : Device(env.spec.id), targets_("control->data:targets", kRegistration) {
    data_.reset(new LoadBalancerDataPlane(env.ctx, id(), env.network));
    control_.reset(new CloudControlPlane(env.ctx, id(), env.scenario.families.Get<ClusterSpec>(), targets_));
    // Registration is the load balancer's configuration, kept by the cloud: it lands while the forwarding path is
    // down too (no receiver to check).
    targets_.Connect(nullptr, [this](const LbTargets& t) { data_->OnTargets(t); });
    env.faults.On<ProvisioningApiDegradedParams>(id(), [this](const ProvisioningApiDegradedParams& p, bool on) {
      if (!on) { control_->SetDegraded(0, 0); return; }
      control_->SetDegraded(p.error_rate, p.extra_latency);
    });
  }
  std::vector<PlaneActor*> planes() override { return {data_.get(), control_.get()}; }

 private:
  Port<LbTargets> targets_;
  std::unique_ptr<LoadBalancerDataPlane> data_;
  std::unique_ptr<CloudControlPlane> control_;
};

}  // namespace

void RegisterCloudKind(DeviceRegistry& registry) {
  registry.Register("cloud-api", [](DeviceEnv& env) { return std::unique_ptr<Device>(new CloudDevice(env)); });
}

}  // namespace planelab
