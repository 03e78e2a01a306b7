#include "models/switch/mgmt/switch_mgmt_agent.h"

#include <ns3/inet-socket-address.h>
#include <ns3/udp-socket-factory.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "models/switch/mgmt/switch_mgmt_metrics.h"
#include "models/proto/snmp_agent_port.h"
#include "sim/core/network_ns3.h"

namespace planelab {

using namespace ns3;

struct SwitchMgmtAgent::Socket {
  Ptr<ns3::Socket> sock;
};

SwitchMgmtAgent::SwitchMgmtAgent(RunContext& ctx, const std::string& device, Network& net,
                                 Port<StatusQuery>& to_data, Port<StatusQuery>& to_control)
    : PlaneActor(ctx, device, Plane::kManagement), net_(net), to_data_(to_data), to_control_(to_control),
      socket_(new Socket) {
  answered_ = AddCounter(SwitchMgmtMetrics::Get().polls_answered);
  oob_reachable_ = AddGauge(SwitchMgmtMetrics::Get().oob_reachable);
}

SwitchMgmtAgent::~SwitchMgmtAgent() = default;

void SwitchMgmtAgent::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  const uint32_t oob_addr = OobAddressOf(net_, device());
  if (oob_addr == 0) return;
  // Answered from the snapshot, as SNMP agents answer from their cached MIB.
  socket_->sock = OpenSnmpAgentPort(
      net_, device(), oob_addr, [this]() { return running(); },
      [this](const snmp::Message& q) { return View().Respond(q); }, [this]() { answered_->Add(); });
  Refresh();
}

snmp::MibView SwitchMgmtAgent::View() const {
  snmp::MibView v;
  // IF-MIB (RFC 2863): every data port, up(1) with carrier.
  v.Set(snmp::OidWith(mib::kIfNumber, {0}), snmp::Value::Integer(static_cast<int32_t>(data_.interfaces.size())));
  for (const auto& i : data_.interfaces) {
    v.Set(snmp::OidWith(mib::kIfOperStatus, {i.ifindex}),
          snmp::Value::Integer(i.carrier ? mib::kIfOperUp : mib::kIfOperDown));
    v.Set(snmp::OidWith(mib::kIfHCInOctets, {i.ifindex}), snmp::Value::Counter64(i.in_octets));
  }
  // The agent's CPU (HOST-RESOURCES-MIB hrProcessorLoad): the OpenFlow agent is not modelled as busy.
  v.Set(snmp::OidWith(mib::kHrProcessorLoad, {mib::kRouteProcessorIndex}), snmp::Value::Integer(0));
  auto gauge = [](uint64_t x) { return snmp::Value::Gauge32(static_cast<uint32_t>(std::min<uint64_t>(x, 0xFFFFFFFFu))); };
  // The router's objects as a switch reads them, so the station's dashboard needs no new rules.
  v.Set(snmp::OidWith(mib::kFibRoutes, {0}), gauge(data_.flows));
  v.Set(snmp::OidWith(mib::kRibRoutes, {0}), gauge(data_.flows));
  v.Set(snmp::OidWith(mib::kAdjacenciesUp, {0}), gauge(control_.connected));
  v.Set(snmp::OidWith(mib::kAdjacenciesConfigured, {0}), gauge(control_.controllers));
  v.Set(snmp::OidWith(mib::kFlowEntries, {0}), gauge(data_.flows));
  v.Set(snmp::OidWith(mib::kFlowCapacity, {0}), gauge(data_.capacity));
  v.Set(snmp::OidWith(mib::kHasMaster, {0}), gauge(control_.has_master ? 1 : 0));
  v.Set(snmp::OidWith(mib::kFailOpen, {0}), gauge(data_.fail_open ? 1 : 0));
  return v;
}

void SwitchMgmtAgent::HandleCrash() {
  if (socket_->sock) {
    socket_->sock->Close();
    socket_->sock = nullptr;
  }
  data_ = SwitchDataStatus();
  control_ = SwitchControlStatus();
}

void SwitchMgmtAgent::Refresh() {
  to_data_.Send(StatusQuery{++query_id_});
  to_control_.Send(StatusQuery{query_id_});
  After(1 * kSec, [this]() { Refresh(); });  // agents refresh their counters about once a second
}

Health SwitchMgmtAgent::MeasureHealth() {
  std::string oob = net_.OobLinkOf(device());
  bool reachable = !oob.empty() && net_.LinkUp(oob);
  oob_reachable_->Set(reachable ? 1 : 0);
  return WithLifecycle(reachable ? Health::kUp : Health::kDown);
}

}  // namespace planelab
