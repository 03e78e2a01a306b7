#include "models/switch/data/switch_data_plane.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include <ns3/inet-socket-address.h>
#include <ns3/ipv4-header.h>
#include <ns3/udp-socket-factory.h>

#include "models/switch/data/switch_data_metrics.h"
#include "sim/core/network_ns3.h"

namespace planelab {

namespace {
// The UDP port the LLDP-like discovery probes cross a link on: the links are IPv4 point-to-point, so the
// controller's LLDP frame (PACKET_OUT) travels to the neighbour switch in a datagram and comes up there as a
// PACKET_IN with the port it arrived on, which is what LLDP discovery needs (ONOS LinkDiscovery).
constexpr uint16_t kLldpPort = 35020;

uint32_t Hash5(const of13::PacketFields& p) {
  // 5-tuple hash, as forwarding ASICs spread flows over the buckets of a select group.
  uint64_t x = (uint64_t(p.ipv4_src) << 32) ^ p.ipv4_dst ^ (uint64_t(p.ip_proto) << 56) ^
               (uint64_t(p.l4_src) << 16 | p.l4_dst) << 8;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return static_cast<uint32_t>(x);
}
}  // namespace

struct SwitchDataPlane::Lldp {
  ns3::Ptr<ns3::Socket> sock;
};

SwitchDataPlane::SwitchDataPlane(RunContext& ctx, const std::string& device, Network& net, const SwitchSpec& spec,
                                 uint64_t dpid, std::vector<uint32_t> of_ports, Port<SwitchEvent>& to_control)
    : PlaneActor(ctx, device, Plane::kData), net_(net), spec_(spec), dpid_(dpid), of_ports_(std::move(of_ports)),
      to_control_(to_control), table_(spec.table_capacity), configured_capacity_(spec.table_capacity),
      lldp_(new Lldp) {
  const SwitchDataMetrics& m = SwitchDataMetrics::Get();
  occupancy_ = AddGauge(m.table_occupancy);
  entries_ = AddGauge(m.flow_entries);
  transit_ = AddCounter(m.transit_packets);
  forwarded_ = AddCounter(m.forwarded_packets);
  dropped_ = AddCounter(m.dropped_packets);
  misses_ = AddCounter(m.table_misses);
  packet_ins_ = AddCounter(m.packet_ins);
  expired_ = AddCounter(m.flows_expired);
  mods_ = AddCounter(m.flow_mods_applied);
  full_ = AddCounter(m.table_full_errors);
  fail_open_g_ = AddGauge(m.fail_open);
  bps_ = AddGauge(m.forwarded_bps);
  auto fib = FibOf(net_, device);
  fib->SetForwarding(true);
  for (uint32_t p : of_ports_) carrier_[p] = true;
  net_.OnCarrierChange(device, [this](uint32_t ifindex, bool up) {
    FibOf(net_, this->device())->SetCarrier(ifindex, up);
    if (carrier_.count(ifindex)) carrier_[ifindex] = up;
    if (running()) Emit(up ? "carrier.up" : "carrier.down", nlohmann::json({{"port", ifindex}}).dump());
  });
  // The transit path of the node goes through the flow table: the IPv4 stack only carries the packets.
  fib->SetTransitHook([this](ns3::Ptr<const ns3::Packet> pkt, const ns3::Ipv4Header& h, uint32_t iif,
                             std::vector<uint32_t>* out) {
    of13::PacketFields p;
    p.in_port = iif;
    p.ipv4_src = h.GetSource().Get();
    p.ipv4_dst = h.GetDestination().Get();
    p.ip_proto = h.GetProtocol();
    p.eth_src = of13::MacOf(p.ipv4_src);
    p.eth_dst = of13::MacOf(p.ipv4_dst);
    p.bytes = pkt->GetSize() + h.GetSerializedSize();
    if ((p.ip_proto == 6 || p.ip_proto == 17) && pkt->GetSize() >= 4) {
      uint8_t b[4];
      pkt->CopyData(b, 4);
      p.l4_src = uint16_t(b[0] << 8 | b[1]);
      p.l4_dst = uint16_t(b[2] << 8 | b[3]);
    }
    // Only OpenFlow ports forward: what arrives on the control port for someone else (a routing protocol's
    // multicast on the control network, say) is not the fabric's traffic, and the switch drops it unseen.
    if (!carrier_.count(iif)) return;
    ++n_transit_;
    if (!running() || !asic_alive_) {
      ++n_dropped_;
      return;
    }
    if (!inband_.empty()) {
      // In-band control traffic (to a controller or a switch's agent) takes its hidden route, above every
      // OpenFlow flow; it still crosses this hardware, so a dead ASIC or a cut port stops it.
      auto r = inband_.find(p.ipv4_dst);
      if (r != inband_.end()) {
        auto c = carrier_.find(r->second);
        if (c != carrier_.end() && c->second) out->push_back(r->second);
        else ++n_dropped_;
        n_forwarded_ += out->size();
        n_bytes_ += p.bytes * out->size();
        return;
      }
    }
    Decide(p, Hash5(p), out);
    // Never back out of the port it came in on, unless a flow says so explicitly (OF §4.5: IN_PORT).
    if (out->empty()) ++n_dropped_;
    n_forwarded_ += out->size();
    n_bytes_ += p.bytes * out->size();
  });
}

SwitchDataPlane::~SwitchDataPlane() = default;

void SwitchDataPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  lldp_->sock = ns3::Socket::CreateSocket(NodeOf(net_, device()), ns3::UdpSocketFactory::GetTypeId());
  lldp_->sock->Bind(ns3::InetSocketAddress(ns3::Ipv4Address::GetAny(), kLldpPort));
  lldp_->sock->SetRecvCallback(ns3::MakeBoundCallback(+[](SwitchDataPlane* self, ns3::Ptr<ns3::Socket> s) {
    ns3::Address from;
    while (ns3::Ptr<ns3::Packet> pkt = s->RecvFrom(from)) {
      if (!self->running() || !self->asic_alive_) continue;
      uint32_t addr = ns3::InetSocketAddress::ConvertFrom(from).GetIpv4().Get();
      for (const auto& i : self->net_.Interfaces(self->device())) {
        if (i.peer_addr != addr) continue;
        of13::Message m;
        m.type = of13::Type::kPacketIn;
        m.reason = 1;  // OFPR_ACTION: ONOS's LLDP rule (eth_type 0x88cc -> CONTROLLER) sent it
        m.match.fields = of13::Match::kInPort;
        m.match.in_port = i.ifindex;
        m.data.resize(pkt->GetSize());
        pkt->CopyData(m.data.data(), m.data.size());
        self->packet_ins_->Add();
        self->to_control_.Send(SwitchEvent{std::move(m), 0});
      }
    }
  }, this));
  After(1 * kSec, [this]() { ExpireTick(); });
}

bool SwitchDataPlane::PortUp(uint32_t port) const {
  auto it = carrier_.find(port);
  return it != carrier_.end() && it->second;
}

void SwitchDataPlane::Decide(const of13::PacketFields& p, uint32_t hash, std::vector<uint32_t>* out) {
  if (fail_open_) {
    // OVS's fail-open flow sits above every controller flow (fail-open.c, FAIL_OPEN_PRIORITY): NORMAL.
    Normal(p, out);
    return;
  }
  const sdn::FlowEntry* e = table_.Lookup(p, Clock::Now());
  if (!e) {
    // No table-miss entry: OF §5.4 drops the packet. Controllers install one sending misses to them.
    ++n_miss_;
    return;
  }
  std::vector<uint32_t> ports = table_.Resolve(e->actions, hash, [this](uint32_t port) { return PortUp(port); });
  for (uint32_t port : ports) {
    if (port == of13::kPortController) {
      if (e->priority == 0 && e->match.fields == 0) ++n_miss_;
      PacketIn(p, e->priority == 0 && e->match.fields == 0 ? 0 : 1, e->cookie);
    } else if (port == of13::kPortNormal) {
      Normal(p, out);
    } else if (port == of13::kPortFlood) {
      for (uint32_t q : of_ports_) {
        if (q != p.in_port && PortUp(q)) out->push_back(q);
      }
    } else if (PortUp(port)) {
      out->push_back(port);
    }
  }
}

void SwitchDataPlane::Normal(const of13::PacketFields& p, std::vector<uint32_t>* out) {
  // An ordinary MAC-learning switch (OVS's NORMAL action): learn where the source is, send to where the
  // destination was seen, flood when it was not.
  macs_[p.eth_src] = p.in_port;
  auto it = macs_.find(p.eth_dst);
  if (it != macs_.end() && PortUp(it->second)) {
    if (it->second != p.in_port) out->push_back(it->second);
    return;
  }
  for (uint32_t q : of_ports_) {
    if (q != p.in_port && PortUp(q)) out->push_back(q);
  }
}

void SwitchDataPlane::PacketIn(const of13::PacketFields& p, uint8_t reason, uint64_t cookie) {
  of13::Message m;
  m.type = of13::Type::kPacketIn;
  m.reason = reason;
  m.cookie = cookie;
  m.match.fields = of13::Match::kInPort;
  m.match.in_port = p.in_port;
  m.data = of13::FrameOf(p);
  packet_ins_->Add();
  to_control_.Send(SwitchEvent{std::move(m), 0});
}

void SwitchDataPlane::OnCommand(const SwitchCommand& c) {
  queue_.push_back(c);
  Pump();
}

void SwitchDataPlane::Pump() {
  if (busy_ || queue_.empty() || !running()) return;
  SwitchCommand c = std::move(queue_.front());
  queue_.pop_front();
  bool costly = c.kind == SwitchCommand::Kind::kOpenFlow &&
                (c.msg.type == of13::Type::kFlowMod || c.msg.type == of13::Type::kGroupMod);
  if (!costly) {
    Apply(c);
    Pump();
    return;
  }
  // The hardware writes one table entry at a time (a TCAM write): flow-mods queue behind each other.
  busy_ = true;
  After(spec_.flow_program_delay, [this, c = std::move(c)]() {
    busy_ = false;
    Apply(c);
    Pump();
  });
}

void SwitchDataPlane::Apply(const SwitchCommand& c) {
  if (c.kind == SwitchCommand::Kind::kFailOpen) {
    if (c.fail_open == fail_open_) return;
    fail_open_ = c.fail_open;
    if (!fail_open_) macs_.clear();
    fail_open_g_->Set(fail_open_ ? 1 : 0);
    Emit(fail_open_ ? "switch.fail-open" : "switch.fail-open-removed", "{}");
    return;
  }
  const of13::Message& m = c.msg;
  SimTime now = Clock::Now();
  switch (m.type) {
    case of13::Type::kFlowMod: {
      mods_->Add();
      bool strict = m.command == of13::FlowModCommand::kDeleteStrict || m.command == of13::FlowModCommand::kModifyStrict;
      if (m.command == of13::FlowModCommand::kAdd) {
        sdn::FlowEntry e;
        e.match = m.match;
        e.priority = m.priority;
        e.cookie = m.cookie;
        e.actions = m.actions;
        e.idle_timeout = m.idle_timeout;
        e.hard_timeout = m.hard_timeout;
        e.flags = m.flags;
        if (table_.Add(std::move(e), now) == sdn::AddResult::kTableFull) {
          full_->Add();
          of13::Message err;
          err.type = of13::Type::kError;
          err.xid = m.xid;
          err.err_type = of13::kErrFlowModFailed;
          err.err_code = of13::kFmfcTableFull;
          std::vector<uint8_t> bytes = of13::Encode(m);
          err.data.assign(bytes.begin(), bytes.begin() + std::min<size_t>(64, bytes.size()));  // OF §7.4.4
          Emit("flow.table-full", nlohmann::json({{"match", m.match.ToString()}}).dump());
          to_control_.Send(SwitchEvent{std::move(err), c.conn});
        }
      } else if (m.command == of13::FlowModCommand::kDelete || m.command == of13::FlowModCommand::kDeleteStrict) {
        Removed(table_.Delete(m.match, m.priority, strict, m.cookie, m.cookie_mask));
      } else {
        // MODIFY: the matching entries take the new actions, keeping counters and timeouts (OF §6.4).
        for (const auto& e : table_.entries()) {
          if (strict ? (e.priority == m.priority && e.match == m.match) : e.match.Within(m.match)) {
            sdn::FlowEntry n = e;
            n.actions = m.actions;
            table_.Add(std::move(n), now);
          }
        }
      }
      break;
    }
    case of13::Type::kGroupMod:
      if (m.group_command == 2) table_.DeleteGroup(m.group_id);
      else table_.SetGroup(m.group_id, sdn::GroupEntry{m.group_type, m.buckets, 0});
      break;
    case of13::Type::kPacketOut: {
      uint64_t dpid = 0;
      uint32_t port = 0;
      if (!of13::ParseLldp(m.data.data(), m.data.size(), &dpid, &port)) break;  // only discovery probes go out
      for (const auto& a : m.actions) {
        if (a.kind == of13::Action::Kind::kOutput && PortUp(a.arg)) SendLldp(a.arg, m.data);
      }
      break;
    }
    case of13::Type::kBarrierRequest: {
      // Everything sent before the barrier is applied: the queue is in order (OF §6.2).
      of13::Message r;
      r.type = of13::Type::kBarrierReply;
      r.xid = m.xid;
      to_control_.Send(SwitchEvent{std::move(r), c.conn});
      break;
    }
    default: break;
  }
  entries_->Set(static_cast<double>(table_.size()));
  occupancy_->Set(static_cast<double>(table_.size()) / static_cast<double>(configured_capacity_));
}

void SwitchDataPlane::SendLldp(uint32_t port, const std::vector<uint8_t>& frame) {
  if (!asic_alive_) return;
  for (const auto& i : net_.Interfaces(device())) {
    if (i.ifindex != port) continue;
    lldp_->sock->SendTo(ns3::Create<ns3::Packet>(frame.data(), frame.size()), 0,
                        ns3::InetSocketAddress(ns3::Ipv4Address(i.peer_addr), kLldpPort));
  }
}

void SwitchDataPlane::Removed(const std::vector<sdn::RemovedFlow>& gone) {
  SimTime now = Clock::Now();
  for (const auto& r : gone) {
    if (r.reason != of13::RemovedReason::kDelete) {
      expired_->Add();
      Emit("flow.expired", nlohmann::json({{"match", r.entry.match.ToString()}, {"priority", r.entry.priority},
                                           {"reason", of13::ToString(r.reason)}, {"packets", r.entry.packets}}).dump());
    }
    if (!(r.entry.flags & of13::kFlagSendFlowRem)) continue;
    of13::Message m;
    m.type = of13::Type::kFlowRemoved;
    m.cookie = r.entry.cookie;
    m.priority = r.entry.priority;
    m.reason = static_cast<uint8_t>(r.reason);
    SimTime life = now - r.entry.installed;
    m.duration_sec = static_cast<uint32_t>(life / kSec);
    m.duration_nsec = static_cast<uint32_t>(life % kSec);
    m.idle_timeout = r.entry.idle_timeout;
    m.hard_timeout = r.entry.hard_timeout;
    m.packet_count = r.entry.packets;
    m.byte_count = r.entry.bytes;
    m.match = r.entry.match;
    to_control_.Send(SwitchEvent{std::move(m), 0});
  }
  entries_->Set(static_cast<double>(table_.size()));
  occupancy_->Set(static_cast<double>(table_.size()) / static_cast<double>(configured_capacity_));
}

void SwitchDataPlane::ExpireTick() {
  // Open vSwitch expires flows in its periodic run, about once a second (ofproto-dpif's expiration timer).
  Removed(table_.Expire(Clock::Now()));
  After(1 * kSec, [this]() { ExpireTick(); });
}

void SwitchDataPlane::OnStatusQuery(const StatusQuery&, Port<SwitchDataStatus>& to_mgmt) {
  SwitchDataStatus s;
  auto fib = FibOf(net_, device());
  for (const auto& i : net_.Interfaces(device())) {
    if (i.oob) continue;
    s.interfaces.push_back({i.ifindex, fib->Carrier(i.ifindex), fib->InOctets(i.ifindex)});
    ++s.ports;
    if (fib->Carrier(i.ifindex)) ++s.ports_up;
  }
  s.flows = static_cast<uint32_t>(table_.size());
  s.capacity = static_cast<uint32_t>(table_.capacity());
  s.groups = static_cast<uint32_t>(table_.groups());
  s.lookups = table_.lookups();
  s.matched = table_.matched();
  s.fail_open = fail_open_;
  to_mgmt.Send(std::move(s));
}

void SwitchDataPlane::SetAsicAlive(bool alive) {
  asic_alive_ = alive;
  Emit(alive ? "asic.restored" : "asic.dead", "{}");
}

void SwitchDataPlane::SetTableFull(bool full) {
  // The table's capacity shrinks to what it holds: every new entry is refused until the fault ends.
  sdn::FlowTable t(full ? std::max<size_t>(table_.size(), 1) : configured_capacity_);
  for (const auto& e : table_.entries()) t.Add(e, e.installed);
  table_ = std::move(t);
  Emit(full ? "flow.table-full-fault" : "flow.table-full-cleared", "{}");
}

void SwitchDataPlane::HandleCrash() {
  table_.Clear();
  queue_.clear();
  busy_ = false;
  fail_open_ = false;
  macs_.clear();
  fail_open_g_->Set(0);
  entries_->Set(0);
  occupancy_->Set(0);
  if (lldp_->sock) {
    lldp_->sock->Close();
    lldp_->sock = nullptr;
  }
}

void SwitchDataPlane::HandleRestart() {
  Start();
  // As ovs-vswitchd after a datapath restart: the agent drops its channels and reconnects, and each
  // controller, seeing the switch connect again, installs its flows anew.
  SwitchEvent reset;
  reset.reset = true;
  to_control_.Send(std::move(reset));
}

Health SwitchDataPlane::MeasureHealth() {
  uint64_t d_transit = n_transit_ - last_transit_, d_dropped = n_dropped_ - last_dropped_;
  transit_->Add(static_cast<double>(d_transit));
  dropped_->Add(static_cast<double>(d_dropped));
  forwarded_->Add(static_cast<double>(n_forwarded_ - last_forwarded_));
  misses_->Add(static_cast<double>(n_miss_ - last_miss_));
  SimTime now = Clock::Now();
  double secs = ToSeconds(now - last_sample_);
  bps_->Set(secs > 0 ? 8.0 * static_cast<double>(n_bytes_ - last_bytes_) / secs : 0);
  last_transit_ = n_transit_;
  last_dropped_ = n_dropped_;
  last_forwarded_ = n_forwarded_;
  last_miss_ = n_miss_;
  last_bytes_ = n_bytes_;
  last_sample_ = now;
  entries_->Set(static_cast<double>(table_.size()));
  occupancy_->Set(static_cast<double>(table_.size()) / static_cast<double>(configured_capacity_));
  return WithLifecycle(HealthFromFailures(static_cast<double>(d_dropped), static_cast<double>(d_transit)));
}

}  // namespace planelab
