// The SDN controller device kind: one cluster member, its control plane (OpenFlow, discovery, paths, intents,
// Raft). Its configuration (ONOS's netcfg) is built once per run from the topology.
#include <memory>

#include "models/sdn_controller/control/sdn_control_plane.h"
#include "models/sdn_controller/sdn_controller_section.h"
#include "sim/core/device.h"
#include "sim/core/network.h"
#include "sim/fault/fault_injector.h"
#include "sim/fault/fault_kinds.h"

namespace planelab {

namespace {

std::shared_ptr<const SdnNetcfg> NetcfgOf(DeviceEnv& env) {
  auto& shared = env.ctx.shared["sdn.netcfg"];
  if (!shared) {
    auto cfg = std::make_shared<SdnNetcfg>();
    std::map<std::string, std::string> kind;
    uint64_t next = 1;
    for (const auto& d : env.scenario.devices) {
      kind[d.id] = d.kind;
      // Datapath ids in file order, as the switches number themselves (models/switch/switch_device.cc).
      if (d.kind == "switch") {
        cfg->switches.push_back(next);
        cfg->switch_name[next] = d.id;
        cfg->dpid_of[d.id] = next++;
      }
      if (d.kind == "sdn-controller") cfg->members.push_back({d.id, env.network.ServiceAddress(d.id)});
      if (d.kind == "host") cfg->host_addr[d.id] = env.network.ServiceAddress(d.id);
    }
    for (const auto& [name, dpid] : cfg->dpid_of) {
      for (const auto& i : env.network.Interfaces(name)) {
        if (i.oob) continue;
        const std::string& k = kind[i.peer];
        if (k == "switch") cfg->ports[dpid].push_back(i.ifindex);
        if (k == "host") {
          cfg->ports[dpid].push_back(i.ifindex);
          cfg->host_at[env.network.ServiceAddress(i.peer)] = {dpid, i.ifindex};
        }
      }
    }
    shared = cfg;
  }
  return std::static_pointer_cast<const SdnNetcfg>(shared);
}

class SdnControllerDevice : public Device {
 public:
  explicit SdnControllerDevice(DeviceEnv& env) : Device(env.spec.id) {
    control_.reset(new SdnControlPlane(env.ctx, id(), env.network, env.scenario.families.Get<SdnControllerSpec>(),
                                       NetcfgOf(env)));
    env.faults.On<ControllerPartitionParams>(id(), [this](const ControllerPartitionParams& p, bool on) {
      control_->SetPartition(on && p.from != "controllers", on && p.from != "switches");
    });
  }
  std::vector<PlaneActor*> planes() override { return {control_.get()}; }

 private:
  std::unique_ptr<SdnControlPlane> control_;
};

}  // namespace

void RegisterSdnControllerDevices(DeviceRegistry& registry) {
  registry.Register("sdn-controller",
                    [](DeviceEnv& env) { return std::unique_ptr<Device>(new SdnControllerDevice(env)); });
}

}  // namespace planelab
