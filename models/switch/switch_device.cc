// The switch device kind: forwarding hardware with a flow table (data), the OpenFlow agent (control), and the
// ports between them.
#include <map>
#include <memory>
#include <unordered_map>

#include "models/switch/control/inband_paths.h"
#include "models/switch/control/switch_agent.h"
#include "models/switch/data/switch_data_plane.h"
#include "models/switch/mgmt/switch_mgmt_agent.h"
#include "models/switch/switch_section.h"
#include "sim/core/device.h"
#include "sim/core/network.h"
#include "sim/core/network_ns3.h"
#include "sim/fault/fault_injector.h"
#include "sim/fault/fault_kinds.h"

namespace planelab {

namespace {

// Intra-device message latency between the agent's CPU and the forwarding hardware (PCIe): microseconds.
constexpr SimTime kInternalBus = 10 * kUs;

/// What every switch needs to know of the scenario, built once per run: device kinds and datapath ids.
struct SdnInventory {
  std::unordered_map<std::string, std::string> kind;  // device -> kind
  std::unordered_map<std::string, uint64_t> dpid;     // switch -> datapath id (1, 2, ... in file order)
  std::vector<std::string> controllers;
};

const SdnInventory& InventoryOf(DeviceEnv& env) {
  auto& shared = env.ctx.shared["sdn.inventory"];
  if (!shared) {
    auto inv = std::make_shared<SdnInventory>();
    uint64_t next = 1;
    for (const auto& d : env.scenario.devices) {
      inv->kind[d.id] = d.kind;
      if (d.kind == "switch") inv->dpid[d.id] = next++;
      if (d.kind == "sdn-controller") inv->controllers.push_back(d.id);
    }
    shared = inv;
  }
  return *std::static_pointer_cast<SdnInventory>(shared);
}

/// In-band control (switch.control_network "in-band"): every switch's hidden routes toward the controllers and the
/// other switches' agents, computed once per run from the topology.
const std::map<std::string, std::map<uint32_t, sdn::InbandHop>>& InbandRoutesOf(DeviceEnv& env, const SdnInventory& inv) {
  auto& shared = env.ctx.shared["sdn.inband"];
  if (!shared) {
    sdn::InbandFabric f;
    for (const auto& d : env.scenario.devices) {
      if (d.kind == "sdn-controller") f.controller_addr[d.id] = env.network.ServiceAddress(d.id);
      if (d.kind != "switch") continue;
      f.agent_addr[d.id] = env.network.ServiceAddress(d.id);
      auto& ports = f.ports[d.id];
      for (const auto& i : env.network.Interfaces(d.id)) {
        if (i.oob) continue;
        auto k = inv.kind.find(i.peer);
        ports.push_back({i.peer, i.ifindex, i.peer_addr, k != inv.kind.end() && k->second == "switch"});
      }
    }
    shared = std::make_shared<std::map<std::string, std::map<uint32_t, sdn::InbandHop>>>(sdn::InbandRoutes(f));
  }
  return *std::static_pointer_cast<std::map<std::string, std::map<uint32_t, sdn::InbandHop>>>(shared);
}

class SwitchDevice : public Device {
 public:
  explicit SwitchDevice(DeviceEnv& env)
      : Device(env.spec.id),
        program_port_("control->data:program", kInternalBus),
        event_port_("data->control:events", kInternalBus),
        data_status_port_("data->management:status", kInternalBus),
        control_status_port_("control->management:status", kInternalBus),
        query_data_port_("management->data:query", kInternalBus),
        query_control_port_("management->control:query", kInternalBus) {
    const SdnInventory& inv = InventoryOf(env);
    SwitchSpec spec = env.scenario.families.Get<SwitchSpec>();
    spec.fail_mode = FailModeOf(spec, id());
    // OpenFlow ports face switches and hosts; the first other link is the out-of-band control port
    // (a management Ethernet, as a hardware switch's), through the control network to the controllers.
    // In-band, the ports facing controllers are the bridge's ports too, and the channels leave through the fabric.
    const bool inband = spec.control_network == "in-band";
    std::vector<uint32_t> of_ports;
    const InterfaceInfo* control = nullptr;
    for (const auto& i : env.network.Interfaces(id())) {
      if (i.oob) continue;
      auto k = inv.kind.find(i.peer);
      std::string kind = k == inv.kind.end() ? "" : k->second;
      if (kind == "switch" || kind == "host" || (inband && kind == "sdn-controller")) of_ports.push_back(i.ifindex);
      else if (!control && !inband) control = &i;
    }
    uint64_t dpid = inv.dpid.at(id());
    data_.reset(new SwitchDataPlane(env.ctx, id(), env.network, spec, dpid, of_ports, event_port_));
    std::vector<ControllerTarget> targets;
    for (const auto& c : inv.controllers) targets.push_back({c, env.network.ServiceAddress(c)});
    uint32_t local = control ? control->local_addr : env.network.ServiceAddress(id());
    if (control) FibOf(env.network, id())->SetRoute(0, 0, control->peer_addr, control->ifindex);
    if (inband) {
      std::map<uint32_t, uint32_t> hidden;
      auto routes = InbandRoutesOf(env, inv).find(id());
      if (routes != InbandRoutesOf(env, inv).end()) {
        for (const auto& [addr, hop] : routes->second) hidden[addr] = hop.ifindex;
        // The agent's own traffic to the controllers takes the same paths.
        for (const auto& t : targets) {
          auto h = routes->second.find(t.addr);
          if (h != routes->second.end()) FibOf(env.network, id())->SetRoute(t.addr, 32, h->second.next_hop, h->second.ifindex);
        }
      }
      data_->SetInbandRoutes(std::move(hidden));
    }
    control_.reset(new SwitchAgent(env.ctx, id(), env.network, spec, dpid,
                                   control || inband ? targets : std::vector<ControllerTarget>{}, local, program_port_));
    // A switch without an out-of-band port has no management plane to model (as a router).
    if (env.spec.managed && env.scenario.management.enabled) {
      mgmt_.reset(new SwitchMgmtAgent(env.ctx, id(), env.network, query_data_port_, query_control_port_));
      data_status_port_.Connect(mgmt_.get(), [this](const SwitchDataStatus& s) { mgmt_->OnDataStatus(s); });
      control_status_port_.Connect(mgmt_.get(), [this](const SwitchControlStatus& s) { mgmt_->OnControlStatus(s); });
      query_data_port_.Connect(data_.get(), [this](const StatusQuery& q) { data_->OnStatusQuery(q, data_status_port_); });
      query_control_port_.Connect(control_.get(),
                                  [this](const StatusQuery& q) { control_->OnStatusQuery(q, control_status_port_); });
    }
    program_port_.Connect(data_.get(), [this](const SwitchCommand& c) { data_->OnCommand(c); });
    event_port_.Connect(control_.get(), [this](const SwitchEvent& e) { control_->OnDataEvent(e); });
    env.faults.On<AsicDeadParams>(id(), [this](const AsicDeadParams&, bool on) { data_->SetAsicAlive(!on); });
    env.faults.On<FlowTableFullParams>(id(), [this](const FlowTableFullParams&, bool on) { data_->SetTableFull(on); });
    env.faults.On<ControlChannelDownParams>(id(), [this](const ControlChannelDownParams&, bool on) {
      control_->SetChannelBlocked(on);
    });
  }

  std::vector<PlaneActor*> planes() override {
    if (!mgmt_) return {data_.get(), control_.get()};
    return {data_.get(), control_.get(), mgmt_.get()};
  }

 private:
  Port<SwitchCommand> program_port_;
  Port<SwitchEvent> event_port_;
  std::unique_ptr<SwitchDataPlane> data_;
  Port<SwitchDataStatus> data_status_port_;
  Port<SwitchControlStatus> control_status_port_;
  Port<StatusQuery> query_data_port_;
  Port<StatusQuery> query_control_port_;
  std::unique_ptr<SwitchAgent> control_;
  std::unique_ptr<SwitchMgmtAgent> mgmt_;
};

}  // namespace

void RegisterSwitchDevices(DeviceRegistry& registry) {
  registry.Register("switch", [](DeviceEnv& env) { return std::unique_ptr<Device>(new SwitchDevice(env)); });
}

}  // namespace planelab
