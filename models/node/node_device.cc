#include "models/node/node_device.h"

#include <algorithm>

#include "models/node/control/kubelet_control_plane.h"
#include "models/mesh/mesh_section.h"
#include "models/node/data/node_data_plane.h"
#include "sim/fault/fault_injector.h"
#include "sim/fault/fault_kinds.h"

namespace planelab {

namespace {

// kube-proxy writes iptables rules through netlink: a few milliseconds to take effect.
constexpr SimTime kRuleSync = 5 * kMs;

class NodeDevice : public Device {
 public:
  explicit NodeDevice(DeviceEnv& env)
      : Device(env.spec.id), program_("control->data:rules", kRuleSync), stats_("data->control:stats", kRuleSync) {
    bool initial = std::find(env.spec.groups.begin(), env.spec.groups.end(), "initial-nodes") != env.spec.groups.end();
    data_.reset(new NodeDataPlane(env.ctx, id(), env.network, initial, stats_, env.scenario.families.Get<MeshSpec>()));
    control_.reset(new KubeletControlPlane(env.ctx, id(), env.scenario.families.Get<ClusterSpec>(), env.network, initial, program_));
    program_.Connect(data_.get(), [this](const NodeProgram& p) { data_->OnProgram(p); });
    stats_.Connect(control_.get(), [this](const PodStats& s) { control_->OnPodStats(s); });
    env.faults.On<CniBrokenParams>(id(), [this](const CniBrokenParams&, bool on) { data_->SetCniBroken(on); });
    env.faults.On<SidecarCrashParams>(id(), [this](const SidecarCrashParams& p, bool on) { data_->CrashSidecar(p.pod, on); });
    InstancePower::For(env.ctx).Register(id(), [this](bool on) {
      if (on) {
        data_->PowerOn();
        control_->PowerOn();
      } else {
        control_->PowerOff();
        data_->PowerOff();
      }
    });
  }
  std::vector<PlaneActor*> planes() override { return {data_.get(), control_.get()}; }

 private:
  Port<NodeProgram> program_;
  Port<PodStats> stats_;
  std::unique_ptr<NodeDataPlane> data_;
  std::unique_ptr<KubeletControlPlane> control_;
};

}  // namespace

InstancePower& InstancePower::For(RunContext& ctx) {
  auto& slot = ctx.shared["instance-power"];
  if (!slot) slot = std::make_shared<InstancePower>();
  return *std::static_pointer_cast<InstancePower>(slot);
}

void RegisterNodeKind(DeviceRegistry& registry) {
  registry.Register("node", [](DeviceEnv& env) { return std::unique_ptr<Device>(new NodeDevice(env)); });
}

}  // namespace planelab
