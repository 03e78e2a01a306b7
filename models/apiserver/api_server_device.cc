#include "models/apiserver/api_server_device.h"

#include "models/apiserver/control/api_server_control_plane.h"
#include "models/apiserver/mgmt/kubectl_mgmt_plane.h"

namespace planelab {

namespace {

class ApiServerDevice : public Device {
 public:
  explicit ApiServerDevice(DeviceEnv& env) : Device(env.spec.id) {
    control_.reset(new ApiServerControlPlane(env.ctx, id(), env.scenario.families.Get<ClusterSpec>(), env.network));
    kubectl_.reset(new KubectlMgmtPlane(env.ctx, id(), env.scenario.families.Get<ClusterSpec>(), env.network,
                                        env.scenario.families.Get<MeshSpec>()));
  }
  std::vector<PlaneActor*> planes() override { return {control_.get(), kubectl_.get()}; }
  const ReportedHealthSource* dashboard() const override { return kubectl_.get(); }

 private:
  std::unique_ptr<ApiServerControlPlane> control_;
  std::unique_ptr<KubectlMgmtPlane> kubectl_;
};

}  // namespace

void RegisterApiServerKind(DeviceRegistry& registry) {
  registry.Register("api-server", [](DeviceEnv& env) { return std::unique_ptr<Device>(new ApiServerDevice(env)); });
}

}  // namespace planelab
