// A pure OSPFv2 core for point-to-point networks in one area (RFC 2328): hellos, the database exchange, reliable
// flooding with acknowledgements and many LSAs per update, throttled origination, SPF. No kernel calls.
#pragma once
#include <algorithm>
#include <cstdint>
#include <climits>
#include <deque>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/router/control/ospf_packet.h"
#include "sim/util/flat_id_map.h"
#include "sim/util/units.h"

namespace planelab::ls {

/// A routing interface; `passive` interfaces (towards hosts) send no hellos but their prefix is advertised.
struct InterfaceConfig {
  uint32_t ifindex = 0;
  uint32_t local_addr = 0;
  uint32_t peer_addr = 0;
  uint8_t prefix_len = 30;
  uint32_t cost = 1;
  bool passive = false;
  bool carrier = true;
  // IP MTU: updates, acknowledgements and descriptions are packed up to it; a neighbour's Database Description
  // announcing a larger one is rejected (RFC 2328 §10.6), the classic adjacency stuck in ExStart.
  uint32_t mtu = 1500;
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

/// Every route of one SPF, with the first-hop sets stored once (a mesh has few distinct sets and many routes).
struct RouteTable {
  struct Entry {
    uint32_t prefix = 0;
    uint8_t len = 0;
    uint32_t set = 0;  // index into sets
    uint32_t cost = 0;
  };
  std::vector<std::vector<NextHop>> sets;
  std::vector<Entry> routes;  // sorted by prefix and length
};

/// A packet to send to the neighbour on an interface.
struct Send {
  uint32_t ifindex = 0;
  uint32_t to_addr = 0;
  Message msg;
};

/// A time no timer reaches.
constexpr SimTime kNever = INT64_MAX;

/// Neighbour states of RFC 2328 §10.1 that a point-to-point network uses.
enum class NeighborState : uint8_t { kDown, kInit, kExStart, kExchange, kLoading, kFull };
const char* NameOf(NeighborState s);

/// A neighbour's link-state retransmission list (RFC 2328 §10): the routers whose LSA awaits its acknowledgement.
/// The instance awaiting is always the database's current one (a newer instance leaves every list before it is
/// installed, §13 step 5c, and only what is installed is flooded), so the list is a bitmap over the pool's router
/// indexes: at 5,000 routers, lists of LSA references during a cold start's flood took more memory than the
/// databases did.
class RetransmissionList {
 public:
  void Put(uint32_t index) {
    if (index / 64 >= bits_.size()) bits_.resize(index / 64 + 1, 0);
    uint64_t& w = bits_[index / 64];
    const uint64_t bit = uint64_t(1) << (index % 64);
    count_ += (w & bit) == 0;
    w |= bit;
  }
  bool Has(uint32_t index) const {
    return index / 64 < bits_.size() && (bits_[index / 64] >> (index % 64) & 1);
  }
  bool Erase(uint32_t index) {
    if (!Has(index)) return false;
    bits_[index / 64] &= ~(uint64_t(1) << (index % 64));
    --count_;
    return true;
  }
  bool empty() const { return count_ == 0; }
  size_t size() const { return count_; }
  void Clear() {
    std::fill(bits_.begin(), bits_.end(), 0);
    count_ = 0;
  }
  /// Every router index on the list, ascending.
  std::vector<uint32_t> All() const;

 private:
  std::vector<uint64_t> bits_;
  size_t count_ = 0;
};

/// Counters of the flooding machinery, for the control plane's metrics and the scale benchmarks.
struct FloodStats {
  uint64_t updates_sent = 0;       // Link State Update packets
  uint64_t lsas_sent = 0;          // LSAs in them, retransmissions included
  uint64_t retransmitted = 0;      // LSAs sent again for want of an acknowledgement
  uint64_t acks_sent = 0;          // Link State Acknowledgment packets
  uint64_t duplicates = 0;         // instances received that were already in the database
  uint64_t originated = 0;         // own router-LSA instances
  uint64_t mtu_mismatches = 0;     // Database Descriptions rejected for announcing a larger MTU (§10.6)
};

/// The protocol core: feed it time, packets and carrier changes; it returns packets to send and marks when routes
/// must be recomputed. Every timer defaults to a real implementation's default, cited at the field.
class LinkStateRouting {
 public:
  struct Config {
    // RFC 2328 Appendix C.3: HelloInterval 10 s, RouterDeadInterval 4 x HelloInterval, RxmtInterval 5 s.
    SimTime hello_interval = 10 * kSec;
    SimTime dead_interval = 40 * kSec;
    SimTime rxmt_interval = 5 * kSec;
    // Origination throttle (the same LSA at most once per hold, the hold doubling up to max while changes keep
    // coming): Cisco IOS XR's `timers throttle lsa all` defaults, start 50 ms, hold 200 ms, max 5 s. RFC 2328's
    // fixed MinLSInterval (5 s, FRR's default) is start 0, hold 5 s, max 5 s.
    SimTime lsa_start = 50 * kMs;
    SimTime lsa_hold = 200 * kMs;
    SimTime lsa_max = 5 * kSec;
    // MinLSArrival: a newer instance arriving sooner after the last is dropped unacknowledged (IOS XR's
    // `timers lsa min-arrival` default 100 ms; RFC 2328 Appendix B: 1 s).
    SimTime min_ls_arrival = 100 * kMs;
    // Flood pacing: at most one Link State Update per interface per interval, carrying every LSA queued meanwhile
    // (Cisco's `timers pacing flood` default 33 ms). Retransmissions go out together at RxmtInterval.
    SimTime flood_pacing = 33 * kMs;
    // Delayed acknowledgements are bundled and sent within this (RFC 2328 §13.5 asks for less than RxmtInterval;
    // Quagga's and FRR's ospfd use 1 s).
    SimTime ack_delay = 1 * kSec;
    // Dynamic flooding (RFC 9667, distributed mode): LSAs are flooded only on a flooding topology, a connected
    // subgraph every router computes alike, instead of on every adjacency; adjacencies, the database exchange and
    // acknowledgements are unchanged. Off by default, as in FRR, IOS XR and EOS (`dynamic-flooding` is opt-in).
    // The algorithm is PlaneLab's own (RFC 9667 §5.1 leaves distributed algorithms to implementations): each
    // router keeps the `flooding_degree` links whose hash of the two router IDs is lowest, and a link is on the
    // topology when either end keeps it; over random choices of two or more links per router the union is
    // connected and, on a leaf-spine, puts each leaf on two spines. A router that finds the topology partitioned
    // at an SPF floods on every adjacency until it is whole again (RFC 9667 §6.7.11's temporary additions).
    bool dynamic_flooding = false;
    uint32_t flooding_degree = 2;
  };
  LinkStateRouting(uint32_t router_id, Config config, std::vector<InterfaceConfig> interfaces,
                   std::shared_ptr<LsaPool> pool = nullptr);
  ~LinkStateRouting();
  LinkStateRouting(const LinkStateRouting&) = delete;
  LinkStateRouting& operator=(const LinkStateRouting&) = delete;

  /// Originates the first LSA and sends the first hellos.
  void Start(SimTime now, std::vector<Send>* out);
  /// Runs every timer due by `now`; call at NextDeadline() or earlier.
  void Tick(SimTime now, std::vector<Send>* out);
  void Receive(SimTime now, uint32_t ifindex, const Message& m, std::vector<Send>* out);
  void SetCarrier(SimTime now, uint32_t ifindex, bool up, std::vector<Send>* out);

  /// How many times the LSDB or adjacencies changed: an IGP event for the SPF back-off (RFC 8405 §2).
  uint64_t changes() const { return changes_; }
  /// Dijkstra over the two-way-checked LSDB keeping every equal-cost first hop; routes sorted by prefix.
  std::vector<Route> ComputeRoutes();
  /// The same routes with their first-hop sets shared.
  RouteTable ComputeRouteTable();
  /// When Tick() is next needed, or earlier (cached bounds only move earlier between ticks).
  SimTime NextDeadline() const;
  /// The exact time Tick() is next needed: rescans the neighbours and drops superseded queue entries.
  SimTime ExactDeadline();

  uint32_t router_id() const { return id_; }
  size_t adjacencies_up() const { return full_count_; }
  size_t adjacencies_configured() const;
  size_t lsdb_size() const { return lsdb_count_; }
  /// The database copy of `origin`'s router-LSA, or null.
  const Lsa* Lookup(uint32_t origin) const;
  NeighborState StateOn(uint32_t ifindex) const;
  const FloodStats& stats() const { return stats_; }
  /// Full adjacencies LSAs are flooded on: all of them without dynamic flooding.
  size_t flooding_links() const;
  /// True while dynamic flooding found the flooding topology partitioned and floods on every adjacency.
  bool flooding_topology_partitioned() const { return ft_partitioned_; }
  /// Interface index for a source address on a directly connected subnet, 0 if none.
  uint32_t InterfaceFor(uint32_t src_addr) const;
  LsaPool& pool() { return *pool_; }

 private:
  // A database entry points at the pool's instance (which the pool keeps while db_holders counts it): 16 bytes,
  // where a shared reference made it 24, and a 5,000-router run holds 25 million entries.
  struct DbEntry {
    const Lsa* lsa = nullptr;
    SimTime installed = 0;
  };
  /// A reference to a database instance, for what is sent or kept for retransmission.
  LsaRef RefOf(const Lsa* lsa) const { return pool_->Find(lsa->header); }
  struct Neighbor {
    NeighborState state = NeighborState::kDown;
    uint32_t router_id = 0;
    SimTime last_heard = 0;
    bool master = false;                 // we are the master of the database exchange
    uint32_t dd_seq = 0;
    bool peer_more = true;               // the neighbour's last Database Description had the M-bit set
    std::vector<LsaHeader> summary;      // our LSDB as it was when the exchange began, still to describe
    size_t summary_pos = 0;
    Message last_dd;                     // for the master's retransmission and the slave's repeat
    SimTime dd_rxmt_due = kNever;
    std::map<uint32_t, LsaHeader> requests;  // LSAs to ask for, by advertising router
    SimTime lsr_rxmt_due = kNever;
    RetransmissionList rxmt;
    SimTime rxmt_due = kNever;
  };
  struct Interface {
    InterfaceConfig cfg;
    Neighbor nbr;
    bool ft = true;                      // on the flooding topology (always, without dynamic flooding)
    SimTime ft_off_since = 0;            // when it left the flooding topology
    std::vector<LsaRef> flood;           // LSAs to send in the next paced update
    uint64_t flood_stamp = 0;            // the Flood() that last put an LSA on the retransmission list
    // Delayed acknowledgements, held for up to ack_delay: a cold start's flood piles up thousands per interface
    // (5,000 routers' LSAs in about a second), so they grow in blocks, not by doubling a vector.
    std::deque<LsaHeader> acks;
    SimTime ack_due = kNever;
    SimTime next_update = 0;             // flood pacing
    SimTime queued_due = kNever;         // the time it is queued under in due_
  };

  Interface* Find(uint32_t ifindex);
  const Interface* Find(uint32_t ifindex) const;
  Message NewMessage(Message::Type type) const;
  Message MakeHello(const Interface& itf) const;
  /// A Database Description announcing the interface's MTU.
  Message NewDd(const Interface& itf) const;
  DbEntry* Db(uint32_t origin);
  /// The database entry for an LSA's originator (by the pool's index when the LSA carries it).
  DbEntry* DbOf(const Lsa& lsa);
  /// The pool's router index of an LSA's originator.
  uint32_t IndexOfOrigin(const Lsa& lsa) {
    return lsa.indexed_by == pool_.get() ? lsa.origin_index : pool_->IndexOf(lsa.origin());
  }
  const DbEntry* Db(uint32_t origin) const;
  void Install(SimTime now, LsaRef lsa);
  void RequestOriginate(SimTime now);
  void Originate(SimTime now);
  /// Queues `lsa` on every interface whose neighbour takes part in flooding, except `except_ifindex`.
  void Flood(const LsaRef& lsa, uint32_t except_ifindex, SimTime now);
  /// RFC 2328 §13 step 5c: a newer instance takes the place of the database copy on every retransmission list,
  /// including those of neighbours it is not flooded to (the one it came from, those off the flooding topology);
  /// an older instance left there would be sent every RxmtInterval for ever, each time answered with the newer one.
  /// Called after the newer instance is flooded (which put it on the lists it went to) and before it is installed.
  void ForgetOlderInstances(const Lsa& lsa);
  /// Queues `lsa` for the neighbour on `itf`, kept for retransmission until acknowledged (§13.3 step 1).
  void FloodOn(Interface& itf, const LsaRef& lsa, SimTime now);
  /// Links each router keeps on the flooding topology (at least one, whatever the config says).
  uint32_t FloodingDegree() const { return std::max<uint32_t>(config_.flooding_degree, 1); }
  /// Dynamic flooding: which of our adjacencies we keep, then each interface's membership.
  void RecomputeFloodingTopology(SimTime now);
  /// Dynamic flooding: whether the link on `itf` is on the flooding topology; with `resend`, a link that joins it
  /// gets what was installed while it was off, which the neighbour may have missed.
  void UpdateFloodingMembership(SimTime now, Interface& itf, bool resend);
  /// Dynamic flooding, after an SPF: whether the flooding topology still reaches every reachable router.
  void CheckFloodingTopology(const std::vector<char>& reached, uint32_t me);
  void ReceiveHello(SimTime now, Interface& itf, const Message& m, std::vector<Send>* out);
  void ReceiveDd(SimTime now, Interface& itf, const Message& m, std::vector<Send>* out);
  void ReceiveRequest(SimTime now, Interface& itf, const Message& m, std::vector<Send>* out);
  void ReceiveUpdate(SimTime now, Interface& itf, const Message& m);
  void ReceiveAck(Interface& itf, const Message& m);
  void StartExchange(SimTime now, Interface& itf, std::vector<Send>* out);
  void SendNextDd(SimTime now, Interface& itf, std::vector<Send>* out);
  void ProcessDdHeaders(Interface& itf, const Message& m);
  void MaybeExchangeDone(SimTime now, Interface& itf, std::vector<Send>* out);
  void SendRequests(SimTime now, Interface& itf, std::vector<Send>* out);
  void SetState(SimTime now, Interface& itf, NeighborState next);
  void KillNeighbor(SimTime now, Interface& itf);
  void Flush(SimTime now, std::vector<Send>* out);
  void SendUpdates(Interface& itf, const std::vector<LsaRef>& lsas, std::vector<Send>* out);
  /// Queues an interface with updates or acknowledgements to send under the time they are due, so a flush visits
  /// only what is due: a spine with thousands of interfaces must not scan them all for every packet it receives.
  void MarkPending(Interface& itf);
  /// A neighbour timer was set to `t`: the cached earliest neighbour deadline may move earlier (never later, so a
  /// tick may come early and rescan).
  void NoteDeadline(SimTime t) { nbr_deadline_ = std::min(nbr_deadline_, t); }
  void Changed() { ++changes_; }
  /// The earliest of a neighbour's timers: inactivity, Database Description, request and LSA retransmission.
  SimTime NeighborDeadline(const Neighbor& nb) const {
    return std::min({nb.last_heard + config_.dead_interval, nb.dd_rxmt_due, nb.lsr_rxmt_due, nb.rxmt_due});
  }

  uint32_t id_;
  Config config_;
  std::vector<Interface> interfaces_;  // sorted by ifindex
  // (due time, position in interfaces_); entries whose time is no longer the interface's queued_due are stale.
  std::priority_queue<std::pair<SimTime, uint32_t>, std::vector<std::pair<SimTime, uint32_t>>,
                      std::greater<std::pair<SimTime, uint32_t>>>
      due_;
  SimTime nbr_deadline_ = kNever;      // earliest neighbour timer, or earlier
  size_t full_count_ = 0;
  std::unordered_map<uint32_t, uint32_t> by_peer_;  // neighbour address -> ifindex
  std::shared_ptr<LsaPool> pool_;
  std::vector<DbEntry> lsdb_;          // by the pool's dense router index
  size_t lsdb_count_ = 0;
  int32_t seq_ = kInitialSequenceNumber - 1;
  SimTime next_hello_ = 0;
  // Origination throttle.
  bool originate_pending_ = false;
  SimTime originate_due_ = kNever;
  SimTime last_originated_ = -1;
  SimTime hold_ = 0;
  uint32_t dd_seq_seed_ = 0;
  uint64_t changes_ = 0;
  bool started_ = false;
  FloodStats stats_;
  uint64_t flood_stamp_ = 0;           // counts Flood() calls (see ForgetOlderInstances)
  SimTime now_ = 0;                    // the latest time an input carried (for the SPF's flooding check)
  // Dynamic flooding: the rank of the highest-ranked adjacency we keep, which full neighbours are on which
  // interfaces, and whether the topology was found partitioned.
  uint64_t ft_threshold_ = UINT64_MAX;
  std::unordered_map<uint32_t, std::vector<uint32_t>> ft_interfaces_;
  bool ft_partitioned_ = false;
};

/// The SPF back-off of RFC 8405 (QUIET, SHORT_WAIT, LONG_WAIT): the first SPF after a quiet period runs quickly,
/// later ones wait longer while events keep coming, so a storm is computed a few times, not once per LSA.
class SpfBackoff {
 public:
  /// RFC 8405 §6's suggested values: INITIAL 50 ms, SHORT 200 ms, LONG 5 s, TIME_TO_LEARN 500 ms, HOLDDOWN 10 s.
  struct Config {
    SimTime initial = 50 * kMs;
    SimTime short_wait = 200 * kMs;
    SimTime long_wait = 5 * kSec;
    SimTime time_to_learn = 500 * kMs;
    SimTime holddown = 10 * kSec;
  };
  enum class State : uint8_t { kQuiet, kShortWait, kLongWait };
  explicit SpfBackoff(Config c) : config_(c) {}
  /// An IGP event at `now`: the time an SPF is due (a new one, or the one already scheduled).
  SimTime OnEvent(SimTime now);
  /// The scheduled SPF ran.
  void OnSpfRun() { spf_due_ = -1; }
  State StateAt(SimTime now);

 private:
  void Advance(SimTime now);
  Config config_;
  State state_ = State::kQuiet;
  SimTime learn_due_ = -1, holddown_due_ = -1, spf_due_ = -1;
};

}  // namespace planelab::ls
