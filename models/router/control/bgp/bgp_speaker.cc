#include "models/router/control/bgp/bgp_speaker.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <stdexcept>

namespace planelab::bgp {

namespace {
// RFC 4271 §8.2.2: the hold timer runs with a large value (4 minutes suggested) until OPEN is received.
constexpr SimTime kOpenHoldTime = 240 * kSec;
constexpr size_t kMaxPrefixesPerUpdate = 400;  // keeps every UPDATE under 4096 bytes
}  // namespace

const char* ToString(SessionState s) {
  switch (s) {
    case SessionState::kIdle: return "Idle";
    case SessionState::kConnect: return "Connect";
    case SessionState::kActive: return "Active";
    case SessionState::kOpenSent: return "OpenSent";
    case SessionState::kOpenConfirm: return "OpenConfirm";
    case SessionState::kEstablished: return "Established";
  }
  return "?";
}

const char* ToString(FsmEvent e) {
  switch (e) {
    case FsmEvent::kManualStart: return "ManualStart";
    case FsmEvent::kPassiveStart: return "PassiveStart";
    case FsmEvent::kAdminReset: return "AdminReset";
    case FsmEvent::kConnectRetryTimerExpires: return "ConnectRetryTimer_Expires";
    case FsmEvent::kHoldTimerExpires: return "HoldTimer_Expires";
    case FsmEvent::kKeepaliveTimerExpires: return "KeepaliveTimer_Expires";
    case FsmEvent::kTcpConnectionUp: return "TcpConnectionConfirmed";
    case FsmEvent::kTcpConnectionFails: return "TcpConnectionFails";
    case FsmEvent::kBgpOpen: return "BGPOpen";
    case FsmEvent::kBgpHeaderErr: return "BGPHeaderErr";
    case FsmEvent::kBgpOpenMsgErr: return "BGPOpenMsgErr";
    case FsmEvent::kNotifMsg: return "NotifMsg";
    case FsmEvent::kKeepAliveMsg: return "KeepAliveMsg";
    case FsmEvent::kUpdateMsg: return "UpdateMsg";
    case FsmEvent::kUpdateMsgErr: return "UpdateMsgErr";
  }
  return "?";
}

const char* ToString(FsmAction a) {
  switch (a) {
    case FsmAction::kUndefined: return "undefined";
    case FsmAction::kNone: return "none";
    case FsmAction::kConnect: return "connect";
    case FsmAction::kReconnect: return "reconnect";
    case FsmAction::kRefuse: return "refuse";
    case FsmAction::kSendOpen: return "send-open";
    case FsmAction::kAcceptOpen: return "accept-open";
    case FsmAction::kEstablish: return "establish";
    case FsmAction::kRestartHold: return "restart-hold";
    case FsmAction::kProcessUpdate: return "process-update";
    case FsmAction::kSendKeepalive: return "send-keepalive";
    case FsmAction::kDrop: return "drop";
    case FsmAction::kClose: return "close";
    case FsmAction::kNotifyFsmError: return "notify-fsm-error";
    case FsmAction::kNotifyHoldExpired: return "notify-hold-expired";
    case FsmAction::kNotifyCease: return "notify-cease";
    case FsmAction::kNotifyError: return "notify-error";
  }
  return "?";
}

namespace {
using S = SessionState;
using A = FsmAction;
static_assert(static_cast<size_t>(S::kEstablished) + 1 == kSessionStates, "one table row per state");
static_assert(static_cast<size_t>(FsmEvent::kUpdateMsgErr) + 1 == kFsmEvents, "one table column per event");

// RFC 4271 §8.2.2, one row per state, one column per event (as FRR's FSM[][] in bgpd/bgp_fsm.c).
// Where this differs from §8.2.2, it is what PlaneLab did before the table and no shipped
// scenario reaches it: a message in Idle, Connect or Active (no OPEN was sent on it) gets
// NOTIFICATION Finite State Machine Error where §8.2.2 ignores it (Idle) or closes silently
// (Connect, Active); a ConnectRetryTimer expiry in Idle is the automatic restart of an active
// session (§8.1.1 AllowAutomaticStart, paced by ConnectRetryTime rather than an IdleHoldTimer).
// §8.2.2 has Established answer events 21-22 with Finite State Machine Error; §6.1 says every
// header error is a Message Header Error, which is what is sent (as FRR does).
constexpr FsmTransition kFsm[kSessionStates][kFsmEvents] = {
    // Idle
    {
        /* ManualStart */ {A::kConnect, S::kConnect},
        /* PassiveStart */ {A::kNone, S::kActive},
        /* AdminReset */ {A::kNone, S::kIdle},
        /* ConnectRetryTimer_Expires */ {A::kConnect, S::kConnect},
        /* HoldTimer_Expires */ {A::kNone, S::kIdle},
        /* KeepaliveTimer_Expires */ {A::kNone, S::kIdle},
        /* TcpConnectionConfirmed */ {A::kRefuse, S::kIdle},
        /* TcpConnectionFails */ {A::kDrop, S::kIdle},
        /* BGPOpen */ {A::kNotifyFsmError, S::kIdle},
        /* BGPHeaderErr */ {A::kNotifyFsmError, S::kIdle},
        /* BGPOpenMsgErr */ {A::kNotifyFsmError, S::kIdle},
        /* NotifMsg */ {A::kClose, S::kIdle},
        /* KeepAliveMsg */ {A::kNotifyFsmError, S::kIdle},
        /* UpdateMsg */ {A::kNotifyFsmError, S::kIdle},
        /* UpdateMsgErr */ {A::kNotifyFsmError, S::kIdle},
    },
    // Connect: the active side's TCP connection is being opened.
    {
        /* ManualStart */ {A::kNone, S::kConnect},
        /* PassiveStart */ {A::kNone, S::kConnect},
        /* AdminReset */ {A::kNone, S::kConnect},
        /* ConnectRetryTimer_Expires */ {A::kReconnect, S::kConnect},
        /* HoldTimer_Expires */ {A::kNone, S::kConnect},
        /* KeepaliveTimer_Expires */ {A::kNone, S::kConnect},
        /* TcpConnectionConfirmed */ {A::kSendOpen, S::kOpenSent},
        /* TcpConnectionFails */ {A::kDrop, S::kIdle},
        /* BGPOpen */ {A::kNotifyFsmError, S::kIdle},
        /* BGPHeaderErr */ {A::kNotifyFsmError, S::kIdle},
        /* BGPOpenMsgErr */ {A::kNotifyFsmError, S::kIdle},
        /* NotifMsg */ {A::kClose, S::kIdle},
        /* KeepAliveMsg */ {A::kNotifyFsmError, S::kIdle},
        /* UpdateMsg */ {A::kNotifyFsmError, S::kIdle},
        /* UpdateMsgErr */ {A::kNotifyFsmError, S::kIdle},
    },
    // Active: the passive side listens for the neighbour's connection.
    {
        /* ManualStart */ {A::kNone, S::kActive},
        /* PassiveStart */ {A::kNone, S::kActive},
        /* AdminReset */ {A::kNone, S::kActive},
        /* ConnectRetryTimer_Expires */ {A::kNone, S::kActive},
        /* HoldTimer_Expires */ {A::kNone, S::kActive},
        /* KeepaliveTimer_Expires */ {A::kNone, S::kActive},
        /* TcpConnectionConfirmed */ {A::kSendOpen, S::kOpenSent},
        /* TcpConnectionFails */ {A::kDrop, S::kIdle},
        /* BGPOpen */ {A::kNotifyFsmError, S::kIdle},
        /* BGPHeaderErr */ {A::kNotifyFsmError, S::kIdle},
        /* BGPOpenMsgErr */ {A::kNotifyFsmError, S::kIdle},
        /* NotifMsg */ {A::kClose, S::kIdle},
        /* KeepAliveMsg */ {A::kNotifyFsmError, S::kIdle},
        /* UpdateMsg */ {A::kNotifyFsmError, S::kIdle},
        /* UpdateMsgErr */ {A::kNotifyFsmError, S::kIdle},
    },
    // OpenSent: our OPEN is out, the neighbour's is awaited.
    {
        /* ManualStart */ {A::kNone, S::kOpenSent},
        /* PassiveStart */ {A::kNone, S::kOpenSent},
        /* AdminReset */ {A::kNotifyCease, S::kIdle},
        /* ConnectRetryTimer_Expires */ {A::kNone, S::kOpenSent},
        /* HoldTimer_Expires */ {A::kNotifyHoldExpired, S::kIdle},
        /* KeepaliveTimer_Expires */ {A::kNone, S::kOpenSent},
        /* TcpConnectionConfirmed */ {A::kRefuse, S::kOpenSent},
        /* TcpConnectionFails */ {A::kDrop, S::kIdle},
        /* BGPOpen */ {A::kAcceptOpen, S::kOpenConfirm},
        /* BGPHeaderErr */ {A::kNotifyError, S::kIdle},
        /* BGPOpenMsgErr */ {A::kNotifyError, S::kIdle},
        /* NotifMsg */ {A::kClose, S::kIdle},
        /* KeepAliveMsg */ {A::kNotifyFsmError, S::kIdle},
        /* UpdateMsg */ {A::kNotifyFsmError, S::kIdle},
        /* UpdateMsgErr */ {A::kNotifyFsmError, S::kIdle},
    },
    // OpenConfirm: OPENs exchanged, the neighbour's KEEPALIVE is awaited.
    {
        /* ManualStart */ {A::kNone, S::kOpenConfirm},
        /* PassiveStart */ {A::kNone, S::kOpenConfirm},
        /* AdminReset */ {A::kNotifyCease, S::kIdle},
        /* ConnectRetryTimer_Expires */ {A::kNone, S::kOpenConfirm},
        /* HoldTimer_Expires */ {A::kNotifyHoldExpired, S::kIdle},
        /* KeepaliveTimer_Expires */ {A::kSendKeepalive, S::kOpenConfirm},
        /* TcpConnectionConfirmed */ {A::kRefuse, S::kOpenConfirm},
        /* TcpConnectionFails */ {A::kDrop, S::kIdle},
        // A second OPEN on the connection: no collision is possible (one side connects, see
        // PeerConfig::active), so it is an error.
        /* BGPOpen */ {A::kNotifyFsmError, S::kIdle},
        /* BGPHeaderErr */ {A::kNotifyError, S::kIdle},
        /* BGPOpenMsgErr */ {A::kNotifyError, S::kIdle},
        /* NotifMsg */ {A::kClose, S::kIdle},
        /* KeepAliveMsg */ {A::kEstablish, S::kEstablished},
        /* UpdateMsg */ {A::kNotifyFsmError, S::kIdle},
        /* UpdateMsgErr */ {A::kNotifyFsmError, S::kIdle},
    },
    // Established
    {
        /* ManualStart */ {A::kNone, S::kEstablished},
        /* PassiveStart */ {A::kNone, S::kEstablished},
        /* AdminReset */ {A::kNotifyCease, S::kIdle},
        /* ConnectRetryTimer_Expires */ {A::kNone, S::kEstablished},
        /* HoldTimer_Expires */ {A::kNotifyHoldExpired, S::kIdle},
        /* KeepaliveTimer_Expires */ {A::kSendKeepalive, S::kEstablished},
        /* TcpConnectionConfirmed */ {A::kRefuse, S::kEstablished},
        /* TcpConnectionFails */ {A::kDrop, S::kIdle},
        /* BGPOpen */ {A::kNotifyFsmError, S::kIdle},
        /* BGPHeaderErr */ {A::kNotifyError, S::kIdle},
        /* BGPOpenMsgErr */ {A::kNotifyFsmError, S::kIdle},
        /* NotifMsg */ {A::kClose, S::kIdle},
        /* KeepAliveMsg */ {A::kRestartHold, S::kEstablished},
        /* UpdateMsg */ {A::kProcessUpdate, S::kEstablished},
        /* UpdateMsgErr */ {A::kNotifyError, S::kIdle},
    },
};
}  // namespace

const FsmTransition& FsmLookup(SessionState state, FsmEvent event) {
  return kFsm[static_cast<size_t>(state)][static_cast<size_t>(event)];
}

const char* ToString(DecisionReason r) {
  switch (r) {
    case DecisionReason::kNoPath: return "no-path";
    case DecisionReason::kLocal: return "local";
    case DecisionReason::kOnlyPath: return "only-path";
    case DecisionReason::kLocalPref: return "local-pref";
    case DecisionReason::kAsPathLength: return "as-path-length";
    case DecisionReason::kOrigin: return "origin";
    case DecisionReason::kMed: return "med";
    case DecisionReason::kEbgpOverIbgp: return "ebgp-over-ibgp";
    case DecisionReason::kRouterId: return "router-id";
    case DecisionReason::kPeerAddress: return "peer-address";
  }
  return "?";
}

Comparison ComparePaths(const PathCandidate& a, const PathCandidate& b, const DecisionConfig& config) {
  using R = DecisionReason;
  auto decided = [](bool a_wins, R reason) {
    return Comparison{a_wins ? Comparison::Winner::kA : Comparison::Winner::kB, false, reason};
  };
  // RFC 4271 §9.1.1: the degree of preference - LOCAL_PREF as received from an iBGP peer, the
  // configured default for an eBGP route (this model has no import policy) - higher wins. The
  // tie-breaks of §9.1.2.2 only ever see routes of the highest degree.
  if (a.local_pref != b.local_pref) return decided(a.local_pref > b.local_pref, R::kLocalPref);
  // §9.1.2.2 a: fewer ASes in the AS_PATH (an AS_SET would count as one; none are made here).
  if (a.as_path_length != b.as_path_length) return decided(a.as_path_length < b.as_path_length, R::kAsPathLength);
  // b: lower ORIGIN (IGP < EGP < INCOMPLETE).
  if (a.origin != b.origin) return decided(a.origin < b.origin, R::kOrigin);
  // c: lower MULTI_EXIT_DISC, only between routes from the same neighbouring AS unless configured
  // otherwise; a missing MED counts as the lowest value. The RFC removes routes from the whole
  // set; compared pairwise (as FRR does without `deterministic-med`) MED is not transitive across
  // neighbouring ASes, so with MEDs from several ASes the outcome can depend on candidate order.
  if ((config.always_compare_med || a.neighbour_as == b.neighbour_as) && a.med != b.med) {
    return decided(a.med < b.med, R::kMed);
  }
  // d: a route received via eBGP over one received via iBGP.
  if (a.ebgp != b.ebgp) return decided(a.ebgp, R::kEbgpOverIbgp);
  // e: lower interior cost to the NEXT_HOP. Not modelled: every session runs on a directly
  // connected link with next-hop-self, so every candidate's next hop costs the same.
  //
  // Equal through a-e: both go into the multipath set. That is FRR's `bgp bestpath as-path
  // multipath-relax` (paths_eq in bgp_path_info_cmp once the IGP metric step passed): the AS_PATH
  // length must match, its content need not (RFC 7938 §6.3 relies on this for fabrics whose
  // leaves have their own ASNs). Without the relaxation FRR also requires the same neighbouring
  // AS; PlaneLab has only the relaxed rule. MED is part of the equality (two routes from one
  // neighbouring AS with different MEDs are not equal-cost), as in FRR.
  //
  // f: the lower BGP Identifier of the advertising speaker - from the OPEN of the session the
  // route came over (no route reflection here, so no ORIGINATOR_ID). Before this step existed
  // PlaneLab went from d straight to g, so equal routes were told apart by peer address alone.
  // FRR inserts "prefer the oldest eBGP route" before f unless `bgp bestpath compare-routerid`;
  // that is not RFC 4271 and is not modelled.
  if (a.bgp_id != b.bgp_id) {
    return {a.bgp_id < b.bgp_id ? Comparison::Winner::kA : Comparison::Winner::kB, true, R::kRouterId};
  }
  // g: the lower peer address; it separates two sessions with one neighbour (same identifier).
  return {b.peer_addr < a.peer_addr ? Comparison::Winner::kB : Comparison::Winner::kA, true, R::kPeerAddress};
}

std::vector<std::string> SpeakerConfig::Validate() const {
  std::vector<std::string> problems;
  auto add = [&](std::string s) { problems.push_back(std::move(s)); };
  if (local_as == 0) add("local_as must not be 0 (RFC 7607)");
  if (router_id == 0) add("router_id, the BGP Identifier, must not be 0 (RFC 6286 §2.2)");
  // RFC 4271 §4.2: Hold Time is 0 or at least three seconds, in a two-octet field of seconds.
  if (hold_time != 0 && hold_time < 3 * kSec) add("hold_time must be 0 or at least 3s (RFC 4271 §4.2)");
  if (hold_time > 65535 * kSec) add("hold_time must be at most 65535s: OPEN carries it in two octets (RFC 4271 §4.2)");
  if (hold_time % kSec != 0) add("hold_time must be whole seconds: OPEN carries seconds (RFC 4271 §4.2)");
  // With a hold time of 0 no KEEPALIVEs are sent (RFC 4271 §4.4): the keepalive is then unused.
  if (hold_time > 0 && (keepalive <= 0 || keepalive >= hold_time)) {
    add("keepalive must be above 0 and below hold_time (RFC 4271 §4.4 suggests a third of it)");
  }
  if (connect_retry <= 0) add("connect_retry must be above 0");
  if (mrai_ebgp < 0) add("mrai_ebgp must not be negative");
  if (mrai_ibgp < 0) add("mrai_ibgp must not be negative");
  if (write_quantum == 0) add("write_quantum must be above 0: no UPDATE could be sent");
  // RFC 2439 §4.2 and §4.3.
  const DampingConfig& d = damping;
  if (d.half_life <= 0) add("damping half_life must be above 0");
  if (d.max_suppress <= 0) add("damping max_suppress must be above 0");
  if (d.withdraw_penalty <= 0) add("damping withdraw_penalty must be above 0");
  if (d.attribute_penalty < 0) add("damping attribute_penalty must not be negative");
  if (d.reuse_threshold <= 0) add("damping reuse_threshold must be above 0");
  if (d.reuse_threshold >= d.suppress_threshold) add("damping reuse_threshold must be below suppress_threshold");
  if (d.half_life > 0 && d.reuse_threshold > 0 && d.reuse_threshold < d.suppress_threshold) {
    // The penalty is capped at reuse * 2^(max_suppress / half_life) so that no route stays
    // suppressed longer than max_suppress; a suppress threshold at or above the cap is never passed.
    double ceiling = d.reuse_threshold * std::exp2(static_cast<double>(d.max_suppress) / static_cast<double>(d.half_life));
    if (d.suppress_threshold >= ceiling) {
      add("damping suppress_threshold must be below the maximum penalty reuse_threshold * 2^(max_suppress / "
          "half_life) = " + std::to_string(ceiling) + " (RFC 2439 §4.3), or no route is ever suppressed");
    }
  }
  return problems;
}

namespace {
/// `c`, or std::invalid_argument naming its problems: the speaker refuses what it cannot use as given.
const SpeakerConfig& Validated(const SpeakerConfig& c) {
  std::vector<std::string> problems = c.Validate();
  if (problems.empty()) return c;
  std::string text = "invalid BGP speaker configuration:";
  for (const auto& p : problems) text += " " + p + ";";
  text.pop_back();
  throw std::invalid_argument(text);
}
}  // namespace

BgpSpeaker::BgpSpeaker(SpeakerConfig config, std::vector<PeerConfig> peers, std::vector<Prefix> originated)
    : config_(Validated(config)),
      in_(config.interner ? config.interner : std::make_shared<RouteInterner>()), damping_(config.damping),
      rng_(config.seed) {
  config_.interner.reset();
  for (auto& p : peers) peers_.push_back(Peer{p});
  for (auto& p : originated) originated_.push_back(in_->PrefixId(p));
  std::sort(originated_.begin(), originated_.end());
  originated_.erase(std::unique(originated_.begin(), originated_.end()), originated_.end());
  configured_ = originated_;
  multipath_sets_.Id({});
}

bool BgpSpeaker::originating(const Prefix& prefix) const {
  uint32_t pid = in_->FindPrefix(prefix);
  return pid != UINT32_MAX && std::binary_search(originated_.begin(), originated_.end(), pid);
}

bool BgpSpeaker::SetOriginUp(SimTime now, const Prefix& prefix, bool up, std::vector<Action>* out) {
  uint32_t pid = in_->FindPrefix(prefix);
  if (pid == UINT32_MAX || !std::binary_search(configured_.begin(), configured_.end(), pid)) return false;
  auto it = std::lower_bound(originated_.begin(), originated_.end(), pid);
  bool is_up = it != originated_.end() && *it == pid;
  if (is_up == up) return false;
  if (up) originated_.insert(it, pid);
  else originated_.erase(it);
  if (!started_) return true;  // Start() decides every prefix we originate
  // The decision process runs again. Without the local route only what peers offer is left, and
  // no peer offers our own prefix back (its AS_PATH holds our AS): the route goes and is withdrawn.
  Decide(now, pid);
  if (!config_.defer_flush) FlushAll(now, out);
  return true;
}

SimTime BgpSpeaker::Jittered(SimTime t, bool enabled) {
  if (!enabled || t <= 0) return t;
  // RFC 4271 §10: a factor uniformly distributed in [0.75, 1.0], drawn each time the timer starts.
  // 53 random bits make the fraction (as std::generate_canonical would, but the same on every
  // standard library: same seed, same run).
  double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;  // [0, 1)
  return static_cast<SimTime>(static_cast<double>(t) * (1.0 - 0.25 * u));
}

int BgpSpeaker::PeerFor(uint32_t addr) const {
  for (size_t i = 0; i < peers_.size(); ++i) {
    if (peers_[i].config.peer_addr == addr) return static_cast<int>(i);
  }
  return -1;
}

size_t BgpSpeaker::established() const {
  size_t n = 0;
  for (const auto& p : peers_) n += p.state == SessionState::kEstablished ? 1 : 0;
  return n;
}

size_t BgpSpeaker::adj_rib_in_size() const {
  size_t n = 0;
  for (const auto& p : peers_) n += p.adj_in.count();
  return n;
}

std::vector<uint8_t>& BgpSpeaker::OutputTo(size_t peer, std::vector<Action>* out) {
  if (out->empty() || out->back().kind != Action::Kind::kSend || out->back().peer != peer) {
    out->push_back({Action::Kind::kSend, peer, {}});
  }
  return out->back().bytes;
}

void BgpSpeaker::Send(size_t peer, const Message& m, std::vector<Action>* out) {
  EncodeTo(m, &OutputTo(peer, out));
}

void BgpSpeaker::SendNotification(size_t peer, const Notification& n, std::vector<Action>* out) {
  Message m;
  m.type = MessageType::kNotification;
  m.notification = n;
  Send(peer, m, out);
}

uint32_t BgpSpeaker::MultipathId(const std::vector<uint32_t>& peers) {
  // Consecutive decisions mostly pick the same set (a fabric's uplinks): check it first.
  if (multipath_sets_[last_multipath_] == peers) return last_multipath_;
  last_multipath_ = multipath_sets_.Id(peers);
  return last_multipath_;
}

std::vector<NextHop> BgpSpeaker::HopsOf(uint32_t multipath) const {
  std::vector<NextHop> hops;
  for (uint32_t i : multipath_sets_[multipath]) hops.push_back({peers_[i].config.peer_addr, peers_[i].config.ifindex});
  std::sort(hops.begin(), hops.end());
  return hops;
}

bool BgpSpeaker::FirstSight(uint32_t pid) {
  if (pid >= seen_.size()) seen_.resize(std::max<size_t>(pid + 1, in_->prefix_count()), 0);
  if (seen_[pid] == stamp_) return false;
  seen_[pid] = stamp_;
  return true;
}

void BgpSpeaker::Start(SimTime now, std::vector<Action>* out) {
  started_ = true;
  for (uint32_t pid : originated_) Decide(now, pid);
  for (size_t i = 0; i < peers_.size(); ++i) {
    // The active side connects; the passive one listens for the neighbour's connection.
    Dispatch(now, i, peers_[i].config.active ? FsmEvent::kManualStart : FsmEvent::kPassiveStart, out);
  }
}

void BgpSpeaker::Crash() {
  for (auto& p : peers_) {
    PeerConfig c = p.config;
    p = Peer{c};
  }
  ++state_changes_;
  for (uint32_t pid = 0; pid < loc_rib_.size(); ++pid) {
    LocEntry& e = loc_rib_[pid];
    uint32_t in_fib = e.in_fib;
    e = LocEntry{};
    e.in_fib = in_fib;
    if (in_fib) fib_changed_.push_back(pid);
  }
  loc_rib_count_ = 0;
  journal_.clear();
  journal_base_ = 0;
  best_changed_.clear();  // nothing was decided: the daemon is gone
  damping_ = RouteFlapDamping(config_.damping);
  loc_rib_dirty_ = true;
  started_ = false;
}

void BgpSpeaker::OnTcpUp(SimTime now, size_t peer, std::vector<Action>* out) {
  Dispatch(now, peer, FsmEvent::kTcpConnectionUp, out);
}

void BgpSpeaker::OnTcpDown(SimTime now, size_t peer, std::vector<Action>* out) {
  Dispatch(now, peer, FsmEvent::kTcpConnectionFails, out);
}

void BgpSpeaker::ResetSession(SimTime now, size_t peer, std::vector<Action>* out) {
  Dispatch(now, peer, FsmEvent::kAdminReset, out);
}

void BgpSpeaker::Dispatch(SimTime now, size_t peer, FsmEvent event, std::vector<Action>* out, const Message* m,
                          const Notification* n) {
  Peer& p = peers_.at(peer);
  const SessionState from = p.state;
  const FsmTransition& t = FsmLookup(from, event);
  // The state changes first: what the action sends and decides already sees the new state.
  if (t.next != from) SetState(p, t.next);
  switch (t.action) {
    case FsmAction::kUndefined:
    case FsmAction::kNone:
      return;
    case FsmAction::kConnect:
      p.retry_at = now + Jittered(config_.connect_retry, config_.timer_jitter);
      out->push_back({Action::Kind::kConnect, peer, {}});
      return;
    case FsmAction::kReconnect:
      // RFC 4271 §8.2.2: the ConnectRetryTimer expired in Connect: the pending TCP attempt is
      // dropped and a new one started.
      out->push_back({Action::Kind::kClose, peer, {}});
      p.retry_at = now + Jittered(config_.connect_retry, config_.timer_jitter);
      out->push_back({Action::Kind::kConnect, peer, {}});
      return;
    case FsmAction::kRefuse:
      out->push_back({Action::Kind::kClose, peer, {}});
      return;
    case FsmAction::kSendOpen: {
      p.retry_at = -1;
      Message o;
      o.type = MessageType::kOpen;
      o.open.my_as = config_.local_as;
      o.open.hold_time = static_cast<uint16_t>(config_.hold_time / kSec);
      o.open.bgp_id = config_.router_id;
      Send(peer, o, out);
      p.hold_deadline = now + kOpenHoldTime;
      return;
    }
    case FsmAction::kAcceptOpen: {
      p.bgp_id = m->open.bgp_id;
      p.hold = std::min(config_.hold_time, static_cast<SimTime>(m->open.hold_time) * kSec);
      Message ka;
      ka.type = MessageType::kKeepalive;
      Send(peer, ka, out);
      p.hold_deadline = p.hold > 0 ? now + p.hold : -1;
      p.keepalive_at = p.hold > 0 ? now + Jittered(std::min(config_.keepalive, p.hold / 3), config_.timer_jitter) : -1;
      return;
    }
    case FsmAction::kEstablish:
      Established(now, peer, out);
      return;
    case FsmAction::kRestartHold:
      if (p.hold > 0) p.hold_deadline = now + p.hold;
      return;
    case FsmAction::kProcessUpdate:
      if (p.hold > 0) p.hold_deadline = now + p.hold;
      ProcessUpdate(now, peer, m->update, out);
      return;
    case FsmAction::kSendKeepalive: {
      Message ka;
      ka.type = MessageType::kKeepalive;
      Send(peer, ka, out);
      p.keepalive_at = now + Jittered(std::min(config_.keepalive, p.hold / 3), config_.timer_jitter);
      return;
    }
    case FsmAction::kDrop:
      Release(now, peer, from, out, false);
      return;
    case FsmAction::kClose:
      Release(now, peer, from, out, true);
      return;
    case FsmAction::kNotifyFsmError:
      SendNotification(peer, {err::kFsm, 0, {}}, out);
      Release(now, peer, from, out, true);
      return;
    case FsmAction::kNotifyHoldExpired:
      SendNotification(peer, {err::kHoldTimerExpired, 0, {}}, out);
      Release(now, peer, from, out, true);
      return;
    case FsmAction::kNotifyCease:
      SendNotification(peer, {err::kCease, err::kAdministrativeReset, {}}, out);
      Release(now, peer, from, out, true);
      return;
    case FsmAction::kNotifyError:
      SendNotification(peer, *n, out);
      Release(now, peer, from, out, true);
      return;
  }
}

void BgpSpeaker::Release(SimTime now, size_t peer, SessionState from, std::vector<Action>* out, bool close) {
  Peer& p = peers_.at(peer);
  if (from == SessionState::kEstablished) ++counters_.session_drops;
  if (close) out->push_back({Action::Kind::kClose, peer, {}});
  std::vector<uint32_t> changed;
  changed.reserve(p.adj_in.count());
  bool ebgp = Ebgp(p);
  p.adj_in.ForEach([&](uint32_t pid, uint32_t) {
    changed.push_back(pid);
    // Losing the session withdraws every route it carried: each is a flap for damping.
    if (ebgp) damping_.Penalize(DampKey(peer, pid), now, true);
  });
  p.adj_in.Clear();
  p.adj_out.Clear();
  p.held.clear();
  p.full_scan = UINT32_MAX;
  p.blocked = false;
  p.hold_deadline = p.keepalive_at = -1;
  p.mrai_until = 0;
  p.bgp_id = 0;
  // The table left the session in Idle. The active side tries again when ConnectRetryTime has
  // passed; the passive side listens again at once.
  if (p.config.active) {
    p.retry_at = now + Jittered(config_.connect_retry, config_.timer_jitter);
  } else {
    Dispatch(now, peer, FsmEvent::kPassiveStart, out);
  }
  for (uint32_t pid : changed) Decide(now, pid);
  if (!config_.defer_flush) FlushAll(now, out);
}

bool BgpSpeaker::has_pending() const {
  for (const auto& p : peers_) {
    if (p.HasWork(journal_end())) return true;
  }
  return false;
}

void BgpSpeaker::FlushAll(SimTime now, std::vector<Action>* out) {
  for (size_t i = 0; i < peers_.size(); ++i) {
    if (peers_[i].HasWork(journal_end())) Flush(now, i, false, out);
  }
  CompactJournal();
}

void BgpSpeaker::FlushPeer(SimTime now, size_t peer, std::vector<Action>* out) {
  if (peers_.at(peer).HasWork(journal_end())) Flush(now, peer, false, out);
}

void BgpSpeaker::CompactJournal() {
  // Entries every established peer has considered are dropped; peers that are not established
  // start from the whole Loc-RIB when they come up, so they hold nothing back.
  uint64_t low = journal_end();
  for (const auto& p : peers_) {
    if (p.state == SessionState::kEstablished) low = std::min(low, p.cursor);
  }
  size_t drop = static_cast<size_t>(low - journal_base_);
  if (drop == 0 || (drop < journal_.size() && drop < 4096)) return;
  journal_.erase(journal_.begin(), journal_.begin() + static_cast<long>(drop));
  journal_base_ = low;
}

void BgpSpeaker::OnMessage(SimTime now, size_t peer, const Message& m, std::vector<Action>* out) {
  const Peer& p = peers_.at(peer);
  if (!started_) return;
  switch (m.type) {
    case MessageType::kNotification:
      Dispatch(now, peer, FsmEvent::kNotifMsg, out, &m);
      return;
    case MessageType::kOpen: {
      // RFC 4271 §6.2's checks that need the session (the decoder made the others): an OPEN
      // that fails one is event 22, not 19.
      Notification bad{err::kOpenMessage, 0, {}};
      SimTime theirs = static_cast<SimTime>(m.open.hold_time) * kSec;
      if (m.open.my_as != p.config.remote_as) {
        bad.subcode = err::kBadPeerAs;
      } else if (theirs != 0 && theirs < 3 * kSec) {
        bad.subcode = err::kUnacceptableHoldTime;
      } else {
        Dispatch(now, peer, FsmEvent::kBgpOpen, out, &m);
        return;
      }
      Dispatch(now, peer, FsmEvent::kBgpOpenMsgErr, out, &m, &bad);
      return;
    }
    case MessageType::kKeepalive:
      Dispatch(now, peer, FsmEvent::kKeepAliveMsg, out, &m);
      return;
    case MessageType::kUpdate:
      Dispatch(now, peer, FsmEvent::kUpdateMsg, out, &m);
      return;
  }
}

void BgpSpeaker::OnDecodeError(SimTime now, size_t peer, const DecodeError& e, std::vector<Action>* out) {
  if (!started_) return;
  FsmEvent event = FsmEvent::kBgpHeaderErr;
  if (!e.send) {
    event = FsmEvent::kNotifMsg;  // §6.4: a malformed NOTIFICATION ends the session unanswered
  } else if (e.notification.code == err::kOpenMessage) {
    event = FsmEvent::kBgpOpenMsgErr;
  } else if (e.notification.code == err::kUpdateMessage) {
    event = FsmEvent::kUpdateMsgErr;
  }
  Dispatch(now, peer, event, out, nullptr, &e.notification);
}

void BgpSpeaker::Established(SimTime now, size_t peer, std::vector<Action>* out) {
  Peer& p = peers_.at(peer);
  if (p.hold > 0) p.hold_deadline = now + p.hold;
  p.cursor = journal_end();
  p.held.clear();
  p.full_scan = 0;
  if (!p.blocked) Flush(now, peer, true, out);
}

void BgpSpeaker::ProcessUpdate(SimTime now, size_t peer, const Update& u, std::vector<Action>* out) {
  Peer& p = peers_.at(peer);
  ++counters_.updates_received;
  bool ebgp = Ebgp(p);
  for (const auto& w : u.withdrawn) {
    ++counters_.withdrawals_received;
    uint32_t pid = in_->FindPrefix(w);
    if (pid == UINT32_MAX || !p.adj_in.Get(pid)) continue;
    p.adj_in.Set(pid, 0);
    if (ebgp) damping_.Penalize(DampKey(peer, pid), now, true);
    Decide(now, pid);
  }
  if (!u.nlri.empty()) {
    // RFC 4271 §9.1.2: a route whose AS_PATH holds our own AS is a loop and is not used.
    bool loop = std::find(u.attrs.as_path.begin(), u.attrs.as_path.end(), config_.local_as) != u.attrs.as_path.end();
    // NEXT_HOP is not kept: every session runs on a directly connected link with next-hop-self,
    // so the next hop is the peer's address, which the FIB takes from the peer.
    uint32_t aid = loop ? 0 : in_->AttrId(u.attrs) + 1;
    for (const auto& n : u.nlri) {
      uint32_t pid = in_->PrefixId(n);
      uint32_t cur = p.adj_in.Get(pid);
      if (cur == aid) continue;  // duplicate (or a loop we never stored): nothing changes
      if (cur && aid && ebgp) damping_.Penalize(DampKey(peer, pid), now, false);
      p.adj_in.Set(pid, aid);
      Decide(now, pid);
    }
  }
  if (!config_.defer_flush) FlushAll(now, out);
}

void BgpSpeaker::Decide(SimTime now, uint32_t pid) {
  LocEntry next;
  DecisionReason reason = DecisionReason::kNoPath;
  if (std::binary_search(originated_.begin(), originated_.end(), pid)) {
    PathAttributes own;
    own.origin = Origin::kIgp;
    next.attr = in_->AttrId(own) + 1;
    next.best = kLocal;
    reason = DecisionReason::kLocal;
  } else {
    // Candidates: routes of established sessions that damping does not suppress.
    std::vector<Candidate>& cands = cands_;
    cands.clear();
    for (uint32_t i = 0; i < peers_.size(); ++i) {
      const Peer& p = peers_[i];
      if (p.state != SessionState::kEstablished) continue;
      uint32_t a = p.adj_in.Get(pid);
      if (!a) continue;
      if (damping_.Suppressed(DampKey(i, pid), now)) continue;
      const PathAttributes& attrs = in_->attrs(a - 1);
      Candidate c{i, a, {}};
      c.path.ebgp = Ebgp(p);
      c.path.local_pref = c.path.ebgp ? config_.default_local_pref : attrs.local_pref.value_or(config_.default_local_pref);
      c.path.as_path_length = static_cast<uint32_t>(attrs.as_path.size());
      c.path.origin = attrs.origin;
      c.path.neighbour_as = attrs.as_path.empty() ? config_.local_as : attrs.as_path[0];
      c.path.med = attrs.med.value_or(0);
      c.path.bgp_id = p.bgp_id;
      c.path.peer_addr = p.config.peer_addr;
      cands.push_back(c);
    }
    if (!cands.empty()) {
      // The best candidate: each one in turn against the best so far (RFC 4271 §9.1.2.2 removes
      // routes from the whole set; the same when the comparison orders them, see ComparePaths).
      const Candidate* b = &cands[0];
      for (const auto& c : cands) {
        if (&c != b && ComparePaths(b->path, c.path, config_.decision).winner == Comparison::Winner::kB) b = &c;
      }
      next.attr = b->aid;
      next.best = b->peer;
      // The multipath set, and why the best is the best: the latest step that set it apart from
      // another candidate (with two equal paths, the BGP Identifier; with one, nothing).
      reason = DecisionReason::kOnlyPath;
      std::vector<uint32_t>& mp = mp_scratch_;
      mp.clear();
      for (const auto& c : cands) {
        if (&c == b) {
          mp.push_back(c.peer);
          continue;
        }
        Comparison cmp = ComparePaths(b->path, c.path, config_.decision);
        reason = std::max(reason, cmp.reason);
        if (config_.multipath && cmp.multipath_equal) mp.push_back(c.peer);
      }
      next.multipath = MultipathId(mp);  // candidates are in peer order: already sorted
    }
  }
  LocEntry& cur = Loc(pid);
  // The reason follows every decision, also one that keeps the best path (another candidate came
  // or went): it is reported as of when the changes are taken.
  cur.reason = next.reason = reason;
  if (cur.attr == next.attr && cur.best == next.best && cur.multipath == next.multipath) return;
  if (cur.attr != next.attr || cur.best != next.best) best_changed_.push_back(pid);
  loc_rib_count_ += (next.attr != 0) - (cur.attr != 0);
  next.in_fib = cur.in_fib;
  cur = next;
  loc_rib_dirty_ = true;
  fib_changed_.push_back(pid);
  ++counters_.loc_rib_changes;
  journal_.push_back(pid);
}

uint32_t BgpSpeaker::Export(size_t peer, uint32_t pid) {
  if (pid >= loc_rib_.size()) return kNone;
  const LocEntry& best = loc_rib_[pid];
  if (!best.attr) return kNone;
  const Peer& q = peers_[peer];
  bool to_ebgp = Ebgp(q);
  // Never back to where it came from - except, without sender-side loop detection, to an eBGP
  // peer: its own AS is then in the path and it discards the route as a loop (RFC 4271 §9.1.2).
  if (best.best == peer && (config_.sender_side_loop_detection || !to_ebgp)) return kNone;
  bool from_ibgp = best.best != kLocal && !Ebgp(peers_[best.best]);
  if (from_ibgp && !to_ebgp) return kNone;  // iBGP routes are not re-advertised to iBGP peers (RFC 4271 §9.1.3)
  if (to_ebgp && config_.sender_side_loop_detection) {
    // Sender-side loop detection (RFC 4271 leaves it to the implementation; see SpeakerConfig): a
    // path through the peer's AS would be dropped by it anyway. Checked before the exported path
    // is built: a leaf would otherwise build (and store) a path towards the spines for every
    // prefix of the fabric.
    const auto& path = in_->attrs(best.attr - 1).as_path;
    if (q.config.remote_as == config_.local_as ||
        std::find(path.begin(), path.end(), q.config.remote_as) != path.end()) {
      return kNone;
    }
  }
  auto [it, inserted] = export_cache_.emplace(std::make_pair(best.attr, to_ebgp), 0);
  if (inserted) {
    PathAttributes a = in_->attrs(best.attr - 1);
    if (to_ebgp) {
      a.as_path.insert(a.as_path.begin(), config_.local_as);
      a.local_pref.reset();
      a.med.reset();  // MED is not passed on to other ASes (RFC 4271 §5.1.4)
    } else {
      a.local_pref = a.local_pref.value_or(config_.default_local_pref);
    }
    it->second = in_->AttrId(a);
  }
  return it->second;
}

void BgpSpeaker::Flush(SimTime now, size_t peer, bool force, std::vector<Action>* out) {
  Peer& p = peers_.at(peer);
  if (p.state != SessionState::kEstablished) return;
  // The initial table dump is not paced by the MRAI, only by the socket.
  bool mrai_open = force || p.full_scan != UINT32_MAX || now >= p.mrai_until;
  std::vector<uint32_t> withdraw;
  std::vector<std::pair<uint32_t, uint32_t>> announce;  // (exported attributes, prefix id)
  std::vector<uint32_t> held;
  // Roughly what the UPDATEs will take: one per prefix with its attributes, as in a fabric.
  size_t budget = 0;
  ++stamp_;
  auto consider = [&](uint32_t pid) {
    if (!FirstSight(pid)) return;
    uint32_t want = Export(peer, pid);
    uint32_t sent = p.adj_out.Get(pid);
    if (want == kNone) {
      if (!sent) return;
      // Withdrawals are not held back by the MRAI, as common implementations do, unless the
      // scenario says so (RFC 4271 §9.2.1.1; SpeakerConfig::mrai_withdrawals).
      if (!mrai_open && config_.mrai_withdrawals) {
        held.push_back(pid);
        return;
      }
      withdraw.push_back(pid);
      p.adj_out.Set(pid, 0);
      budget += 5;
      return;
    }
    if (sent == want + 1) return;
    if (!mrai_open) {
      held.push_back(pid);
      return;
    }
    announce.emplace_back(want, pid);
    p.adj_out.Set(pid, want + 1);
    budget += 48 + 4 * in_->attrs(want).as_path.size();
  };
  size_t limit = config_.write_quantum;
  if (send_room_) limit = std::min(limit, send_room_(peer));
  auto room = [&]() { return budget < limit; };
  while (p.full_scan != UINT32_MAX && room()) {
    if (p.full_scan >= loc_rib_.size()) {
      p.full_scan = UINT32_MAX;
      break;
    }
    uint32_t pid = p.full_scan++;
    if (loc_rib_[pid].attr) consider(pid);
  }
  if (mrai_open && !p.held.empty()) {
    std::vector<uint32_t> before;
    before.swap(p.held);
    size_t i = 0;
    for (; i < before.size() && room(); ++i) consider(before[i]);
    held.insert(held.end(), before.begin() + static_cast<long>(i), before.end());
  }
  uint64_t seq = std::max(p.cursor, journal_base_);
  for (; seq < journal_end() && room(); ++seq) consider(journal_[seq - journal_base_]);
  p.cursor = seq;
  p.held.insert(p.held.end(), held.begin(), held.end());
  if (withdraw.empty() && announce.empty()) return;
  std::vector<uint8_t>& bytes = OutputTo(peer, out);
  std::vector<Prefix> prefixes;
  for (size_t i = 0; i < withdraw.size(); i += kMaxPrefixesPerUpdate) {
    prefixes.clear();
    for (size_t k = i; k < std::min(withdraw.size(), i + kMaxPrefixesPerUpdate); ++k) prefixes.push_back(in_->prefix(withdraw[k]));
    counters_.prefixes_withdrawn += prefixes.size();
    ++counters_.updates_sent;
    EncodeUpdateTo(prefixes, nullptr, 0, nullptr, 0, &bytes);
  }
  // Prefixes with the same attributes share UPDATEs (RFC 4271 §4.3), in order of attribute id.
  std::stable_sort(announce.begin(), announce.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<Prefix> none;
  for (size_t i = 0; i < announce.size();) {
    uint32_t aid = announce[i].first;
    prefixes.clear();
    for (; i < announce.size() && announce[i].first == aid && prefixes.size() < kMaxPrefixesPerUpdate; ++i) {
      prefixes.push_back(in_->prefix(announce[i].second));
    }
    counters_.prefixes_announced += prefixes.size();
    ++counters_.updates_sent;
    // next-hop-self: every session runs on a directly connected link.
    EncodeUpdateTo(none, &in_->attrs(aid), p.config.local_addr, prefixes.data(), prefixes.size(), &bytes);
  }
  if (!announce.empty() || (config_.mrai_withdrawals && !withdraw.empty())) p.mrai_until = now + MraiOf(p);
}

void BgpSpeaker::Tick(SimTime now, std::vector<Action>* out) {
  if (!started_) return;
  SimTime reuse = damping_.NextReuse();
  if (reuse >= 0 && now >= reuse) {
    ++stamp_;
    std::vector<uint32_t> all;
    for (const auto& p : peers_) {
      p.adj_in.ForEach([&](uint32_t pid, uint32_t) { if (FirstSight(pid)) all.push_back(pid); });
    }
    std::sort(all.begin(), all.end());
    for (uint32_t pid : all) Decide(now, pid);
  }
  for (size_t i = 0; i < peers_.size(); ++i) {
    Peer& p = peers_[i];
    // Each timer runs only in the states whose actions start it (the hold timer in OpenSent,
    // OpenConfirm and Established, the keepalive timer in the last two, the ConnectRetryTimer in
    // Idle and Connect), and releasing a session stops the first two.
    if (p.hold_deadline >= 0 && now >= p.hold_deadline) {
      Dispatch(now, i, FsmEvent::kHoldTimerExpires, out);
      continue;
    }
    if (p.keepalive_at >= 0 && now >= p.keepalive_at) Dispatch(now, i, FsmEvent::kKeepaliveTimerExpires, out);
    if (p.retry_at >= 0 && now >= p.retry_at) Dispatch(now, i, FsmEvent::kConnectRetryTimerExpires, out);
  }
  FlushAll(now, out);
}

SimTime BgpSpeaker::NextDeadline() const {
  SimTime next = LLONG_MAX;
  for (const auto& p : peers_) {
    for (SimTime t : {p.hold_deadline, p.keepalive_at, p.retry_at}) {
      if (t >= 0) next = std::min(next, t);
    }
    if (p.HasWork(journal_end())) next = std::min(next, p.mrai_until);
  }
  SimTime reuse = damping_.NextReuse();
  if (reuse >= 0) next = std::min(next, reuse);
  return next;
}

std::vector<std::pair<Prefix, std::vector<NextHop>>> BgpSpeaker::TakeForwardingChanges() {
  std::vector<std::pair<Prefix, std::vector<NextHop>>> out;
  ++stamp_;
  for (uint32_t pid : fib_changed_) {
    if (!FirstSight(pid)) continue;
    LocEntry& e = loc_rib_[pid];
    // Our own prefixes are directly connected: they never enter the FIB from BGP.
    uint32_t want = (e.attr && e.best != kLocal) ? e.multipath : 0;
    if (want == e.in_fib) continue;
    e.in_fib = want;
    out.emplace_back(in_->prefix(pid), HopsOf(want));
  }
  // Each prefix id once (FirstSight), and ids map one-to-one to prefixes: sorting by prefix
  // alone gives the order a map would, which the FIB programs and the run store keep.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  fib_changed_.clear();
  loc_rib_dirty_ = false;
  return out;
}

std::vector<std::pair<Prefix, DecisionReason>> BgpSpeaker::TakeBestPathChanges() {
  std::vector<std::pair<Prefix, DecisionReason>> out;
  ++stamp_;
  for (uint32_t pid : best_changed_) {
    if (FirstSight(pid)) out.emplace_back(in_->prefix(pid), loc_rib_[pid].reason);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  best_changed_.clear();
  return out;
}

std::map<Prefix, std::vector<NextHop>> BgpSpeaker::ForwardingTable() const {
  std::map<Prefix, std::vector<NextHop>> fib;
  for (uint32_t pid = 0; pid < loc_rib_.size(); ++pid) {
    const LocEntry& e = loc_rib_[pid];
    if (!e.attr || e.best == kLocal) continue;  // no route, or our own and directly connected
    fib[in_->prefix(pid)] = HopsOf(e.multipath);
  }
  return fib;
}

}  // namespace planelab::bgp
