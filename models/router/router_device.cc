#include "models/router/router_device.h"

#include "sim/core/network.h"

#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "models/router/control/bgp_control_plane.h"
#include "models/router/control/link_state_control_plane.h"
#include "models/router/data/router_data_plane.h"
#include "models/router/mgmt/router_mgmt_agent.h"
#include "sim/fault/fault_kinds.h"
#include "sim/fault/fault_injector.h"

namespace planelab {

namespace {

// Intra-device message latency over the internal bus (PCIe/backplane): microseconds.
constexpr SimTime kInternalBus = 10 * kUs;

class RouterDevice : public Device {
 public:
  explicit RouterDevice(DeviceEnv& env)
      : Device(env.spec.id),
        fib_port_("control->data:fib", env.scenario.families.Get<RoutingSpec>().fib_program_delay),
        punt_port_("data->control:punt", kInternalBus),
        data_status_port_("data->management:status", kInternalBus),
        control_status_port_("control->management:status", kInternalBus),
        query_data_port_("management->data:query", kInternalBus),
        query_control_port_("management->control:query", kInternalBus) {
    // Router ids and AS numbers, built once per run and shared: each router needs them, and a
    // copy per router would cost time and memory quadratic in the fabric's size.
    auto& shared = env.ctx.shared["router.asns"];
    if (!shared) {
      auto asns = std::make_shared<std::unordered_map<std::string, uint32_t>>();
      for (const auto& d : env.scenario.devices) {
        if (d.kind == "router") (*asns)[d.id] = d.asn;
      }
      shared = asns;
    }
    const auto& routers = *std::static_pointer_cast<std::unordered_map<std::string, uint32_t>>(shared);
    data_.reset(new RouterDataPlane(env.ctx, id(), env.network, punt_port_, data_status_port_));
    if (env.scenario.families.Get<RoutingSpec>().bfd.enabled) {
      std::vector<uint32_t> towards_routers;
      for (const auto& i : env.network.Interfaces(id())) {
        if (!i.oob && routers.count(i.peer)) towards_routers.push_back(i.ifindex);
      }
      data_->EnableBfd(env.scenario.families.Get<RoutingSpec>().bfd, towards_routers);
    }
    if (env.scenario.families.Get<RoutingSpec>().protocol == "bgp") {
      auto asn_of = [&routers](const std::string& dev) {
        auto it = routers.find(dev);
        return it == routers.end() ? 0u : it->second;
      };
      bgp_ = new BgpControlPlane(env.ctx, id(), env.scenario.families.Get<RoutingSpec>(), env.network, asn_of, fib_port_, control_status_port_);
      control_.reset(bgp_);
    } else {
      auto is_router = [&routers](const std::string& dev) { return routers.count(dev) > 0; };
      control_.reset(new LinkStateControlPlane(env.ctx, id(), env.scenario.families.Get<RoutingSpec>(), env.network, is_router, fib_port_,
                                               control_status_port_));
    }
    // A router without an out-of-band port has no management plane to model.
    if (env.spec.managed && env.scenario.management.enabled) {
      mgmt_.reset(new RouterMgmtAgent(env.ctx, id(), env.network, query_data_port_, query_control_port_));
    }
    fib_port_.Connect(data_.get(), [this](const FibProgram& p) { data_->OnFibProgram(p); });
    punt_port_.Connect(control_.get(), [this](const DataToControl& m) { control_->OnDataMessage(m); });
    if (mgmt_) {
      data_status_port_.Connect(mgmt_.get(), [this](const DataStatus& s) { mgmt_->OnDataStatus(s); });
      control_status_port_.Connect(mgmt_.get(), [this](const ControlStatus& s) { mgmt_->OnControlStatus(s); });
    }
    query_data_port_.Connect(data_.get(), [this](const StatusQuery& q) { data_->OnStatusQuery(q); });
    query_control_port_.Connect(control_.get(), [this](const StatusQuery& q) { control_->OnStatusQuery(q); });

    env.faults.On<AsicDeadParams>(id(), [this](const AsicDeadParams&, bool on) { data_->SetAsicAlive(!on); });
    env.faults.On<FibProgrammingStallParams>(id(), [this](const FibProgrammingStallParams&, bool on) {
      data_->SetFibStalled(on);
    });
    if (bgp_) {
      env.faults.On<BgpSessionFlapParams>(id(), [this](const BgpSessionFlapParams& p, bool on) {
        ++*flap_gen_;
        if (!on) return;
        std::string peer = p.peer;
        RepeatWhileCurrent(p.period, flap_gen_, [this, peer]() { bgp_->ResetSession(peer); });
      });
    }
    env.faults.On<ControlCpuSaturationParams>(id(), [this](const ControlCpuSaturationParams& p, bool on) {
      control_->SetCpuHog(on ? p.load : 0.0);
    });
  }

  std::vector<PlaneActor*> planes() override {
    if (!mgmt_) return {data_.get(), control_.get()};
    return {data_.get(), control_.get(), mgmt_.get()};
  }

 private:
  Port<FibProgram> fib_port_;
  Port<DataToControl> punt_port_;
  Port<DataStatus> data_status_port_;
  Port<ControlStatus> control_status_port_;
  Port<StatusQuery> query_data_port_;
  Port<StatusQuery> query_control_port_;
  std::unique_ptr<RouterDataPlane> data_;
  std::unique_ptr<RouterControlPlane> control_;
  BgpControlPlane* bgp_ = nullptr;  // control_, when it speaks BGP
  std::shared_ptr<uint64_t> flap_gen_ = std::make_shared<uint64_t>(0);
  std::unique_ptr<RouterMgmtAgent> mgmt_;
};

}  // namespace

void RegisterRouterKind(DeviceRegistry& registry) {
  registry.Register("router", [](DeviceEnv& env) { return std::unique_ptr<Device>(new RouterDevice(env)); });
}

}  // namespace planelab
