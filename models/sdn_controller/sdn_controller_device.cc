// The SDN controller device kind: one cluster member, its control plane (OpenFlow, discovery, paths, intents,
// Raft). Its configuration (ONOS's netcfg) is built once per run from the topology.
#include <memory>

#include "models/sdn_controller/control/sdn_control_plane.h"
#include "models/sdn_controller/mgmt/northbound_mgmt_plane.h"
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

// The REST API and the member run in one process (ONOS's Karaf container): calls reach the core in-process.
constexpr SimTime kInProcess = 100 * kUs;

class SdnControllerDevice : public Device {
 public:
  explicit SdnControllerDevice(DeviceEnv& env)
      : Device(env.spec.id),
        request_port_("management->control:northbound", kInProcess),
        reply_port_("control->management:northbound", kInProcess) {
    const SdnControllerSpec& spec = env.scenario.families.Get<SdnControllerSpec>();
    auto cfg = NetcfgOf(env);
    control_.reset(new SdnControlPlane(env.ctx, id(), env.network, spec, cfg));
    env.faults.On<ControllerPartitionParams>(id(), [this](const ControllerPartitionParams& p, bool on) {
      control_->SetPartition(on && p.from != "controllers", on && p.from != "switches");
    });
    // The management plane (issue 19): the northbound API on every member; the dashboard and, by default, the
    // operators' calls on the one they watch.
    if (spec.northbound.enabled) {
      std::string watched = spec.northbound.dashboard.empty() ? cfg->members.front().first : spec.northbound.dashboard;
      std::vector<NorthboundCallSpec> calls;
      for (const auto& c : spec.northbound.calls) {
        if ((c.intent.via.empty() ? watched : c.intent.via) == id()) calls.push_back(c);
      }
      mgmt_.reset(new SdnNorthboundMgmtPlane(env.ctx, id(), spec.northbound, watched == id(), std::move(calls),
                                             request_port_));
      request_port_.Connect(control_.get(), [this](const NorthboundRequest& r) { control_->OnNorthbound(r, reply_port_); });
      reply_port_.Connect(mgmt_.get(), [this](const NorthboundReply& r) { mgmt_->OnReply(r); });
      env.faults.On<SdnNorthboundDownParams>(id(), [this](const SdnNorthboundDownParams& p, bool on) {
        sdn::ApiMode mode = !on ? sdn::ApiMode::kUp : p.mode == "slow" ? sdn::ApiMode::kSlow : sdn::ApiMode::kDown;
        mgmt_->SetApiMode(mode, p.latency);
      });
    }
  }
  std::vector<PlaneActor*> planes() override {
    if (!mgmt_) return {control_.get()};
    return {control_.get(), mgmt_.get()};
  }
  const ReportedHealthSource* dashboard() const override { return mgmt_.get(); }

 private:
  Port<NorthboundRequest> request_port_;
  Port<NorthboundReply> reply_port_;
  std::unique_ptr<SdnControlPlane> control_;
  std::unique_ptr<SdnNorthboundMgmtPlane> mgmt_;
};

}  // namespace

void RegisterSdnControllerDevices(DeviceRegistry& registry) {
  registry.Register("sdn-controller",
                    [](DeviceEnv& env) { return std::unique_ptr<Device>(new SdnControllerDevice(env)); });
}

}  // namespace planelab
