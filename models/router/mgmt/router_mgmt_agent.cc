#include "models/router/mgmt/router_mgmt_agent.h"

#include <ns3/inet-socket-address.h>
#include <ns3/udp-socket-factory.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "models/router/mgmt/router_mgmt_metrics.h"
#include "models/proto/snmp_agent_port.h"
#include "sim/core/network_ns3.h"

namespace planelab {

using namespace ns3;

struct RouterMgmtAgent::Socket {
  Ptr<ns3::Socket> sock;
  Ptr<ns3::Socket> stream;  // gNMI-style subscriptions and updates
  Address subscriber;
};

RouterMgmtAgent::RouterMgmtAgent(RunContext& ctx, const std::string& device, Network& net,
                                 Port<StatusQuery>& to_data, Port<StatusQuery>& to_control)
    : PlaneActor(ctx, device, Plane::kManagement), net_(net), to_data_(to_data), to_control_(to_control),
      socket_(new Socket) {
  answered_ = AddCounter(RouterMgmtMetrics::Get().polls_answered);
  oob_reachable_ = AddGauge(RouterMgmtMetrics::Get().oob_reachable);
}

RouterMgmtAgent::~RouterMgmtAgent() = default;

void RouterMgmtAgent::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  control_heard_ = Clock::Now();  // a (re)started agent gives the daemon its subagent timeout to answer
  const uint32_t oob_addr = OobAddressOf(net_, device());
  if (oob_addr == 0) return;  // unmanaged: no agent port
  // Answered from the snapshot, as SNMP agents answer from their cached MIB.
  socket_->sock = OpenSnmpAgentPort(
      net_, device(), oob_addr, [this]() { return running(); },
      [this](const snmp::Message& q) { return View().Respond(q); }, [this]() { answered_->Add(); });
  // The streaming endpoint: a subscription replaces any earlier one (a station that redials starts afresh).
  socket_->stream = ns3::Socket::CreateSocket(NodeOf(net_, device()), UdpSocketFactory::GetTypeId());
  socket_->stream->Bind(InetSocketAddress(Ipv4Address(oob_addr), kGnmiPort));
  socket_->stream->SetRecvCallback(MakeBoundCallback(+[](RouterMgmtAgent* self, Ptr<ns3::Socket> s) {
    Address from;
    while (Ptr<Packet> p = s->RecvFrom(from)) {
      if (!self->running()) continue;
      std::string text(p->GetSize(), '\0');
      p->CopyData(reinterpret_cast<uint8_t*>(text.data()), text.size());
      std::optional<telemetry::StreamSubscribe> sub = telemetry::DecodeSubscribe(text);
      if (!sub) continue;
      self->subscribed_ = sub;
      self->streams_.clear();
      self->socket_->subscriber = from;
      self->Stream();  // the initial update
    }
  }, this));
  Refresh();
}

void RouterMgmtAgent::Stream() {
  if (!subscribed_ || !socket_->stream) return;
  uint32_t up = 0;
  for (const auto& i : data_.interfaces) up += i.carrier ? 1 : 0;
  const bool gone = DaemonGone();  // as View(): a daemon that stopped answering has no adjacency up
  const std::map<std::string, double> now_values = {
      {"if_oper_up", up},
      {"if_total", data_.interfaces_total},
      {"cpu_pct", std::clamp(std::floor(control_.cpu_utilization * 100.0), 0.0, 100.0)},
      {"adj_up", gone ? 0 : control_.adjacencies_up},
      {"adj_cfg", control_.adjacencies_configured}};
  telemetry::StreamUpdate u;
  u.timestamp = Clock::Now();
  for (const auto& [path, v] : now_values) {
    auto it = streams_.try_emplace(path, subscribed_->mode, subscribed_->sample_interval, subscribed_->heartbeat_interval)
                  .first;
    if (it->second.Offer(u.timestamp, v)) u.values[path] = v;
  }
  if (u.values.empty()) return;
  std::string text = telemetry::EncodeUpdate(u);
  socket_->stream->SendTo(Create<Packet>(reinterpret_cast<const uint8_t*>(text.data()), text.size()), 0,
                          socket_->subscriber);
}

bool RouterMgmtAgent::DaemonGone() const {
  constexpr SimTime kSubagentTimeout = 5 * kSec;  // net-snmp: agentxTimeout 1 s, agentxRetries 5
  return Clock::Now() - control_heard_ > kSubagentTimeout;
}

snmp::MibView RouterMgmtAgent::View() const {
  snmp::MibView v;
  // The agent reports the routing daemon's state, not a copy of it: once the daemon stops answering, its
  // sessions are gone, every BGP4-MIB bgpPeerState reads idle(1) and no adjacency is up (what a monolithic agent,
  // IOS's or Junos's mib2d, shows after the routing process died), instead of the last snapshot it gave.
  ControlStatus control = control_;
  if (DaemonGone()) {
    control.adjacencies_up = 0;
    control.rib_routes = 0;
    for (auto& p : control.peers) p.state = 1;  // idle
  }
  // IF-MIB (RFC 2863): ifNumber and each line-card interface's ifOperStatus, up(1) with carrier.
  v.Set(snmp::OidWith(mib::kIfNumber, {0}), snmp::Value::Integer(static_cast<int32_t>(data_.interfaces_total)));
  for (const auto& i : data_.interfaces) {
    v.Set(snmp::OidWith(mib::kIfOperStatus, {i.ifindex}),
          snmp::Value::Integer(i.carrier ? mib::kIfOperUp : mib::kIfOperDown));
    v.Set(snmp::OidWith(mib::kIfHCInOctets, {i.ifindex}), snmp::Value::Counter64(i.in_octets));
  }
  // BGP4-MIB (RFC 4273): bgpPeerState, indexed by the peer's IPv4 address as four sub-identifiers.
  for (const auto& p : control.peers) {
    v.Set(snmp::OidWith(mib::kBgpPeerState, {p.peer_addr >> 24, (p.peer_addr >> 16) & 0xFF, (p.peer_addr >> 8) & 0xFF,
                                             p.peer_addr & 0xFF}),
          snmp::Value::Integer(p.state));
  }
  // HOST-RESOURCES-MIB (RFC 2790): hrProcessorLoad is an integer percent. Truncated, not rounded:
  // floor(100 u) >= 90 exactly when u >= 0.9 in IEEE doubles, so the station's "CPU at or above
  // 90 %" warning fires for the same loads as with the fraction itself.
  double pct = std::floor(control.cpu_utilization * 100.0);
  v.Set(snmp::OidWith(mib::kHrProcessorLoad, {mib::kRouteProcessorIndex}),
        snmp::Value::Integer(static_cast<int32_t>(std::clamp(pct, 0.0, 100.0))));
  // The enterprise arc: what no standard object carries (see mgmt_protocol.h).
  auto gauge = [](uint64_t x) { return snmp::Value::Gauge32(static_cast<uint32_t>(std::min<uint64_t>(x, 0xFFFFFFFFu))); };
  v.Set(snmp::OidWith(mib::kFibRoutes, {0}), gauge(data_.fib_routes));
  v.Set(snmp::OidWith(mib::kRibRoutes, {0}), gauge(control.rib_routes));
  v.Set(snmp::OidWith(mib::kAdjacenciesUp, {0}), gauge(control.adjacencies_up));
  v.Set(snmp::OidWith(mib::kAdjacenciesConfigured, {0}), gauge(control.adjacencies_configured));
  return v;
}

void RouterMgmtAgent::HandleCrash() {
  if (socket_->sock) {
    socket_->sock->Close();
    socket_->sock = nullptr;
  }
  if (socket_->stream) {
    socket_->stream->Close();
    socket_->stream = nullptr;
  }
  subscribed_.reset();  // the stream dies with the agent; the station has to subscribe again
  streams_.clear();
  data_ = DataStatus();
  control_ = ControlStatus();
}

void RouterMgmtAgent::Refresh() {
  to_data_.Send(StatusQuery{++query_id_});
  to_control_.Send(StatusQuery{query_id_});
  Stream();
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
