// Messages between the planes of one device: the only way planes talk to each other.
#pragma once
#include <cstdint>
#include <variant>
#include <vector>

#include "sim/util/units.h"

namespace planelab {

/// A next hop of a FIB entry: the neighbour's address and the interface towards it.
struct FibNextHop {
  uint32_t addr = 0;
  uint32_t ifindex = 0;
  bool operator==(const FibNextHop& o) const { return addr == o.addr && ifindex == o.ifindex; }
  bool operator<(const FibNextHop& o) const { return addr != o.addr ? addr < o.addr : ifindex < o.ifindex; }
};

/// One FIB change computed by a control plane: the route now goes to one of the program's next-hop groups
/// (several next hops make an ECMP group), or is removed.
struct FibRouteChange {
  uint32_t prefix = 0;
  uint8_t len = 0;
  bool remove = false;
  uint32_t group = 0;  // index into FibProgram::groups, unless removed
};

/// control -> data: program these FIB changes (a batch of one route computation). A 5,000-router mesh programs
/// 50 million routes over a few dozen next-hop sets, so each set travels once per program, not once per route.
struct FibProgram {
  uint64_t version = 0;
  SimTime triggered_at = 0;  // when the topology event that caused it was first seen
  std::vector<std::vector<FibNextHop>> groups;
  std::vector<FibRouteChange> changes;
  bool full = false;  // every route the control plane has, for a FIB that starts empty (FibReload)
};

/// data -> control: an interface gained or lost carrier (punted from the PHY/ASIC), or, with
/// `bfd`, the BFD session to the neighbour on it went up or down.
struct InterfaceEvent {
  uint32_t ifindex = 0;
  bool up = true;
  bool bfd = false;
};

/// data -> control: a FIB program batch is now in hardware.
struct FibAck {
  uint64_t version = 0;
  SimTime triggered_at = 0;
  uint64_t fib_routes = 0;
};

/// data -> control: the line card restarted with an empty FIB; send every route again.
struct FibReload {};

using DataToControl = std::variant<InterfaceEvent, FibAck, FibReload>;

/// management -> data or control: report your status.
struct StatusQuery {
  uint64_t id = 0;
};

/// One line-card interface as the forwarding plane sees it (for IF-MIB's ifTable).
struct InterfaceStatus {
  uint32_t ifindex = 0;
  bool carrier = false;
  uint64_t in_octets = 0;  // octets received, link header included (IF-MIB ifHCInOctets)
};

/// One BGP peer as the route processor sees it (for BGP4-MIB's bgpPeerTable).
struct PeerStatus {
  uint32_t peer_addr = 0;
  int32_t state = 1;  // bgpPeerState: idle(1) connect(2) active(3) opensent(4) openconfirm(5) established(6)
};

/// data -> management: what the forwarding plane believes about itself.
struct DataStatus {
  uint64_t id = 0;
  uint32_t interfaces_up = 0;
  uint32_t interfaces_total = 0;
  std::vector<InterfaceStatus> interfaces;  // the interfaces counted above, in ifindex order
  uint64_t fib_routes = 0;
  uint64_t rx_packets = 0;
};

/// control -> management: what the route processor reports.
struct ControlStatus {
  uint64_t id = 0;
  double cpu_utilization = 0;
  uint32_t adjacencies_up = 0;
  uint32_t adjacencies_configured = 0;
  uint64_t rib_routes = 0;
  std::vector<PeerStatus> peers;  // BGP sessions in peer-address order; empty for link-state routing
};

}  // namespace planelab
