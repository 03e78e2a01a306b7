// The IP forwarding table of every simulated node, as an ns-3 routing protocol (ns-3 header).
#pragma once
#include <ns3/ipv4-routing-protocol.h>
#include <ns3/ipv4.h>

#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sim/util/shared_key_map.h"
#include "sim/util/interner.h"

namespace planelab {

/// Counters of what the forwarding path did; read by the data-plane actor that owns the FIB.
struct FibCounters {
  uint64_t transit = 0, forwarded = 0, forwarded_bytes = 0, dropped_asic = 0, dropped_no_route = 0, punted = 0;
};

/// Longest-prefix-match FIB that only a data-plane actor writes (the control plane programs it
/// through that actor's port). Packets for the node itself are always punted to its CPU; transit
/// packets are dropped while the forwarding ASIC is dead.
class IpFib : public ns3::Ipv4RoutingProtocol {
 public:
  static ns3::TypeId GetTypeId();

  void SetRoute(uint32_t prefix, uint8_t len, uint32_t next_hop, uint32_t ifindex);
  /// An ECMP route: flows are spread over the next hops by a hash of their 5-tuple.
  void SetRoute(uint32_t prefix, uint8_t len, const std::vector<std::pair<uint32_t, uint32_t>>& next_hops);
  /// The id of an ECMP group (not empty), for SetRouteGroup: a program's routes share a few groups.
  uint32_t GroupId(const std::vector<std::pair<uint32_t, uint32_t>>& next_hops);
  /// Routes `prefix`/`len` to a group from GroupId.
  void SetRouteGroup(uint32_t prefix, uint8_t len, uint32_t group);
  void RemoveRoute(uint32_t prefix, uint8_t len);
  /// Shares the numbering of prefixes with the other nodes' FIBs of the run (see SharedKeyMap).
  void ShareKeys(std::shared_ptr<KeyNumbering> keys) {
    keys_ = std::move(keys);
    routes_ = SharedKeyMap(keys_);
  }
  /// Forgets every programmed route (a line card that restarts comes up with empty tables).
  void Clear() {
    routes_ = SharedKeyMap(keys_);
    lengths_present_.clear();
  }
  size_t size() const { return routes_.size(); }
  void SetCarrier(uint32_t ifindex, bool up);
  bool Carrier(uint32_t ifindex) const;
  /// Hosts do not forward transit traffic; routers do.
  void SetForwarding(bool on) { forwarding_ = on; }
  void SetAsicAlive(bool alive) { asic_alive_ = alive; }
  const FibCounters& counters() const { return counters_; }
  /// A switch's forwarding hardware (models/switch): decides each transit packet in place of the prefix lookup,
  /// appending the interfaces it goes out of (several when it floods); none drops it. Set by the data plane only.
  using TransitHook =
      std::function<void(ns3::Ptr<const ns3::Packet>, const ns3::Ipv4Header&, uint32_t iif, std::vector<uint32_t>*)>;
  void SetTransitHook(TransitHook hook) { transit_hook_ = std::move(hook); }
  /// IPv4 octets received on an interface (header included; the link layer's framing is not seen here).
  uint64_t InOctets(uint32_t ifindex) const { return ifindex < in_octets_.size() ? in_octets_[ifindex] : 0; }

  ns3::Ptr<ns3::Ipv4Route> RouteOutput(ns3::Ptr<ns3::Packet> p, const ns3::Ipv4Header& header,
                                       ns3::Ptr<ns3::NetDevice> oif, ns3::Socket::SocketErrno& sockerr) override;
  bool RouteInput(ns3::Ptr<const ns3::Packet> p, const ns3::Ipv4Header& header, ns3::Ptr<const ns3::NetDevice> idev,
                  UnicastForwardCallback ucb, MulticastForwardCallback mcb, LocalDeliverCallback lcb,
                  ErrorCallback ecb) override;
  void NotifyInterfaceUp(uint32_t interface) override {}
  void NotifyInterfaceDown(uint32_t interface) override {}
  void NotifyAddAddress(uint32_t interface, ns3::Ipv4InterfaceAddress address) override {
    local_.clear();
    connected_.clear();
  }
  void NotifyRemoveAddress(uint32_t interface, ns3::Ipv4InterfaceAddress address) override {
    local_.clear();
    connected_.clear();
  }
  void SetIpv4(ns3::Ptr<ns3::Ipv4> ipv4) override { ipv4_ = ipv4; }
  void PrintRoutingTable(ns3::Ptr<ns3::OutputStreamWrapper> stream, ns3::Time::Unit unit) const override;

 private:
  struct Entry {
    uint32_t next_hop;
    uint32_t ifindex;
    bool operator<(const Entry& o) const { return next_hop != o.next_hop ? next_hop < o.next_hop : ifindex < o.ifindex; }
  };
  using Group = std::vector<Entry>;
  static uint64_t Key(uint8_t len, uint32_t prefix) { return (uint64_t(len) << 32) | prefix; }
  /// Connected subnet of an up interface, else the longest programmed prefix; `flow` picks an ECMP member.
  bool Lookup(uint32_t dst, uint32_t flow, Entry* out) const;
  static uint32_t FlowHash(ns3::Ptr<const ns3::Packet> p, const ns3::Ipv4Header& h);
  bool IsLocal(uint32_t dst) const;
  ns3::Ptr<ns3::Ipv4Route> MakeRoute(uint32_t dst, const Entry& e) const;

  ns3::Ptr<ns3::Ipv4> ipv4_;
  // (len, prefix) -> ECMP group id. A fabric's routes share a handful of groups (the uplinks),
  // so groups are stored once per FIB and a route costs 2 bytes in a large table (see SharedKeyMap).
  std::shared_ptr<KeyNumbering> keys_;
  SharedKeyMap routes_;
  Interner<Group> groups_;
  std::vector<uint8_t> lengths_present_;                  // prefix lengths in use, longest first
  std::unordered_map<uint32_t, bool> carrier_;
  mutable std::unordered_set<uint32_t> local_;  // own addresses and subnet broadcasts, built on demand
  struct Connected {
    uint32_t network, mask, ifindex;
  };
  mutable std::vector<Connected> connected_;  // directly connected subnets, built on demand
  bool forwarding_ = true;
  bool asic_alive_ = true;
  TransitHook transit_hook_;
  std::vector<uint32_t> hook_out_;
  FibCounters counters_;
  std::vector<uint64_t> in_octets_;  // by IPv4 interface index
};

}  // namespace planelab
