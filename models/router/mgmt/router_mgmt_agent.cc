#include "models/router/mgmt/router_mgmt_agent.h"

#include <ns3/inet-socket-address.h>
#include <ns3/udp-socket-factory.h>

#include <nlohmann/json.hpp>

#include "sim/core/network_ns3.h"

namespace planelab {

using namespace ns3;

struct RouterMgmtAgent::Socket {
  Ptr<ns3::Socket> sock;
};

RouterMgmtAgent::RouterMgmtAgent(RunContext& ctx, const std::string& device, Network& net,
                                 Port<StatusQuery>& to_data, Port<StatusQuery>& to_control)
    : PlaneActor(ctx, device, Plane::kManagement), net_(net), to_data_(to_data), to_control_(to_control),
      socket_(new Socket) {
  answered_ = AddCounter("polls_answered", "polls", "status polls answered by the agent");
  oob_reachable_ = AddGauge("oob_reachable", "1", "1 while the out-of-band access path is intact");
}

RouterMgmtAgent::~RouterMgmtAgent() = default;

void RouterMgmtAgent::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  uint32_t oob_addr = 0;
  for (const auto& i : net_.Interfaces(device())) {
    if (i.oob) oob_addr = i.local_addr;
  }
  if (oob_addr == 0) return;  // unmanaged: no agent port
  socket_->sock = ns3::Socket::CreateSocket(NodeOf(net_, device()), UdpSocketFactory::GetTypeId());
  socket_->sock->Bind(InetSocketAddress(Ipv4Address(oob_addr), kAgentPort));
  socket_->sock->SetRecvCallback(MakeBoundCallback(+[](RouterMgmtAgent* self, Ptr<ns3::Socket> s) {
    Address from;
    while (Ptr<Packet> p = s->RecvFrom(from)) {
      if (!self->running()) continue;
      std::string req(p->GetSize(), '\0');
      p->CopyData(reinterpret_cast<uint8_t*>(&req[0]), req.size());
      nlohmann::json q = nlohmann::json::parse(req, nullptr, false);
      if (q.is_discarded() || !q.contains("seq")) continue;
      // Answered from the snapshot, as SNMP agents answer from their cached MIB.
      nlohmann::json r = {{"seq", q["seq"]},
                          {"if_up", self->data_.interfaces_up},
                          {"if_total", self->data_.interfaces_total},
                          {"fib_routes", self->data_.fib_routes},
                          {"rib_routes", self->control_.rib_routes},
                          {"adj_up", self->control_.adjacencies_up},
                          {"adj_cfg", self->control_.adjacencies_configured},
                          {"cpu", self->control_.cpu_utilization}};
      std::string text = r.dump();
      s->SendTo(Create<Packet>(reinterpret_cast<const uint8_t*>(text.data()), text.size()), 0, from);
      self->answered_->Add();
    }
  }, this));
  Refresh();
}

void RouterMgmtAgent::Refresh() {
  to_data_.Send(StatusQuery{++query_id_});
  to_control_.Send(StatusQuery{query_id_});
  // Agents refresh their counters about once a second.
  After(1 * kSec, [this]() { Refresh(); });
}

Health RouterMgmtAgent::MeasureHealth() {
  std::string oob = net_.OobLinkOf(device());
  bool reachable = !oob.empty() && net_.LinkUp(oob);
  oob_reachable_->Set(reachable ? 1 : 0);
  // The management plane is what operators can reach: an agent behind a cut path is down for them.
  return WithLifecycle(reachable ? Health::kUp : Health::kDown);
}

}  // namespace planelab
