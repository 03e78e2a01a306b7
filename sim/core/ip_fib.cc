#include "sim/core/ip_fib.h"

#include <ns3/ipv4-route.h>
#include <ns3/names.h>
#include <ns3/node.h>

#include <algorithm>

namespace planelab {

using namespace ns3;

TypeId IpFib::GetTypeId() {
  static TypeId tid = TypeId("planelab::IpFib").SetParent<Ipv4RoutingProtocol>().SetGroupName("PlaneLab").AddConstructor<IpFib>();
  return tid;
}

static uint32_t Mask(uint8_t len) { return len == 0 ? 0 : (0xffffffffu << (32 - len)); }

void IpFib::SetRoute(uint32_t prefix, uint8_t len, uint32_t next_hop, uint32_t ifindex) {
  SetRoute(prefix, len, {{next_hop, ifindex}});
}

void IpFib::SetRoute(uint32_t prefix, uint8_t len, const std::vector<std::pair<uint32_t, uint32_t>>& next_hops) {
  if (next_hops.empty()) {
    RemoveRoute(prefix, len);
    return;
  }
  SetRouteGroup(prefix, len, GroupId(next_hops));
}

uint32_t IpFib::GroupId(const std::vector<std::pair<uint32_t, uint32_t>>& next_hops) {
  Group g;
  for (const auto& [addr, ifindex] : next_hops) g.push_back(Entry{addr, ifindex});
  return groups_.Id(g);
}

void IpFib::SetRouteGroup(uint32_t prefix, uint8_t len, uint32_t group) {
  routes_.Set(Key(len, prefix & Mask(len)), group);
  if (std::find(lengths_present_.begin(), lengths_present_.end(), len) == lengths_present_.end()) {
    lengths_present_.push_back(len);
    std::sort(lengths_present_.rbegin(), lengths_present_.rend());
  }
}

void IpFib::RemoveRoute(uint32_t prefix, uint8_t len) { routes_.Erase(Key(len, prefix & Mask(len))); }

void IpFib::SetCarrier(uint32_t ifindex, bool up) { carrier_[ifindex] = up; }

bool IpFib::Carrier(uint32_t ifindex) const {
  auto it = carrier_.find(ifindex);
  return it == carrier_.end() || it->second;
}

bool IpFib::IsLocal(uint32_t dst) const {
  if (dst == 0xffffffffu) return true;
  if (local_.empty()) {
    for (uint32_t i = 0; i < ipv4_->GetNInterfaces(); ++i) {
      for (uint32_t j = 0; j < ipv4_->GetNAddresses(i); ++j) {
        Ipv4InterfaceAddress a = ipv4_->GetAddress(i, j);
        local_.insert(a.GetLocal().Get());
        if (a.GetMask().Get() != 0xffffffffu) local_.insert(a.GetBroadcast().Get());
      }
    }
  }
  return local_.count(dst) > 0;
}

uint32_t IpFib::FlowHash(Ptr<const Packet> p, const Ipv4Header& h) {
  // 5-tuple hash (addresses, protocol, ports), as forwarding ASICs spread flows over ECMP members.
  uint8_t ports[4] = {0, 0, 0, 0};
  if ((h.GetProtocol() == 6 || h.GetProtocol() == 17) && p->GetSize() >= 4) p->CopyData(ports, 4);
  uint64_t x = (uint64_t(h.GetSource().Get()) << 32) ^ h.GetDestination().Get() ^ (uint64_t(h.GetProtocol()) << 56) ^
               (uint64_t(ports[0]) << 24 | uint64_t(ports[1]) << 16 | uint64_t(ports[2]) << 8 | ports[3]) << 8;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return static_cast<uint32_t>(x);
}

bool IpFib::Lookup(uint32_t dst, uint32_t flow, Entry* out) const {
  // Connected subnets first: an up interface reaches its own subnet directly.
  if (connected_.empty()) {
    for (uint32_t i = 1; i < ipv4_->GetNInterfaces(); ++i) {
      for (uint32_t j = 0; j < ipv4_->GetNAddresses(i); ++j) {
        Ipv4InterfaceAddress a = ipv4_->GetAddress(i, j);
        uint32_t m = a.GetMask().Get();
        connected_.push_back({a.GetLocal().Get() & m, m, i});
      }
    }
  }
  for (const Connected& c : connected_) {
    if ((dst & c.mask) == c.network && Carrier(c.ifindex)) {
      *out = Entry{dst, c.ifindex};
      return true;
    }
  }
  for (uint8_t len : lengths_present_) {
    const uint32_t id = routes_.Get(Key(len, dst & Mask(len)));
    if (id == SharedKeyMap::kNone) continue;
    // Members behind a dead carrier drop out of the group at once (hardware fast reroute).
    const Group& g = groups_[id];
    size_t live = 0;
    for (const auto& e : g) live += Carrier(e.ifindex) ? 1 : 0;
    if (live == 0) continue;
    size_t pick = flow % live;
    for (const auto& e : g) {
      if (!Carrier(e.ifindex)) continue;
      if (pick-- == 0) {
        *out = e;
        return true;
      }
    }
  }
  return false;
}

Ptr<Ipv4Route> IpFib::MakeRoute(uint32_t dst, const Entry& e) const {
  Ptr<Ipv4Route> r = Create<Ipv4Route>();
  r->SetDestination(Ipv4Address(dst));
  r->SetGateway(Ipv4Address(e.next_hop));
  r->SetSource(ipv4_->GetAddress(e.ifindex, 0).GetLocal());
  r->SetOutputDevice(ipv4_->GetNetDevice(e.ifindex));
  return r;
}

Ptr<Ipv4Route> IpFib::RouteOutput(Ptr<Packet> p, const Ipv4Header& header, Ptr<NetDevice> oif,
                                  Socket::SocketErrno& sockerr) {
  // Locally originated traffic is the CPU's own: it does not depend on the forwarding ASIC.
  Entry e;
  if (!Lookup(header.GetDestination().Get(), p ? FlowHash(p, header) : 0, &e)) {
    sockerr = Socket::ERROR_NOROUTETOHOST;
    return nullptr;
  }
  sockerr = Socket::ERROR_NOTERROR;
  return MakeRoute(header.GetDestination().Get(), e);
}

bool IpFib::RouteInput(Ptr<const Packet> p, const Ipv4Header& header, Ptr<const NetDevice> idev,
                       UnicastForwardCallback ucb, MulticastForwardCallback mcb, LocalDeliverCallback lcb,
                       ErrorCallback ecb) {
  uint32_t dst = header.GetDestination().Get();
  int32_t iif = ipv4_->GetInterfaceForDevice(idev);
  if (iif >= 0) {
    // IF-MIB ifHCInOctets counts every octet the interface received, for the router or through it.
    if (static_cast<size_t>(iif) >= in_octets_.size()) in_octets_.resize(static_cast<size_t>(iif) + 1, 0);
    in_octets_[static_cast<size_t>(iif)] += p->GetSize() + header.GetSerializedSize();
  }
  if (IsLocal(dst)) {
    // Punted to the CPU: the control and management planes' own traffic.
    ++counters_.punted;
    if (!lcb.IsNull()) lcb(p, header, iif);
    return true;
  }
  if (!forwarding_) return false;
  ++counters_.transit;
  if (!asic_alive_) {
    ++counters_.dropped_asic;  // silently: a dead ASIC sends no ICMP and logs nothing
    return true;
  }
  if (transit_hook_) {
    hook_out_.clear();
    transit_hook_(p, header, static_cast<uint32_t>(iif), &hook_out_);
    if (hook_out_.empty()) {
      ++counters_.dropped_no_route;
      return true;  // dropped by the flow table, silently as a switch does
    }
    for (uint32_t ifx : hook_out_) {
      ++counters_.forwarded;
      counters_.forwarded_bytes += p->GetSize() + header.GetSerializedSize();
      // Point-to-point /30s: the far end is the other host address of the interface's subnet (.1 <-> .2).
      ucb(MakeRoute(dst, Entry{ipv4_->GetAddress(ifx, 0).GetLocal().Get() ^ 3u, ifx}), p, header);
    }
    return true;
  }
  Entry e;
  if (!Lookup(dst, FlowHash(p, header), &e)) {
    ++counters_.dropped_no_route;
    ecb(p, header, Socket::ERROR_NOROUTETOHOST);
    return true;
  }
  ++counters_.forwarded;
  counters_.forwarded_bytes += p->GetSize() + header.GetSerializedSize();
  ucb(MakeRoute(dst, e), p, header);
  return true;
}

void IpFib::PrintRoutingTable(Ptr<OutputStreamWrapper> stream, Time::Unit unit) const {
  std::ostream& os = *stream->GetStream();
  std::map<std::pair<uint8_t, uint32_t>, uint32_t> sorted;
  routes_.ForEach([&](uint64_t key, uint32_t g) { sorted[{uint8_t(key >> 32), uint32_t(key)}] = g; });
  for (const auto& [key, g] : sorted) {
    os << Ipv4Address(key.second) << "/" << int(key.first);
    for (const auto& e : groups_[g]) os << " via " << Ipv4Address(e.next_hop) << " if " << e.ifindex;
    os << "\n";
  }
}

}  // namespace planelab
