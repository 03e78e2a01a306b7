// A pure BGP-4 speaker: the RFC 4271 FSM per peer, Adj-RIB-In, Loc-RIB with the decision process
// and multipath, Adj-RIB-Out with MRAI, and route flap damping. Time and messages in, actions out.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "models/router/control/bgp/bgp_message.h"
#include "models/router/control/bgp/prefix_id_array.h"
#include "models/router/control/bgp/route_flap_damping.h"
#include "models/router/control/bgp/route_interner.h"
#include "sim/util/interner.h"
#include "sim/util/units.h"

namespace planelab::bgp {

/// A configured neighbour on a directly connected link.
struct PeerConfig {
  uint32_t peer_addr = 0;
  uint32_t local_addr = 0;
  uint32_t ifindex = 0;
  uint32_t remote_as = 0;
  /// One side opens the TCP connection, the other listens, which avoids connection collisions
  /// (RFC 4271 §6.8) by construction. The actor makes the higher address active: on generated
  /// fabrics that is the spine, so a spine's thousands of session sockets have distinct local
  /// ports, which ns-3's linear endpoint demultiplexer rejects cheaply.
  bool active = true;
};

/// Which step of the decision process chose a best path (as FRR's enum bgp_path_selection_reason,
/// `show bgp ... bestpath-reason`). The comparison steps are in the order they are applied, so
/// the later of two reasons is the finer tie-break.
enum class DecisionReason : uint8_t {
  kNoPath,         // no route left
  kLocal,          // our own prefix: the locally originated route is the only one considered
  kOnlyPath,       // one candidate, nothing to compare
  kLocalPref,      // RFC 4271 §9.1.1: degree of preference (LOCAL_PREF)
  kAsPathLength,   // §9.1.2.2 a: fewer ASes in AS_PATH
  kOrigin,         // §9.1.2.2 b: lower ORIGIN
  kMed,            // §9.1.2.2 c: lower MULTI_EXIT_DISC, same neighbouring AS
  kEbgpOverIbgp,   // §9.1.2.2 d: received via eBGP rather than iBGP
  kRouterId,       // §9.1.2.2 f: lower BGP Identifier of the advertising speaker
  kPeerAddress,    // §9.1.2.2 g: lower peer address
};
const char* ToString(DecisionReason r);

/// What the decision process knows of one candidate route (RFC 4271 §9.1).
struct PathCandidate {
  uint32_t local_pref = 100;  // degree of preference: LOCAL_PREF from iBGP, the default for eBGP
  uint32_t as_path_length = 0;
  Origin origin = Origin::kIgp;
  uint32_t neighbour_as = 0;  // first AS of the AS_PATH; the local AS when it is empty (§9.1.2.2 c)
  uint32_t med = 0;           // a route without MULTI_EXIT_DISC has the lowest value, 0 (§9.1.2.2 c)
  bool ebgp = true;
  uint32_t bgp_id = 0;        // BGP Identifier of the advertising speaker, from its OPEN
  uint32_t peer_addr = 0;
};

/// Options of the decision process.
struct DecisionConfig {
  /// Compare MULTI_EXIT_DISC between routes from different neighbouring ASes too (FRR's
  /// `bgp always-compare-med`); RFC 4271 §9.1.2.2 c compares it only within one neighbouring AS.
  bool always_compare_med = false;
};

/// The result of comparing two candidates.
struct Comparison {
  enum class Winner : uint8_t { kA, kB } winner = Winner::kA;
  /// Equal through every step before the BGP Identifier (a-e): both belong in one multipath set.
  bool multipath_equal = false;
  /// The step that decided; kPeerAddress (and winner kA) when even the peer addresses are equal.
  DecisionReason reason = DecisionReason::kPeerAddress;
};

/// RFC 4271 §9.1.1 and §9.1.2.2, steps in order, between two routes to one destination.
Comparison ComparePaths(const PathCandidate& a, const PathCandidate& b, const DecisionConfig& config);

/// Timers default to RFC 4271 §10 (hold 90 s, keepalive 30 s, ConnectRetryTime 120 s,
/// MinRouteAdvertisementIntervalTimer 30 s eBGP / 5 s iBGP).
struct SpeakerConfig {
  uint32_t local_as = 0;
  uint32_t router_id = 0;
  SimTime hold_time = 90 * kSec;
  SimTime keepalive = 30 * kSec;
  SimTime connect_retry = 120 * kSec;
  SimTime mrai_ebgp = 30 * kSec;
  SimTime mrai_ibgp = 5 * kSec;
  bool multipath = true;  // ECMP over equal paths, AS_PATH length compared only ("multipath relax", RFC 7938 §6.3)
  uint32_t default_local_pref = 100;
  /// When true, received messages only update the RIBs; the host calls FlushPending() to send
  /// what became due, so a burst of input yields one batch of output (as BGP write quanta do).
  bool defer_flush = false;
  /// Bytes of UPDATEs generated for one peer per flush; the rest waits in the Loc-RIB journal
  /// until the peer's socket drains (FRR's write quanta play this role). A host that reports its
  /// socket's room (BgpSpeaker::SetSendRoom) lowers it to that room.
  size_t write_quantum = 64 * 1024;
  DampingConfig damping;
  /// RFC 4271 §10: "jitter should be applied to the timers associated with MinASOriginationInterval,
  /// KeepAlive, MinRouteAdvertisementInterval, and ConnectRetry": each time one starts, its
  /// configured value is multiplied by a random factor uniformly distributed in [0.75, 1.0], so
  /// that speakers do not act in lockstep. `mrai_jitter` covers the MRAI, `timer_jitter` the
  /// keepalive and ConnectRetry timers (this model has no MinASOriginationInterval); the hold
  /// timer is not jittered. Draws come from this speaker's own generator, seeded with `seed`.
  bool mrai_jitter = true;
  bool timer_jitter = true;
  uint64_t seed = 1;
  /// RFC 4271 §9.2.1.1 rate-limits "an advertisement and/or withdrawal of routes"; which of the two
  /// is left to the implementation (RFC 1771 exempted withdrawals, common implementations send them
  /// at once). false: withdrawals go at once and do not start the MRAI; true: they wait for it like
  /// announcements and restart it (SSFNet's WRATE, Labovitz et al. 2000).
  bool mrai_withdrawals = false;
  /// Sender-side loop detection (RFC 4271 §9.1.2 has the receiver drop a route whose AS_PATH holds
  /// its own AS; RFC 4271 leaves it to the sender whether to send it at all). true: a route is not
  /// advertised to an eBGP peer whose AS is in its AS_PATH (which includes the peer it came from),
  /// a withdrawal is sent instead (as Junos does by default). false: it is advertised like any
  /// other, and the receiver discards it as a loop, which withdraws what it had from us (as Cisco
  /// IOS and FRR do by default; FRR's `neighbor X sender-as-path-loop-detection` turns it on).
  bool sender_side_loop_detection = true;
  DecisionConfig decision;
  /// Shared by every speaker of a run so that prefixes and attributes are stored once; a speaker
  /// without one makes its own.
  std::shared_ptr<RouteInterner> interner;

  /// What is wrong with this configuration, one sentence each; empty when it can be used. The
  /// speaker refuses (std::invalid_argument) a configuration with problems rather than adjust it.
  std::vector<std::string> Validate() const;
};

/// RFC 4271 §8.2.2 states.
enum class SessionState { kIdle, kConnect, kActive, kOpenSent, kOpenConfirm, kEstablished };
const char* ToString(SessionState s);
constexpr size_t kSessionStates = 6;

/// The events that drive a session (RFC 4271 §8.1, numbers in the comments), as PlaneLab has them.
enum class FsmEvent : uint8_t {
  kManualStart,                // 1: start, and open the TCP connection (the active side)
  kPassiveStart,               // 4/5: start, and wait for the neighbour's connection (the passive side)
  kAdminReset,                 // 2, then automatic restart: an operator's reset (RFC 4486 Administrative Reset)
  kConnectRetryTimerExpires,   // 9
  kHoldTimerExpires,           // 10
  kKeepaliveTimerExpires,      // 11
  kTcpConnectionUp,            // 16/17: Tcp_CR_Acked, TcpConnectionConfirmed
  kTcpConnectionFails,         // 18
  kBgpOpen,                    // 19: a valid OPEN
  kBgpHeaderErr,               // 21: the message header fails §6.1's checks
  kBgpOpenMsgErr,              // 22: an OPEN fails §6.2's checks
  kNotifMsg,                   // 24/25: a NOTIFICATION (or one too malformed to answer, §6.4)
  kKeepAliveMsg,               // 26
  kUpdateMsg,                  // 27
  kUpdateMsgErr,               // 28: an UPDATE fails §6.3's checks
};
constexpr size_t kFsmEvents = 15;
const char* ToString(FsmEvent e);

/// What the speaker does on an event (RFC 4271 §8.2.2's action lists, as FRR's bgp_fsm.c names its
/// FSM[][] functions). kUndefined marks a hole in the table and is never in it.
enum class FsmAction : uint8_t {
  kUndefined,
  kNone,                  // the event is ignored (or only changes state)
  kConnect,               // start the ConnectRetryTimer, open the TCP connection
  kReconnect,             // drop the pending TCP attempt, restart the ConnectRetryTimer, open again
  kRefuse,                // close the connection just made: not expected in this state
  kSendOpen,              // stop the ConnectRetryTimer, send OPEN, hold timer 4 minutes
  kAcceptOpen,            // keep the BGP Identifier, negotiate the hold time, send KEEPALIVE
  kEstablish,             // restart the hold timer, send the Loc-RIB
  kRestartHold,           // a KEEPALIVE in Established
  kProcessUpdate,         // restart the hold timer, update the Adj-RIB-In and decide
  kSendKeepalive,         // the keepalive timer: send KEEPALIVE, restart it
  kDrop,                  // TCP went away: release the session's routes
  kClose,                 // a NOTIFICATION came: release and close
  kNotifyFsmError,        // NOTIFICATION Finite State Machine Error, release and close
  kNotifyHoldExpired,     // NOTIFICATION Hold Timer Expired, release and close
  kNotifyCease,           // NOTIFICATION Cease / Administrative Reset, release and close
  kNotifyError,           // the NOTIFICATION that came with the event (§6.1-§6.3), release and close
};
const char* ToString(FsmAction a);

/// One cell of the FSM table.
struct FsmTransition {
  FsmAction action = FsmAction::kUndefined;
  SessionState next = SessionState::kIdle;
};
/// The FSM table (RFC 4271 §8.2.2): what `event` does in `state`, and the state it leads to.
/// Releasing actions lead to Idle; a passive session then restarts at once (kPassiveStart: Active).
const FsmTransition& FsmLookup(SessionState state, FsmEvent event);

/// What the speaker asks its host to do.
struct Action {
  enum class Kind { kConnect, kClose, kSend } kind = Kind::kSend;
  size_t peer = 0;
  std::vector<uint8_t> bytes;
};

/// One next hop of a Loc-RIB entry, for the FIB.
struct NextHop {
  uint32_t addr = 0;
  uint32_t ifindex = 0;
  bool operator<(const NextHop& o) const { return addr != o.addr ? addr < o.addr : ifindex < o.ifindex; }
  bool operator==(const NextHop& o) const { return addr == o.addr && ifindex == o.ifindex; }
};

/// Per-speaker counters, as operators read them.
struct SpeakerCounters {
  uint64_t updates_sent = 0, updates_received = 0, prefixes_announced = 0, prefixes_withdrawn = 0,
           withdrawals_received = 0, session_drops = 0, loc_rib_changes = 0;
};

class BgpSpeaker {
 public:
  BgpSpeaker(SpeakerConfig config, std::vector<PeerConfig> peers, std::vector<Prefix> originated);

  void Start(SimTime now, std::vector<Action>* out);
  void OnTcpUp(SimTime now, size_t peer, std::vector<Action>* out);
  void OnTcpDown(SimTime now, size_t peer, std::vector<Action>* out);
  void OnMessage(SimTime now, size_t peer, const Message& m, std::vector<Action>* out);
  /// A message from `peer` failed to decode: the NOTIFICATION `e` says why (RFC 4271 §6) is sent,
  /// unless the state or §6.4 forbids, and the session is closed.
  void OnDecodeError(SimTime now, size_t peer, const DecodeError& e, std::vector<Action>* out);
  /// Sends what is due to every established peer (for hosts that set defer_flush).
  void FlushPending(SimTime now, std::vector<Action>* out) { FlushAll(now, out); }
  bool has_pending() const;
  /// Runs every timer due at `now`.
  void Tick(SimTime now, std::vector<Action>* out);
  SimTime NextDeadline() const;
  /// An operator's or a fault's session reset: NOTIFICATION Cease, close, reconnect later.
  void ResetSession(SimTime now, size_t peer, std::vector<Action>* out);
  /// A daemon crash: every session and route is forgotten; Start() begins again.
  void Crash();
  /// The interface of one of our own prefixes went down (`up` false) or came back. A router
  /// announces a connected (or `network`-statement) prefix only while the route is in its RIB,
  /// and a connected route leaves the RIB with its interface: the prefix is withdrawn from every
  /// peer, and announced again when the interface is back. False when nothing changed (a prefix
  /// not configured as ours, or already in that state).
  bool SetOriginUp(SimTime now, const Prefix& prefix, bool up, std::vector<Action>* out);
  /// True when `prefix` is configured as ours and its interface is up.
  bool originating(const Prefix& prefix) const;
  /// Flow control from the host: while a peer's socket cannot take more, no UPDATEs are built
  /// for it (they are generated from the Loc-RIB when it drains, as BGP daemons do).
  void SetWritable(size_t peer, bool writable) { peers_.at(peer).blocked = !writable; }
  /// How many bytes the host's socket to `peer` takes now (free send buffer less what the host
  /// still queues for it). A flush then builds no more UPDATEs than fit, as a daemon generates
  /// packets only for a writable socket and keeps few queued in user space (FRR's
  /// bgp_generate_updgrp_packets stops at wpkt_quanta packets in the peer's output FIFO,
  /// bgpd/bgp_packet.c); without it only `write_quantum` bounds a flush.
  void SetSendRoom(std::function<size_t(size_t peer)> room) { send_room_ = std::move(room); }
  /// Sends what is due to one peer, if it has anything (a host whose socket to it drained).
  void FlushPeer(SimTime now, size_t peer, std::vector<Action>* out);

  /// Loc-RIB as the FIB needs it: prefix -> next hops (empty for our own prefixes).
  std::map<Prefix, std::vector<NextHop>> ForwardingTable() const;
  /// FIB changes since the last call, sorted by prefix, each prefix once: next hops, empty when
  /// the route is gone.
  std::vector<std::pair<Prefix, std::vector<NextHop>>> TakeForwardingChanges();
  bool loc_rib_dirty() const { return loc_rib_dirty_; }
  /// Prefixes whose best path changed since the last call, sorted, each once, with the step of
  /// the decision process that chose the path they have now (kNoPath: none left).
  std::vector<std::pair<Prefix, DecisionReason>> TakeBestPathChanges();

  SessionState state(size_t peer) const { return peers_.at(peer).state; }
  /// Counts session state changes: a host with thousands of peers compares their states only
  /// when this moved.
  uint64_t state_changes() const { return state_changes_; }
  size_t peer_count() const { return peers_.size(); }
  const PeerConfig& peer_config(size_t peer) const { return peers_.at(peer).config; }
  /// The BGP Identifier in the OPEN `peer` sent on the current session; 0 before one came.
  uint32_t peer_bgp_id(size_t peer) const { return peers_.at(peer).bgp_id; }
  size_t established() const;
  size_t loc_rib_size() const { return loc_rib_count_; }
  size_t adj_rib_in_size() const;
  /// Routes this speaker has advertised to `peer` and not withdrawn (its Adj-RIB-Out).
  size_t adj_rib_out_size(size_t peer) const { return peers_.at(peer).adj_out.count(); }
  /// Routes received from `peer` (its Adj-RIB-In).
  size_t adj_rib_in_size(size_t peer) const { return peers_.at(peer).adj_in.count(); }
  size_t suppressed() const { return damping_.suppressed_count(); }
  const SpeakerCounters& counters() const { return counters_; }
  /// Peer index for a remote address, or -1.
  int PeerFor(uint32_t addr) const;

 private:
  static constexpr uint32_t kNone = UINT32_MAX, kLocal = UINT32_MAX - 1;
  /// Per-peer RIBs hold attribute ids plus one (0: no route), by prefix id.
  struct Peer {
    explicit Peer(const PeerConfig& c) : config(c) {}
    PeerConfig config;
    SessionState state = SessionState::kIdle;
    uint32_t bgp_id = 0;         // the neighbour's BGP Identifier, from its OPEN (§9.1.2.2 f)
    SimTime hold = 0;            // negotiated hold time
    SimTime hold_deadline = -1;  // -1: not running
    SimTime keepalive_at = -1;
    SimTime retry_at = -1;
    SimTime mrai_until = 0;
    PrefixIdArray adj_in;
    PrefixIdArray adj_out;       // what the peer has from us (exported attributes)
    uint64_t cursor = 0;         // Loc-RIB changes up to here were considered for this peer
    uint32_t full_scan = UINT32_MAX;  // next prefix id of the initial table dump, or none
    std::vector<uint32_t> held;  // announcements waiting for the MRAI timer
    bool blocked = false;        // the host's socket is full
    bool HasWork(uint64_t journal_end) const {
      return state == SessionState::kEstablished && !blocked &&
             (cursor < journal_end || !held.empty() || full_scan != UINT32_MAX);
    }
  };
  /// Loc-RIB entry: the best path and its equal-cost set (an interned list of peers).
  struct LocEntry {
    uint32_t attr = 0;      // attribute id plus one, 0: no route
    uint32_t best = kNone;  // peer index, or kLocal for our own prefixes
    uint32_t multipath = 0;
    uint32_t in_fib = 0;    // multipath set last handed to the FIB, 0: none
    DecisionReason reason = DecisionReason::kNoPath;  // the step that chose `best`, as of the last decision
  };
  bool Ebgp(const Peer& p) const { return p.config.remote_as != config_.local_as; }
  void SetState(Peer& p, SessionState s) {
    p.state = s;
    ++state_changes_;
  }
  void Send(size_t peer, const Message& m, std::vector<Action>* out);
  void SendNotification(size_t peer, const Notification& n, std::vector<Action>* out);
  /// Runs `event` through the FSM table: the next state, then the action. `m` is the message of a
  /// message event, `n` the NOTIFICATION of an error event.
  void Dispatch(SimTime now, size_t peer, FsmEvent event, std::vector<Action>* out, const Message* m = nullptr,
                const Notification* n = nullptr);
  /// Releases the session's routes and timers (the session was `from` before); `close` also
  /// closes the connection. An active session retries after ConnectRetryTime, a passive one listens.
  void Release(SimTime now, size_t peer, SessionState from, std::vector<Action>* out, bool close);
  void Established(SimTime now, size_t peer, std::vector<Action>* out);
  void ProcessUpdate(SimTime now, size_t peer, const Update& u, std::vector<Action>* out);
  /// Re-runs the decision process for one prefix and journals the change, if any.
  void Decide(SimTime now, uint32_t pid);
  /// The attribute id to advertise to `peer` for `pid`, or kNone if nothing should be sent.
  uint32_t Export(size_t peer, uint32_t pid);
  /// Considers the table dump in progress, the held announcements and the journal since the
  /// peer's cursor, up to the write quantum.
  void Flush(SimTime now, size_t peer, bool force, std::vector<Action>* out);
  /// The bytes of the output action to `peer` (consecutive messages to one peer go in one write).
  std::vector<uint8_t>& OutputTo(size_t peer, std::vector<Action>* out);
  /// Sends what is due to every established peer: withdrawals at once, announcements when the MRAI allows.
  void FlushAll(SimTime now, std::vector<Action>* out);
  LocEntry& Loc(uint32_t pid) {
    if (pid >= loc_rib_.size()) loc_rib_.resize(pid + 1);
    return loc_rib_[pid];
  }
  uint32_t MultipathId(const std::vector<uint32_t>& peers);
  /// The FIB next hops of a multipath set, sorted.
  std::vector<NextHop> HopsOf(uint32_t multipath) const;
  /// Marks `pid` in this round of `seen_`; false if it already was.
  bool FirstSight(uint32_t pid);
  uint64_t journal_end() const { return journal_base_ + journal_.size(); }
  void CompactJournal();
  /// `t` times RFC 4271 §10's jitter factor in [0.75, 1.0] when `enabled` (and t > 0).
  SimTime Jittered(SimTime t, bool enabled);
  SimTime MraiOf(const Peer& p) { return Jittered(Ebgp(p) ? config_.mrai_ebgp : config_.mrai_ibgp, config_.mrai_jitter); }
  uint64_t DampKey(size_t peer, uint32_t pid) const {
    const Prefix& p = in_->prefix(pid);
    return (uint64_t(peer) << 40) | (uint64_t(p.addr) << 8) | p.len;
  }

  SpeakerConfig config_;
  std::shared_ptr<RouteInterner> in_;
  uint64_t state_changes_ = 0;
  std::vector<Peer> peers_;
  std::vector<uint32_t> configured_;  // prefix ids of our own subnets, sorted
  std::vector<uint32_t> originated_;  // the configured ones whose interface is up, sorted
  std::vector<LocEntry> loc_rib_;     // by prefix id
  size_t loc_rib_count_ = 0;
  Interner<std::vector<uint32_t>> multipath_sets_;  // sorted peers; id 0 is the empty set
  std::map<std::pair<uint32_t, bool>, uint32_t> export_cache_;  // (best attr, to eBGP) -> exported attr
  std::vector<uint32_t> journal_;  // prefix ids whose Loc-RIB entry changed, oldest first
  uint64_t journal_base_ = 0;      // sequence number of journal_[0]
  std::vector<uint32_t> seen_;     // de-duplication stamps by prefix id
  uint32_t stamp_ = 0;
  RouteFlapDamping damping_;
  std::mt19937_64 rng_;  // jitter draws only; seeded from the config, never global
  std::function<size_t(size_t)> send_room_;  // see SetSendRoom; empty: unlimited
  SpeakerCounters counters_;
  bool loc_rib_dirty_ = true;
  std::vector<uint32_t> fib_changed_;
  std::vector<uint32_t> best_changed_;  // prefix ids whose best path changed since TakeBestPathChanges
  bool started_ = false;
  // Scratch space of Decide, kept to avoid an allocation per decision.
  struct Candidate {
    uint32_t peer;
    uint32_t aid;
    PathCandidate path;
  };
  std::vector<Candidate> cands_;
  std::vector<uint32_t> mp_scratch_;
  uint32_t last_multipath_ = 0;
};

}  // namespace planelab::bgp
