#include "models/controller/controller_manager_device.h"

#include "models/controller/control/controller_manager_control_plane.h"

namespace planelab {

namespace {

class ControllerManagerDevice : public Device {
 public:
  explicit ControllerManagerDevice(DeviceEnv& env) : Device(env.spec.id) {
    control_.reset(new ControllerManagerControlPlane(env.ctx, id(), env.scenario.families.Get<ClusterSpec>(), env.network));
  }
  std::vector<PlaneActor*> planes() override { return {control_.get()}; }

 private:
  std::unique_ptr<ControllerManagerControlPlane> control_;
};

}  // namespace

void RegisterControllerManagerKind(DeviceRegistry& registry) {
  registry.Register("controller-manager",
                    [](DeviceEnv& env) { return std::unique_ptr<Device>(new ControllerManagerDevice(env)); });
}

}  // namespace planelab
