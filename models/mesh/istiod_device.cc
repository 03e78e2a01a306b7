// The istiod device kind: a pod of istiod on the control-plane rack. Control = discovery and the CA; management =
// its monitoring port as Prometheus scrapes it.
#include <memory>

#include "models/cluster/cluster_section.h"
#include "models/mesh/control/istiod_control_plane.h"
#include "models/mesh/mesh_section.h"
#include "sim/core/device.h"
#include "sim/fault/fault_injector.h"
#include "sim/fault/fault_kinds.h"

namespace planelab {

namespace {

class IstiodDevice : public Device {
 public:
  explicit IstiodDevice(DeviceEnv& env)
      : Device(env.spec.id), stats_("control->mgmt:metrics", 1 * kMs), scrape_("mgmt->control:scrape", 1 * kMs) {
    control_.reset(new IstiodControlPlane(env.ctx, id(), env.scenario.families.Get<ClusterSpec>(),
                                          env.scenario.families.Get<MeshSpec>(), env.network, stats_));
    mgmt_.reset(new IstiodMgmtPlane(env.ctx, id(), scrape_));
    stats_.Connect(mgmt_.get(), [this](const IstiodStats& s) { mgmt_->OnStats(s); });
    scrape_.Connect(control_.get(), [this](const IstiodScrape&) { control_->OnScrape(); });
    env.faults.On<IstiodSlowPushParams>(id(), [this](const IstiodSlowPushParams& p, bool on) {
      control_->SetPushDelay(on ? p.delay : 0);
    });
  }
  std::vector<PlaneActor*> planes() override { return {control_.get(), mgmt_.get()}; }

 private:
  Port<IstiodStats> stats_;
  Port<IstiodScrape> scrape_;
  std::unique_ptr<IstiodControlPlane> control_;
  std::unique_ptr<IstiodMgmtPlane> mgmt_;
};

}  // namespace

void RegisterMeshDevices(DeviceRegistry& registry) {
  registry.Register("istiod", [](DeviceEnv& env) { return std::unique_ptr<Device>(new IstiodDevice(env)); });
}

}  // namespace planelab
