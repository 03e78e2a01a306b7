// A pure BGP-4 speaker: the RFC 4271 FSM per peer, Adj-RIB-In, Loc-RIB with the decision process
// and multipath, Adj-RIB-Out with MRAI, and route flap damping. Time and messages in, actions out.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "models/router/control/bgp/bgp_message.h"
#include "models/router/control/bgp/route_flap_damping.h"
#include "sim/util/units.h"

namespace planelab::bgp {

/// A configured neighbour on a directly connected link.
struct PeerConfig {
  uint32_t peer_addr = 0;
  uint32_t local_addr = 0;
  uint32_t ifindex = 0;
  uint32_t remote_as = 0;
  /// The side with the lower address opens the TCP connection; the other listens. This avoids
  /// connection collisions (RFC 4271 §6.8) by construction.
  bool active = true;
};

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
  DampingConfig damping;
};

/// RFC 4271 §8.2.2 states.
enum class SessionState { kIdle, kConnect, kActive, kOpenSent, kOpenConfirm, kEstablished };
const char* ToString(SessionState s);

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

  /// Loc-RIB as the FIB needs it: prefix -> next hops (empty for our own prefixes).
  std::map<Prefix, std::vector<NextHop>> ForwardingTable() const;
  /// FIB changes since the last call: prefix -> next hops, empty when the route is gone.
  std::map<Prefix, std::vector<NextHop>> TakeForwardingChanges();
  bool loc_rib_dirty() const { return loc_rib_dirty_; }

  SessionState state(size_t peer) const { return peers_.at(peer).state; }
  size_t peer_count() const { return peers_.size(); }
  const PeerConfig& peer_config(size_t peer) const { return peers_.at(peer).config; }
  size_t established() const;
  size_t loc_rib_size() const { return loc_rib_.size(); }
  size_t adj_rib_in_size() const;
  size_t suppressed() const { return damping_.suppressed_count(); }
  const SpeakerCounters& counters() const { return counters_; }
  /// Peer index for a remote address, or -1.
  int PeerFor(uint32_t addr) const;

 private:
  struct Route {
    PathAttributes attrs;
    size_t peer;  // index of the peer it was learned from
  };
  struct Peer {
    PeerConfig config;
    SessionState state = SessionState::kIdle;
    SimTime hold = 0;            // negotiated hold time
    SimTime hold_deadline = -1;  // -1: not running
    SimTime keepalive_at = -1;
    SimTime retry_at = -1;
    SimTime mrai_until = 0;
    std::map<Prefix, PathAttributes> adj_in;
    std::map<Prefix, PathAttributes> adj_out;  // what the peer has from us
    std::set<Prefix> pending;                   // prefixes whose advertisement to this peer may change
  };
  bool Ebgp(const Peer& p) const { return p.config.remote_as != config_.local_as; }
  void Send(size_t peer, const Message& m, std::vector<Action>* out);
  void SendNotification(size_t peer, uint8_t code, uint8_t subcode, std::vector<Action>* out);
  void Drop(SimTime now, size_t peer, std::vector<Action>* out, bool close);
  void Established(SimTime now, size_t peer, std::vector<Action>* out);
  void ProcessUpdate(SimTime now, size_t peer, const Update& u, std::vector<Action>* out);
  /// Re-runs the decision process for `prefixes` and queues changed advertisements.
  void Decide(SimTime now, const std::set<Prefix>& prefixes);
  /// The attributes to advertise to `peer` for `prefix`, or false if nothing should be sent.
  bool Export(size_t peer, const Prefix& prefix, PathAttributes* out) const;
  void Flush(SimTime now, size_t peer, bool force, std::vector<Action>* out);
  /// Sends what is due to every established peer: withdrawals at once, announcements when the MRAI allows.
  void FlushAll(SimTime now, std::vector<Action>* out);
  static uint64_t DampKey(size_t peer, const Prefix& p) {
    return (uint64_t(peer) << 40) | (uint64_t(p.addr) << 8) | p.len;
  }

  struct Best {
    PathAttributes attrs;           // of the single best path (advertised)
    size_t peer = SIZE_MAX;         // SIZE_MAX: originated locally
    std::vector<size_t> multipath;  // peers of the equal-cost set (FIB next hops)
  };

  SpeakerConfig config_;
  std::vector<Peer> peers_;
  std::set<Prefix> originated_;
  std::map<Prefix, Best> loc_rib_;
  RouteFlapDamping damping_;
  SpeakerCounters counters_;
  bool loc_rib_dirty_ = true;
  std::set<Prefix> fib_changed_;
  bool started_ = false;
};

}  // namespace planelab::bgp
