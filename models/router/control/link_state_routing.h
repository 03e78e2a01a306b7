// A pure link-state routing core (OSPF-like): hellos, flooding and SPF, with no kernel calls.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/util/units.h"

namespace planelab::ls {

/// Hello on a point-to-point link: who I am and whom I hear (RFC 2328 §10.5 two-way check).
struct Hello {
  uint32_t router_id = 0;
  std::vector<uint32_t> seen;
};
struct LinkAdv {
  uint32_t neighbor = 0;
  uint32_t cost = 1;
};
struct PrefixAdv {
  uint32_t prefix = 0;
  uint8_t len = 0;
};
/// A router's link-state advertisement: its adjacencies and attached prefixes.
struct Lsa {
  uint32_t origin = 0;
  uint64_t seq = 0;
  std::vector<LinkAdv> links;
  std::vector<PrefixAdv> prefixes;
};
/// A protocol message: a hello or a link-state update carrying LSAs.
struct Message {
  enum class Type : uint8_t { kHello = 1, kUpdate = 2 } type = Type::kHello;
  Hello hello;
  std::vector<Lsa> lsas;
};

std::vector<uint8_t> Encode(const Message& m);
/// Returns false on a malformed buffer.
bool Decode(const uint8_t* data, size_t size, Message* out);

/// A routing interface; `passive` interfaces (towards hosts) send no hellos but their prefix is advertised.
struct InterfaceConfig {
  uint32_t ifindex = 0;
  uint32_t local_addr = 0;
  uint32_t peer_addr = 0;
  uint8_t prefix_len = 30;
  uint32_t cost = 1;
  bool passive = false;
  bool carrier = true;
};

/// One first hop of a route: the neighbour's address on the interface leading to it.
struct NextHop {
  uint32_t addr = 0;
  uint32_t ifindex = 0;
  bool operator==(const NextHop& o) const { return addr == o.addr && ifindex == o.ifindex; }
  bool operator<(const NextHop& o) const { return ifindex != o.ifindex ? ifindex < o.ifindex : addr < o.addr; }
};

/// A computed route with every equal-cost first hop (RFC 2328 §16.1), sorted by interface.
struct Route {
  uint32_t prefix = 0;
  uint8_t len = 0;
  std::vector<NextHop> next_hops;
  uint32_t cost = 0;
  bool operator==(const Route& o) const {
    return prefix == o.prefix && len == o.len && next_hops == o.next_hops && cost == o.cost;
  }
};

/// A message to send to the neighbour on an interface.
struct Send {
  uint32_t ifindex = 0;
  uint32_t to_addr = 0;
  Message msg;
};

/// Neighbour state on one interface.
struct Neighbor {
  uint32_t router_id = 0;
  SimTime last_heard = 0;
  bool full = false;  // two-way established
};

/// The protocol core: feed it time, messages and carrier changes; it returns messages to send and
/// marks when routes must be recomputed. Timers default to RFC 2328 Appendix C.3.
class LinkStateRouting {
 public:
  struct Config {
    SimTime hello_interval = 10 * kSec;
    SimTime dead_interval = 40 * kSec;
  };
  LinkStateRouting(uint32_t router_id, Config config, std::vector<InterfaceConfig> interfaces);

  /// Originates the first LSA and the first hellos.
  void Start(SimTime now, std::vector<Send>* out);
  /// Sends due hellos and expires silent neighbours; call at NextDeadline() or earlier.
  void Tick(SimTime now, std::vector<Send>* out);
  void Receive(SimTime now, uint32_t ifindex, const Message& m, std::vector<Send>* out);
  void SetCarrier(SimTime now, uint32_t ifindex, bool up, std::vector<Send>* out);
  /// Forget all state (a daemon crash); Start() begins again with a higher sequence number.
  void Reset();

  /// True when the LSDB or adjacencies changed since the last ComputeRoutes().
  bool routes_dirty() const { return dirty_; }
  /// Dijkstra over the two-way-checked LSDB keeping every equal-cost first hop; routes sorted by
  /// prefix; clears routes_dirty().
  std::vector<Route> ComputeRoutes();
  SimTime NextDeadline() const;

  uint32_t router_id() const { return id_; }
  size_t adjacencies_up() const;
  size_t adjacencies_configured() const;
  size_t lsdb_size() const { return lsdb_.size(); }
  const std::map<uint32_t, Lsa>& lsdb() const { return lsdb_; }
  /// Interface index for a source address on a directly connected subnet, 0 if none.
  uint32_t InterfaceFor(uint32_t src_addr) const;

 private:
  InterfaceConfig* Find(uint32_t ifindex);
  Message MakeHello(const InterfaceConfig& itf) const;
  void Originate(std::vector<Send>* out);
  void Flood(const Lsa& lsa, uint32_t except_ifindex, std::vector<Send>* out);
  void NeighborDown(uint32_t ifindex, std::vector<Send>* out);

  uint32_t id_;
  Config config_;
  std::vector<InterfaceConfig> interfaces_;
  std::map<uint32_t, Neighbor> neighbors_;  // by ifindex
  std::map<uint32_t, Lsa> lsdb_;            // by origin
  uint64_t seq_ = 0;
  SimTime next_hello_ = 0;
  bool dirty_ = true;
  bool started_ = false;
};

}  // namespace planelab::ls
