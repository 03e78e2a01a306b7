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
    : config_(config), in_(config.interner ? config.interner : std::make_shared<RouteInterner>()),
      damping_(config.damping), rng_(config.seed) {
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

void BgpSpeaker::SendNotification(size_t peer, uint8_t code, uint8_t subcode, std::vector<Action>* out) {
  Message m;
  m.type = MessageType::kNotification;
  m.notification = {code, subcode};
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
    Peer& p = peers_[i];
    if (p.config.active) {
      SetState(p, SessionState::kConnect);
      p.retry_at = now + Jittered(config_.connect_retry, config_.timer_jitter);
      out->push_back({Action::Kind::kConnect, i, {}});
    } else {
      SetState(p, SessionState::kActive);  // listening for the neighbour's connection
    }
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
  SetState(p, SessionState::kOpenSent);
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
  if (p.config.active) {
    SetState(p, SessionState::kIdle);
    p.retry_at = now + Jittered(config_.connect_retry, config_.timer_jitter);
  } else {
    SetState(p, SessionState::kActive);
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
      SetState(p, SessionState::kOpenConfirm);
      p.hold_deadline = p.hold > 0 ? now + p.hold : -1;
      p.keepalive_at = p.hold > 0 ? now + Jittered(std::min(config_.keepalive, p.hold / 3), config_.timer_jitter) : -1;
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
  SetState(p, SessionState::kEstablished);
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
  if (std::binary_search(originated_.begin(), originated_.end(), pid)) {
    PathAttributes own;
    own.origin = Origin::kIgp;
    next.attr = in_->AttrId(own) + 1;
    next.best = kLocal;
  } else {
    // Candidates: routes of established sessions that damping does not suppress.
    using Cand = Candidate;
    std::vector<Cand>& cands = cands_;
    cands.clear();
    for (uint32_t i = 0; i < peers_.size(); ++i) {
      const Peer& p = peers_[i];
      if (p.state != SessionState::kEstablished) continue;
      uint32_t a = p.adj_in.Get(pid);
      if (!a) continue;
      if (damping_.Suppressed(DampKey(i, pid), now)) continue;
      const PathAttributes& attrs = in_->attrs(a - 1);
      bool ebgp = Ebgp(p);
      cands.push_back({i, &attrs, ebgp ? config_.default_local_pref : attrs.local_pref.value_or(config_.default_local_pref),
                       ebgp, a});
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
      next.attr = b->aid;
      next.best = b->peer;
      std::vector<uint32_t>& mp = mp_scratch_;
      mp.clear();
      for (const auto& c : cands) {
        if (c.peer == b->peer || (config_.multipath && equal_cost(c, *b))) mp.push_back(c.peer);
      }
      next.multipath = MultipathId(mp);  // candidates are in peer order: already sorted
    }
  }
  LocEntry& cur = Loc(pid);
  if (cur.attr == next.attr && cur.best == next.best && cur.multipath == next.multipath) return;
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
  auto room = [&]() { return budget < config_.write_quantum; };
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
      p.keepalive_at = now + Jittered(std::min(config_.keepalive, p.hold / 3), config_.timer_jitter);
    }
    // RFC 4271 §8.2.2: when the ConnectRetryTimer expires in Connect, the pending TCP attempt is
    // dropped and a new one started; in Idle (after an error) the next attempt starts.
    if (p.retry_at >= 0 && now >= p.retry_at &&
        (p.state == SessionState::kIdle || p.state == SessionState::kConnect)) {
      if (p.state == SessionState::kConnect) out->push_back({Action::Kind::kClose, i, {}});
      SetState(p, SessionState::kConnect);
      p.retry_at = now + Jittered(config_.connect_retry, config_.timer_jitter);
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
