#include "models/cloud/cloud_device.h"

#include "models/cloud/control/cloud_control_plane.h"
#include "models/cloud/data/load_balancer_data_plane.h"
#include "sim/fault/fault_kinds.h"
#include "sim/fault/fault_injector.h"

namespace planelab {

namespace {

// Target registration reaches the load balancer's data path within seconds (NLB registration delay).
constexpr SimTime kRegistration = 1 * kSec;
// Within the provider: IAM's replicas and the volume service get what the control plane decided at once (the
// propagation delay itself is IAM's core's); the request-rate datapoint reaches the scaling policy in a second.
constexpr SimTime kInternal = 10 * kMs;

class CloudDevice : public Device {
 public:
  explicit CloudDevice(DeviceEnv& env)
      : Device(env.spec.id), targets_("control->data:targets", kRegistration), iam_("control->data:iam", kInternal),
        volumes_("control->data:volumes", kInternal), load_("data->control:load", 1 * kSec) {
    const ClusterSpec& spec = env.scenario.families.Get<ClusterSpec>();
    bool services = CloudServicesUsed(env.scenario, id());
    data_.reset(new LoadBalancerDataPlane(env.ctx, id(), env.network, spec, services, load_));
    control_.reset(new CloudControlPlane(env.ctx, id(), spec, {targets_, iam_, volumes_}, services));
    // Registration is the load balancer's configuration, kept by the cloud: it lands while the forwarding path is
    // down too (no receiver to check). So are the IAM replicas' policies and the volumes' attachments.
    targets_.Connect(nullptr, [this](const LbTargets& t) { data_->OnTargets(t); });
    iam_.Connect(nullptr, [this](const IamUpdate& u) { data_->OnIam(u); });
    volumes_.Connect(nullptr, [this](const VolumeUpdate& u) { data_->OnVolume(u); });
    load_.Connect(control_.get(), [this](const LbLoad& l) { control_->OnLoad(l); });
    env.faults.On<ProvisioningApiDegradedParams>(id(), [this](const ProvisioningApiDegradedParams& p, bool on) {
      if (!on) { control_->SetDegraded(0, 0); return; }
      control_->SetDegraded(p.error_rate, p.extra_latency);
    });
    env.faults.On<CloudControlPlaneOutageParams>(id(), [this](const CloudControlPlaneOutageParams& p, bool on) {
      control_->SetOutage(p.apis, p.mode, on);
    });
    env.faults.On<IamPropagationSlowParams>(id(), [this](const IamPropagationSlowParams& p, bool on) {
      control_->SetIamSlow(on ? p.factor : 1.0);
    });
    env.faults.On<LbDataPlaneDropParams>(id(), [this](const LbDataPlaneDropParams& p, bool on) {
      data_->SetDrop(on ? p.share : 0);
    });
    env.faults.On<VolumeIoErrorsParams>(id(), [this](const VolumeIoErrorsParams& p, bool on) {
      data_->SetVolumeErrors(on ? p.error_rate : 0, on ? p.extra_latency : 0);
    });
  }
  std::vector<PlaneActor*> planes() override { return {data_.get(), control_.get()}; }

 private:
  Port<LbTargets> targets_;
  Port<IamUpdate> iam_;
  Port<VolumeUpdate> volumes_;
  Port<LbLoad> load_;
  std::unique_ptr<LoadBalancerDataPlane> data_;
  std::unique_ptr<CloudControlPlane> control_;
};

}  // namespace

void RegisterCloudKind(DeviceRegistry& registry) {
  registry.Register("cloud-api", [](DeviceEnv& env) { return std::unique_ptr<Device>(new CloudDevice(env)); });
}

}  // namespace planelab
