#include "models/router/control/bgp/bgp_speaker.h"

#include <algorithm>
#include <climits>

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

BgpSpeaker::BgpSpeaker(SpeakerConfig config, std::vector<PeerConfig> peers, std::vector<Prefix> originated)
    : config_(config), damping_(config.damping) {
  for (auto& p : peers) peers_.push_back(Peer{p});
  for (auto& p : originated) originated_.insert(p);
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
  for (const auto& p : peers_) n += p.adj_in.size();
  return n;
}

void BgpSpeaker::Send(size_t peer, const Message& m, std::vector<Action>* out) {
  out->push_back({Action::Kind::kSend, peer, Encode(m)});
}

void BgpSpeaker::SendNotification(size_t peer, uint8_t code, uint8_t subcode, std::vector<Action>* out) {
  Message m;
  m.type = MessageType::kNotification;
  m.notification = {code, subcode};
  Send(peer, m, out);
}

void BgpSpeaker::Start(SimTime now, std::vector<Action>* out) {
  started_ = true;
  std::set<Prefix> all(originated_.begin(), originated_.end());
  Decide(now, all);
  for (size_t i = 0; i < peers_.size(); ++i) {
    Peer& p = peers_[i];
    if (p.config.active) {
      p.state = SessionState::kConnect;
      p.retry_at = now + config_.connect_retry;
      out->push_back({Action::Kind::kConnect, i, {}});
    } else {
      p.state = SessionState::kActive;  // listening for the neighbour's connection
    }
  }
}

void BgpSpeaker::Crash() {
  for (auto& p : peers_) {
    PeerConfig c = p.config;
    p = Peer{c};
  }
  for (const auto& [prefix, _] : loc_rib_) fib_changed_.insert(prefix);
  loc_rib_.clear();
  damping_ = RouteFlapDamping(config_.damping);
  loc_rib_dirty_ = true;
  started_ = false;
}

void BgpSpeaker::OnTcpUp(SimTime now, size_t peer, std::vector<Action>* out) {
  Peer& p = peers_.at(peer);
  if (!started_ || (p.state != SessionState::kConnect && p.state != SessionState::kActive)) {
    out->push_back({Action::Kind::kClose, peer, {}});
    return;
  }
  p.state = SessionState::kOpenSent;
  p.retry_at = -1;
  Message m;
  m.type = MessageType::kOpen;
  m.open.my_as = config_.local_as;
  m.open.hold_time = static_cast<uint16_t>(config_.hold_time / kSec);
  m.open.bgp_id = config_.router_id;
  Send(peer, m, out);
  p.hold_deadline = now + kOpenHoldTime;
}

void BgpSpeaker::OnTcpDown(SimTime now, size_t peer, std::vector<Action>* out) {
  Drop(now, peer, out, false);
}

void BgpSpeaker::ResetSession(SimTime now, size_t peer, std::vector<Action>* out) {
  Peer& p = peers_.at(peer);
  if (p.state == SessionState::kIdle || p.state == SessionState::kActive || p.state == SessionState::kConnect) return;
  SendNotification(peer, 6, 4, out);  // Cease / Administrative Reset (RFC 4486)
  Drop(now, peer, out, true);
}

void BgpSpeaker::Drop(SimTime now, size_t peer, std::vector<Action>* out, bool close) {
  Peer& p = peers_.at(peer);
  if (p.state == SessionState::kEstablished) ++counters_.session_drops;
  if (close) out->push_back({Action::Kind::kClose, peer, {}});
  std::set<Prefix> changed;
  for (const auto& [prefix, attrs] : p.adj_in) {
    changed.insert(prefix);
    // Losing the session withdraws every route it carried: each is a flap for damping.
    if (Ebgp(p)) damping_.Penalize(DampKey(peer, prefix), now, true);
  }
  p.adj_in.clear();
  p.adj_out.clear();
  p.pending.clear();
  p.hold_deadline = p.keepalive_at = -1;
  p.mrai_until = 0;
  if (p.config.active) {
    p.state = SessionState::kIdle;
    p.retry_at = now + config_.connect_retry;
  } else {
    p.state = SessionState::kActive;
  }
  Decide(now, changed);
  if (!config_.defer_flush) FlushAll(now, out);
}

bool BgpSpeaker::has_pending() const {
  for (const auto& p : peers_) {
    if (p.state == SessionState::kEstablished && !p.pending.empty()) return true;
  }
  return false;
}

void BgpSpeaker::FlushAll(SimTime now, std::vector<Action>* out) {
  for (size_t i = 0; i < peers_.size(); ++i) {
    if (peers_[i].state == SessionState::kEstablished && !peers_[i].pending.empty()) Flush(now, i, false, out);
  }
}

void BgpSpeaker::OnMessage(SimTime now, size_t peer, const Message& m, std::vector<Action>* out) {
  Peer& p = peers_.at(peer);
  if (!started_) return;
  switch (m.type) {
    case MessageType::kNotification:
      Drop(now, peer, out, true);
      return;
    case MessageType::kOpen: {
      if (p.state != SessionState::kOpenSent) {
        SendNotification(peer, 5, 0, out);  // Finite State Machine Error
        Drop(now, peer, out, true);
        return;
      }
      if (m.open.my_as != p.config.remote_as) {
        SendNotification(peer, 2, 2, out);  // OPEN Message Error / Bad Peer AS
        Drop(now, peer, out, true);
        return;
      }
      SimTime theirs = static_cast<SimTime>(m.open.hold_time) * kSec;
      if (theirs != 0 && theirs < 3 * kSec) {
        SendNotification(peer, 2, 6, out);  // Unacceptable Hold Time (RFC 4271 §6.2)
        Drop(now, peer, out, true);
        return;
      }
      p.hold = std::min(config_.hold_time, theirs);
      Message ka;
      ka.type = MessageType::kKeepalive;
      Send(peer, ka, out);
      p.state = SessionState::kOpenConfirm;
      p.hold_deadline = p.hold > 0 ? now + p.hold : -1;
      p.keepalive_at = p.hold > 0 ? now + std::min(config_.keepalive, p.hold / 3) : -1;
      return;
    }
    case MessageType::kKeepalive:
      if (p.state == SessionState::kOpenConfirm) {
        Established(now, peer, out);
      } else if (p.state == SessionState::kEstablished) {
        if (p.hold > 0) p.hold_deadline = now + p.hold;
      } else {
        SendNotification(peer, 5, 0, out);
        Drop(now, peer, out, true);
      }
      return;
    case MessageType::kUpdate:
      if (p.state != SessionState::kEstablished) {
        SendNotification(peer, 5, 0, out);
        Drop(now, peer, out, true);
        return;
      }
      if (p.hold > 0) p.hold_deadline = now + p.hold;
      ProcessUpdate(now, peer, m.update, out);
      return;
  }
}

void BgpSpeaker::Established(SimTime now, size_t peer, std::vector<Action>* out) {
  Peer& p = peers_.at(peer);
  p.state = SessionState::kEstablished;
  if (p.hold > 0) p.hold_deadline = now + p.hold;
  for (const auto& [prefix, _] : loc_rib_) p.pending.insert(prefix);
  Flush(now, peer, true, out);
}

void BgpSpeaker::ProcessUpdate(SimTime now, size_t peer, const Update& u, std::vector<Action>* out) {
  Peer& p = peers_.at(peer);
  ++counters_.updates_received;
  std::set<Prefix> changed;
  bool ebgp = Ebgp(p);
  for (const auto& w : u.withdrawn) {
    ++counters_.withdrawals_received;
    if (p.adj_in.erase(w)) {
      changed.insert(w);
      if (ebgp) damping_.Penalize(DampKey(peer, w), now, true);
    }
  }
  // RFC 4271 §9.1.2: a route whose AS_PATH holds our own AS is a loop and is not used.
  bool loop = std::find(u.attrs.as_path.begin(), u.attrs.as_path.end(), config_.local_as) != u.attrs.as_path.end();
  for (const auto& n : u.nlri) {
    auto it = p.adj_in.find(n);
    if (loop) {
      if (it != p.adj_in.end()) { p.adj_in.erase(it); changed.insert(n); }
      continue;
    }
    if (it != p.adj_in.end() && it->second == u.attrs) continue;  // duplicate, nothing changes
    if (it != p.adj_in.end() && ebgp) damping_.Penalize(DampKey(peer, n), now, false);
    p.adj_in[n] = u.attrs;
    changed.insert(n);
  }
  Decide(now, changed);
  if (!config_.defer_flush) FlushAll(now, out);
}

void BgpSpeaker::Decide(SimTime now, const std::set<Prefix>& prefixes) {
  for (const Prefix& prefix : prefixes) {
    Best best;
    bool have = false;
    if (originated_.count(prefix)) {
      best.attrs.origin = Origin::kIgp;
      have = true;
    } else {
      // Candidates: routes of established sessions that damping does not suppress.
      struct Cand {
        size_t peer;
        const PathAttributes* attrs;
        uint32_t local_pref;
        bool ebgp;
      };
      std::vector<Cand> cands;
      for (size_t i = 0; i < peers_.size(); ++i) {
        const Peer& p = peers_[i];
        if (p.state != SessionState::kEstablished) continue;
        auto it = p.adj_in.find(prefix);
        if (it == p.adj_in.end()) continue;
        if (damping_.Suppressed(DampKey(i, prefix), now)) continue;
        bool ebgp = Ebgp(p);
        cands.push_back({i, &it->second, ebgp ? config_.default_local_pref
                                               : it->second.local_pref.value_or(config_.default_local_pref), ebgp});
      }
      // RFC 4271 §9.1.2.2, steps a-d and f-g (all next hops are directly connected: no IGP cost step).
      auto equal_cost = [](const Cand& a, const Cand& b) {
        return a.local_pref == b.local_pref && a.attrs->as_path.size() == b.attrs->as_path.size() &&
               a.attrs->origin == b.attrs->origin && a.ebgp == b.ebgp;
      };
      auto better = [&](const Cand& a, const Cand& b) {
        if (a.local_pref != b.local_pref) return a.local_pref > b.local_pref;
        if (a.attrs->as_path.size() != b.attrs->as_path.size()) return a.attrs->as_path.size() < b.attrs->as_path.size();
        if (a.attrs->origin != b.attrs->origin) return a.attrs->origin < b.attrs->origin;
        uint32_t na = a.attrs->as_path.empty() ? 0 : a.attrs->as_path[0];
        uint32_t nb = b.attrs->as_path.empty() ? 0 : b.attrs->as_path[0];
        if (na == nb && a.attrs->med.value_or(0) != b.attrs->med.value_or(0)) {
          return a.attrs->med.value_or(0) < b.attrs->med.value_or(0);
        }
        if (a.ebgp != b.ebgp) return a.ebgp;
        return peers_[a.peer].config.peer_addr < peers_[b.peer].config.peer_addr;
      };
      if (!cands.empty()) {
        const Cand* b = &cands[0];
        for (const auto& c : cands) if (better(c, *b)) b = &c;
        best.attrs = *b->attrs;
        best.peer = b->peer;
        for (const auto& c : cands) {
          if (c.peer == b->peer || (config_.multipath && equal_cost(c, *b))) best.multipath.push_back(c.peer);
        }
        std::sort(best.multipath.begin(), best.multipath.end());
        have = true;
      }
    }
    auto it = loc_rib_.find(prefix);
    bool changed;
    if (!have) {
      changed = it != loc_rib_.end();
      if (changed) loc_rib_.erase(it);
    } else {
      changed = it == loc_rib_.end() || !(it->second.attrs == best.attrs) || it->second.peer != best.peer ||
                it->second.multipath != best.multipath;
      if (changed) loc_rib_[prefix] = best;
    }
    if (!changed) continue;
    loc_rib_dirty_ = true;
    fib_changed_.insert(prefix);
    ++counters_.loc_rib_changes;
    for (auto& p : peers_) {
      if (p.state == SessionState::kEstablished) p.pending.insert(prefix);
    }
  }
}

bool BgpSpeaker::Export(size_t peer, const Prefix& prefix, PathAttributes* out) const {
  auto it = loc_rib_.find(prefix);
  if (it == loc_rib_.end()) return false;
  const Best& best = it->second;
  const Peer& q = peers_[peer];
  if (best.peer == peer) return false;  // never back to where it came from
  bool from_ibgp = best.peer != SIZE_MAX && !Ebgp(peers_[best.peer]);
  if (from_ibgp && !Ebgp(q)) return false;  // iBGP routes are not re-advertised to iBGP peers (RFC 4271 §9.1.3)
  *out = best.attrs;
  out->next_hop = q.config.local_addr;  // next-hop-self: every session runs on a directly connected link
  if (Ebgp(q)) {
    // Sender-side loop prevention: a path through the peer's AS would be dropped by it anyway.
    if (std::find(out->as_path.begin(), out->as_path.end(), q.config.remote_as) != out->as_path.end()) return false;
    out->as_path.insert(out->as_path.begin(), config_.local_as);
    out->local_pref.reset();
    out->med.reset();  // MED is not passed on to other ASes (RFC 4271 §5.1.4)
  } else {
    out->local_pref = best.attrs.local_pref.value_or(config_.default_local_pref);
  }
  return true;
}

void BgpSpeaker::Flush(SimTime now, size_t peer, bool force, std::vector<Action>* out) {
  Peer& p = peers_.at(peer);
  if (p.state != SessionState::kEstablished) return;
  bool mrai_open = force || now >= p.mrai_until;
  std::vector<Prefix> withdraw;
  std::map<PathAttributes, std::vector<Prefix>> announce;  // prefixes grouped by attributes, one UPDATE each
  for (auto it = p.pending.begin(); it != p.pending.end();) {
    PathAttributes attrs;
    bool want = Export(peer, *it, &attrs);
    auto sent = p.adj_out.find(*it);
    if (!want) {
      // Withdrawals are not held back by the MRAI, as common implementations do.
      if (sent != p.adj_out.end()) {
        withdraw.push_back(*it);
        p.adj_out.erase(sent);
      }
      it = p.pending.erase(it);
      continue;
    }
    if (sent != p.adj_out.end() && sent->second == attrs) {
      it = p.pending.erase(it);
      continue;
    }
    if (!mrai_open) { ++it; continue; }
    announce[attrs].push_back(*it);
    p.adj_out[*it] = attrs;
    it = p.pending.erase(it);
  }
  for (size_t i = 0; i < withdraw.size(); i += kMaxPrefixesPerUpdate) {
    Message m;
    m.type = MessageType::kUpdate;
    m.update.withdrawn.assign(withdraw.begin() + static_cast<long>(i),
                              withdraw.begin() + static_cast<long>(std::min(withdraw.size(), i + kMaxPrefixesPerUpdate)));
    counters_.prefixes_withdrawn += m.update.withdrawn.size();
    ++counters_.updates_sent;
    Send(peer, m, out);
  }
  for (auto& [attrs, prefixes] : announce) {
    for (size_t i = 0; i < prefixes.size(); i += kMaxPrefixesPerUpdate) {
      Message m;
      m.type = MessageType::kUpdate;
      m.update.attrs = attrs;
      m.update.nlri.assign(prefixes.begin() + static_cast<long>(i),
                           prefixes.begin() + static_cast<long>(std::min(prefixes.size(), i + kMaxPrefixesPerUpdate)));
      counters_.prefixes_announced += m.update.nlri.size();
      ++counters_.updates_sent;
      Send(peer, m, out);
    }
  }
  if (!announce.empty()) p.mrai_until = now + (Ebgp(p) ? config_.mrai_ebgp : config_.mrai_ibgp);
}

void BgpSpeaker::Tick(SimTime now, std::vector<Action>* out) {
  if (!started_) return;
  SimTime reuse = damping_.NextReuse();
  if (reuse >= 0 && now >= reuse) {
    std::set<Prefix> all;
    for (const auto& p : peers_) for (const auto& [prefix, _] : p.adj_in) all.insert(prefix);
    Decide(now, all);
  }
  for (size_t i = 0; i < peers_.size(); ++i) {
    Peer& p = peers_[i];
    if (p.hold_deadline >= 0 && now >= p.hold_deadline) {
      SendNotification(i, 4, 0, out);  // Hold Timer Expired
      Drop(now, i, out, true);
      continue;
    }
    if (p.keepalive_at >= 0 && now >= p.keepalive_at &&
        (p.state == SessionState::kEstablished || p.state == SessionState::kOpenConfirm)) {
      Message ka;
      ka.type = MessageType::kKeepalive;
      Send(i, ka, out);
      p.keepalive_at = now + std::min(config_.keepalive, p.hold / 3);
    }
    // RFC 4271 §8.2.2: when the ConnectRetryTimer expires in Connect, the pending TCP attempt is
    // dropped and a new one started; in Idle (after an error) the next attempt starts.
    if (p.retry_at >= 0 && now >= p.retry_at &&
        (p.state == SessionState::kIdle || p.state == SessionState::kConnect)) {
      if (p.state == SessionState::kConnect) out->push_back({Action::Kind::kClose, i, {}});
      p.state = SessionState::kConnect;
      p.retry_at = now + config_.connect_retry;
      out->push_back({Action::Kind::kConnect, i, {}});
    }
  }
  FlushAll(now, out);
}

SimTime BgpSpeaker::NextDeadline() const {
  SimTime next = LLONG_MAX;
  for (const auto& p : peers_) {
    for (SimTime t : {p.hold_deadline, p.keepalive_at, p.retry_at}) {
      if (t >= 0) next = std::min(next, t);
    }
    if (p.state == SessionState::kEstablished && !p.pending.empty()) next = std::min(next, p.mrai_until);
  }
  SimTime reuse = damping_.NextReuse();
  if (reuse >= 0) next = std::min(next, reuse);
  return next;
}

std::map<Prefix, std::vector<NextHop>> BgpSpeaker::TakeForwardingChanges() {
  std::map<Prefix, std::vector<NextHop>> out;
  for (const Prefix& prefix : fib_changed_) {
    auto it = loc_rib_.find(prefix);
    std::vector<NextHop>& hops = out[prefix];
    if (it == loc_rib_.end() || it->second.peer == SIZE_MAX) continue;  // gone, or our own connected prefix
    for (size_t i : it->second.multipath) hops.push_back({peers_[i].config.peer_addr, peers_[i].config.ifindex});
    std::sort(hops.begin(), hops.end());
  }
  fib_changed_.clear();
  loc_rib_dirty_ = false;
  return out;
}

std::map<Prefix, std::vector<NextHop>> BgpSpeaker::ForwardingTable() const {
  std::map<Prefix, std::vector<NextHop>> fib;
  for (const auto& [prefix, best] : loc_rib_) {
    if (best.peer == SIZE_MAX) continue;  // our own, directly connected
    std::vector<NextHop> hops;
    for (size_t i : best.multipath) hops.push_back({peers_[i].config.peer_addr, peers_[i].config.ifindex});
    std::sort(hops.begin(), hops.end());
    fib[prefix] = hops;
  }
  return fib;
}

}  // namespace planelab::bgp
