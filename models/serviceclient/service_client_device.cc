#include "models/serviceclient/service_client_device.h"

#include "models/serviceclient/service_client_data_plane.h"
#include "models/cluster/cluster_section.h"
#include "models/mesh/mesh_section.h"

namespace planelab {

namespace {

class ServiceClientDevice : public Device {
 public:
  explicit ServiceClientDevice(DeviceEnv& env) : Device(env.spec.id) {
    // Clients are spread over the client devices in order: client i goes to device (i mod clients) + 1.
    const ClusterSpec& cs = env.scenario.families.Get<ClusterSpec>();
    std::vector<const ServiceClientSpec*> mine;
    uint32_t me = static_cast<uint32_t>(std::stoul(id().substr(id().rfind('-') + 1)));
    for (size_t i = 0; i < cs.service_clients.size(); ++i) {
      if (i % cs.clients + 1 == me) mine.push_back(&cs.service_clients[i]);
    }
    std::vector<std::string> clusters;
    for (const auto& d : cs.deployments) clusters.push_back(d.name);
    data_.reset(new ServiceClientDataPlane(env.ctx, id(), env.network, mine, env.scenario.families.Get<MeshSpec>(),
                                           clusters));
  }
  std::vector<PlaneActor*> planes() override { return {data_.get()}; }

 private:
  std::unique_ptr<ServiceClientDataPlane> data_;
};

}  // namespace

void RegisterServiceClientKind(DeviceRegistry& registry) {
  registry.Register("service-client",
                    [](DeviceEnv& env) { return std::unique_ptr<Device>(new ServiceClientDevice(env)); });
}

}  // namespace planelab
