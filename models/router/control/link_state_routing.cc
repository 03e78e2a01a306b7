#include "models/router/control/link_state_routing.h"

#include <algorithm>
#include <queue>
#include <tuple>

namespace planelab::ls {

namespace {
uint32_t MaskOf(uint8_t len) { return len == 0 ? 0 : 0xffffffffu << (32 - len); }
/// LSA headers per Database Description or Link State Acknowledgment packet; requests per Link State Request.
size_t HeadersPerPacket(uint32_t mtu) { return (MaxOspfPayload(mtu) - 8) / 20; }
size_t RequestsPerPacket(uint32_t mtu) { return MaxOspfPayload(mtu) / 12; }
uint16_t Seconds(SimTime t) { return static_cast<uint16_t>(std::max<SimTime>(1, t / kSec)); }
}  // namespace

std::vector<uint32_t> RetransmissionList::All() const {
  std::vector<uint32_t> all;
  all.reserve(count_);
  for (size_t w = 0; w < bits_.size(); ++w) {
    for (uint64_t word = bits_[w]; word; word &= word - 1) {
      all.push_back(static_cast<uint32_t>(w * 64 + __builtin_ctzll(word)));
    }
  }
  return all;
}

LinkStateRouting::~LinkStateRouting() {
  for (DbEntry& e : lsdb_) {
    if (e.lsa) --e.lsa->db_holders;
  }
}

const char* NameOf(NeighborState s) {
  switch (s) {
    case NeighborState::kDown: return "Down";
    case NeighborState::kInit: return "Init";
    case NeighborState::kExStart: return "ExStart";
    case NeighborState::kExchange: return "Exchange";
    case NeighborState::kLoading: return "Loading";
    case NeighborState::kFull: return "Full";
  }
  return "?";
}

LinkStateRouting::LinkStateRouting(uint32_t router_id, Config config, std::vector<InterfaceConfig> interfaces,
                                   std::shared_ptr<LsaPool> pool)
    : id_(router_id), config_(config), pool_(pool ? std::move(pool) : std::make_shared<LsaPool>()) {
  std::sort(interfaces.begin(), interfaces.end(),
            [](const InterfaceConfig& a, const InterfaceConfig& b) { return a.ifindex < b.ifindex; });
  for (auto& c : interfaces) {
    Interface itf;
    itf.cfg = c;
    by_peer_[c.peer_addr] = c.ifindex;
    interfaces_.push_back(std::move(itf));
  }
  // Deterministic, and different per router (RFC 2328 §10.8 only asks for a unique starting value).
  dd_seq_seed_ = router_id * 2654435761u;
}

LinkStateRouting::Interface* LinkStateRouting::Find(uint32_t ifindex) {
  auto it = std::lower_bound(interfaces_.begin(), interfaces_.end(), ifindex,
                             [](const Interface& i, uint32_t x) { return i.cfg.ifindex < x; });
  return it != interfaces_.end() && it->cfg.ifindex == ifindex ? &*it : nullptr;
}
const LinkStateRouting::Interface* LinkStateRouting::Find(uint32_t ifindex) const {
  return const_cast<LinkStateRouting*>(this)->Find(ifindex);
}

uint32_t LinkStateRouting::InterfaceFor(uint32_t src) const {
  auto it = by_peer_.find(src);
  if (it != by_peer_.end()) return it->second;
  for (const auto& i : interfaces_) {
    uint32_t m = MaskOf(i.cfg.prefix_len);
    if ((i.cfg.local_addr & m) == (src & m)) return i.cfg.ifindex;
  }
  return 0;
}

size_t LinkStateRouting::adjacencies_configured() const {
  size_t n = 0;
  for (const auto& i : interfaces_) n += i.cfg.passive ? 0 : 1;
  return n;
}

NeighborState LinkStateRouting::StateOn(uint32_t ifindex) const {
  const Interface* itf = Find(ifindex);
  return itf ? itf->nbr.state : NeighborState::kDown;
}

LinkStateRouting::DbEntry* LinkStateRouting::Db(uint32_t origin) {
  const uint32_t idx = pool_->IndexIfKnown(origin);
  if (idx == LsaPool::kUnknown || idx >= lsdb_.size() || !lsdb_[idx].lsa) return nullptr;
  return &lsdb_[idx];
}
const LinkStateRouting::DbEntry* LinkStateRouting::Db(uint32_t origin) const {
  return const_cast<LinkStateRouting*>(this)->Db(origin);
}
LinkStateRouting::DbEntry* LinkStateRouting::DbOf(const Lsa& lsa) {
  if (lsa.indexed_by != pool_.get()) return Db(lsa.origin());
  const uint32_t idx = lsa.origin_index;
  return idx < lsdb_.size() && lsdb_[idx].lsa ? &lsdb_[idx] : nullptr;
}

const Lsa* LinkStateRouting::Lookup(uint32_t origin) const {
  const DbEntry* e = Db(origin);
  return e ? e->lsa : nullptr;
}

Message LinkStateRouting::NewMessage(Message::Type type) const {
  Message m;
  m.type = type;
  m.router_id = id_;
  return m;
}

Message LinkStateRouting::NewDd(const Interface& itf) const {
  Message m = NewMessage(Message::Type::kDbDescription);
  m.dd_mtu = static_cast<uint16_t>(std::min<uint32_t>(itf.cfg.mtu, 65535));  // the interface's, for §10.6
  return m;
}

Message LinkStateRouting::MakeHello(const Interface& itf) const {
  Message m = NewMessage(Message::Type::kHello);
  m.hello.network_mask = MaskOf(itf.cfg.prefix_len);
  m.hello.hello_interval_s = Seconds(config_.hello_interval);
  m.hello.dead_interval_s = Seconds(config_.dead_interval);
  if (itf.nbr.state >= NeighborState::kInit) m.hello.neighbors.push_back(itf.nbr.router_id);
  return m;
}

void LinkStateRouting::Start(SimTime now, std::vector<Send>* out) {
  started_ = true;
  next_hello_ = now;
  RequestOriginate(now);
  Tick(now, out);
}

void LinkStateRouting::Tick(SimTime now, std::vector<Send>* out) {
  if (!started_) return;
  now_ = now;
  nbr_deadline_ = kNever;
  for (auto& itf : interfaces_) {
    Neighbor& nb = itf.nbr;
    if (nb.state == NeighborState::kDown) continue;
    // RouterDeadInterval: a neighbour unheard for that long is declared down (RFC 2328 §10.3, InactivityTimer).
    if (now - nb.last_heard >= config_.dead_interval) {
      KillNeighbor(now, itf);
      continue;
    }
    if (now >= nb.dd_rxmt_due) {
      out->push_back({itf.cfg.ifindex, itf.cfg.peer_addr, nb.last_dd});
      nb.dd_rxmt_due = now + config_.rxmt_interval;
    }
    if (now >= nb.lsr_rxmt_due) SendRequests(now, itf, out);
    if (now >= nb.rxmt_due) {
      // RxmtInterval passed without an acknowledgement: everything still unacknowledged goes again (§13.6).
      std::vector<LsaRef> again;
      for (uint32_t idx : nb.rxmt.All()) again.push_back(RefOf(lsdb_[idx].lsa));
      stats_.retransmitted += again.size();
      SendUpdates(itf, again, out);
      nb.rxmt_due = nb.rxmt.empty() ? kNever : now + config_.rxmt_interval;
    }
    nbr_deadline_ = std::min(nbr_deadline_, NeighborDeadline(nb));
  }
  if (now >= next_hello_) {
    for (const auto& itf : interfaces_) {
      if (itf.cfg.passive || !itf.cfg.carrier) continue;
      out->push_back({itf.cfg.ifindex, itf.cfg.peer_addr, MakeHello(itf)});
    }
    next_hello_ = now + config_.hello_interval;
  }
  if (originate_pending_ && now >= originate_due_) Originate(now);
  Flush(now, out);
}

SimTime LinkStateRouting::NextDeadline() const {
  SimTime next = started_ ? std::min(next_hello_, nbr_deadline_) : kNever;
  if (originate_pending_) next = std::min(next, originate_due_);
  if (!due_.empty()) next = std::min(next, due_.top().first);
  return next;
}

SimTime LinkStateRouting::ExactDeadline() {
  nbr_deadline_ = kNever;
  for (const auto& itf : interfaces_) {
    const Neighbor& nb = itf.nbr;
    if (nb.state == NeighborState::kDown) continue;
    nbr_deadline_ = std::min(nbr_deadline_, NeighborDeadline(nb));
  }
  while (!due_.empty() && due_.top().first != interfaces_[due_.top().second].queued_due) due_.pop();
  return NextDeadline();
}

void LinkStateRouting::MarkPending(Interface& itf) {
  SimTime due = kNever;
  if (!itf.flood.empty()) due = std::min(due, itf.next_update);
  if (!itf.acks.empty()) due = std::min(due, itf.ack_due);
  if (due >= itf.queued_due) return;
  itf.queued_due = due;
  due_.emplace(due, static_cast<uint32_t>(&itf - interfaces_.data()));
}

void LinkStateRouting::RequestOriginate(SimTime now) {
  if (originate_pending_) return;
  originate_pending_ = true;
  originate_due_ = now + config_.lsa_start;
  if (last_originated_ >= 0) originate_due_ = std::max(originate_due_, last_originated_ + hold_);
}

void LinkStateRouting::Originate(SimTime now) {
  originate_pending_ = false;
  originate_due_ = kNever;
  // The hold starts again after a quiet max-interval, else doubles up to it.
  hold_ = (last_originated_ < 0 || now - last_originated_ > config_.lsa_max)
              ? config_.lsa_hold
              : std::min(std::max(2 * hold_, config_.lsa_hold), config_.lsa_max);
  last_originated_ = now;
  Lsa lsa;
  lsa.header.id = lsa.header.adv = id_;
  lsa.header.seq = ++seq_;
  for (const auto& itf : interfaces_) {
    if (!itf.cfg.carrier) continue;
    // RFC 2328 §12.4.1.1: a point-to-point link to a full neighbour, and the link's subnet as a stub network.
    if (itf.nbr.state == NeighborState::kFull) lsa.links.push_back({itf.nbr.router_id, itf.cfg.cost, itf.cfg.local_addr});
    lsa.prefixes.push_back({itf.cfg.local_addr & MaskOf(itf.cfg.prefix_len), itf.cfg.prefix_len, itf.cfg.cost});
  }
  Seal(&lsa);
  LsaRef ref = pool_->Intern(std::move(lsa));
  ++stats_.originated;
  Flood(ref, 0, now);
  ForgetOlderInstances(*ref);
  Install(now, ref);
}

void LinkStateRouting::Install(SimTime now, LsaRef lsa) {
  if (lsa->indexed_by != pool_.get()) {
    Lsa copy;
    copy.header = lsa->header;
    copy.links = lsa->links;
    copy.prefixes = lsa->prefixes;
    lsa = pool_->Intern(std::move(copy));
  }
  const uint32_t idx = lsa->origin_index;
  if (idx >= lsdb_.size()) {
    // The pool knows every router named so far: size the database for them at once, not by doubling (at 5,000
    // routers, 25 million entries; doubling left up to half of them unused).
    if (idx >= lsdb_.capacity()) lsdb_.reserve(std::max<size_t>(idx + 1, pool_->routers()));
    lsdb_.resize(idx + 1);
  }
  DbEntry& e = lsdb_[idx];
  // Only a change of content is an event for SPF, as FRR's ospf_lsa_different() decides.
  bool different = !e.lsa || e.lsa->links.size() != lsa->links.size() || e.lsa->prefixes.size() != lsa->prefixes.size();
  if (!different) {
    for (size_t i = 0; i < lsa->links.size() && !different; ++i) {
      const auto &a = e.lsa->links[i], &b = lsa->links[i];
      different = a.neighbor != b.neighbor || a.cost != b.cost || a.local_addr != b.local_addr;
    }
    for (size_t i = 0; i < lsa->prefixes.size() && !different; ++i) {
      const auto &a = e.lsa->prefixes[i], &b = lsa->prefixes[i];
      different = a.prefix != b.prefix || a.len != b.len || a.cost != b.cost;
    }
  }
  if (!e.lsa) ++lsdb_count_;
  else --e.lsa->db_holders;
  ++lsa->db_holders;
  e.lsa = lsa.get();
  e.installed = now;
  if (different) {
    Changed();
    // A neighbour's new adjacencies may change which of its links it keeps on the flooding topology.
    if (config_.dynamic_flooding) {
      auto it = ft_interfaces_.find(e.lsa->origin());
      if (it != ft_interfaces_.end()) {
        for (uint32_t i : it->second) UpdateFloodingMembership(now, interfaces_[i], false);
      }
    }
  }
}

void LinkStateRouting::Flood(const LsaRef& lsa, uint32_t except_ifindex, SimTime now) {
  ++flood_stamp_;
  for (auto& itf : interfaces_) {
    if (itf.cfg.ifindex == except_ifindex || itf.cfg.passive || !itf.cfg.carrier || !itf.ft) continue;
    FloodOn(itf, lsa, now);
  }
}

void LinkStateRouting::FloodOn(Interface& itf, const LsaRef& lsa, SimTime now) {
  Neighbor& nb = itf.nbr;
  if (nb.state < NeighborState::kExchange) return;
  // RFC 2328 §13.3 (1b, 1c): a neighbour still loading may already have asked for this instance.
  if (nb.state != NeighborState::kFull) {
    auto req = nb.requests.find(lsa->origin());
    if (req != nb.requests.end()) {
      const int cmp = CompareInstances(lsa->header, req->second);
      if (cmp < 0) return;
      nb.requests.erase(req);
      if (nb.state == NeighborState::kLoading && nb.requests.empty()) SetState(now, itf, NeighborState::kFull);
      if (cmp == 0) return;
    }
  }
  nb.rxmt.Put(IndexOfOrigin(*lsa));
  itf.flood_stamp = flood_stamp_;
  if (nb.rxmt_due == kNever) {
    nb.rxmt_due = now + config_.rxmt_interval;
    NoteDeadline(nb.rxmt_due);
  }
  itf.flood.push_back(lsa);
  MarkPending(itf);
}

void LinkStateRouting::ForgetOlderInstances(const Lsa& lsa) {
  // What the lists hold for this router is the database's copy, older than `lsa`, except on the interfaces `lsa`
  // was just flooded on (RFC 2328 §13 steps 5b then 5c: flood, then remove the database copy from every list).
  const DbEntry* db = DbOf(lsa);
  if (!db || CompareInstances(db->lsa->header, lsa.header) >= 0) return;
  const uint32_t idx = IndexOfOrigin(lsa);
  for (auto& itf : interfaces_) {
    if (itf.flood_stamp == flood_stamp_) continue;
    Neighbor& nb = itf.nbr;
    if (nb.rxmt.Erase(idx) && nb.rxmt.empty()) nb.rxmt_due = kNever;
  }
}

namespace {
// The rank of a link for dynamic flooding: a hash of its two router IDs (splitmix64's finaliser), the same at
// either end, so every router ranks every link alike and the choices spread evenly over a fabric's spines.
uint64_t LinkRank(uint32_t a, uint32_t b) {
  uint64_t x = a < b ? (uint64_t(a) << 32 | b) : (uint64_t(b) << 32 | a);
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// True when the router whose LSA is `x` keeps its link to `y`: fewer than `k` of the neighbours it lists rank
// lower.
bool KeepsLink(const Lsa& x, uint32_t y, uint32_t k) {
  const uint64_t r = LinkRank(x.origin(), y);
  uint32_t lower = 0;
  for (const auto& l : x.links) {
    if (l.neighbor != y && LinkRank(x.origin(), l.neighbor) < r && ++lower >= k) return false;
  }
  return true;
}
}  // namespace

size_t LinkStateRouting::flooding_links() const {
  size_t n = 0;
  for (const auto& itf : interfaces_) n += itf.nbr.state == NeighborState::kFull && itf.cfg.carrier && itf.ft;
  return n;
}

void LinkStateRouting::RecomputeFloodingTopology(SimTime now) {
  if (!config_.dynamic_flooding) return;
  std::vector<uint64_t> ranks;
  ft_interfaces_.clear();
  for (uint32_t i = 0; i < interfaces_.size(); ++i) {
    const Interface& itf = interfaces_[i];
    if (itf.nbr.state != NeighborState::kFull || !itf.cfg.carrier) continue;
    ranks.push_back(LinkRank(id_, itf.nbr.router_id));
    ft_interfaces_[itf.nbr.router_id].push_back(i);
  }
  const size_t k = FloodingDegree();
  ft_threshold_ = UINT64_MAX;
  if (ranks.size() > k) {
    std::nth_element(ranks.begin(), ranks.begin() + static_cast<long>(k - 1), ranks.end());
    ft_threshold_ = ranks[k - 1];
  }
  for (auto& itf : interfaces_) UpdateFloodingMembership(now, itf, false);
}

void LinkStateRouting::UpdateFloodingMembership(SimTime now, Interface& itf, bool resend) {
  bool on = true;
  if (config_.dynamic_flooding && !ft_partitioned_ && itf.nbr.state == NeighborState::kFull) {
    const uint32_t v = itf.nbr.router_id;
    const DbEntry* e = Db(v);
    // A neighbour with no LSA yet cannot be judged: flood to it (the safe side). One whose LSA does not list us
    // yet is judged by the neighbours it lists: they are adjacencies it has, so if enough of them rank below our
    // link it will not keep ours either, and a fabric's cold start floods on the topology from the first LSAs.
    on = LinkRank(id_, v) <= ft_threshold_ || !e || KeepsLink(*e->lsa, id_, FloodingDegree());
  }
  if (on == itf.ft) return;
  itf.ft = on;
  if (!on) {
    itf.ft_off_since = now;
    return;
  }
  // A link joining a connected topology needs nothing resent: the neighbour heard everything over the topology.
  // One joining because the topology split gets what was installed while it was off, which the neighbour's side
  // may have missed; a new adjacency synchronises by the database exchange.
  if (!resend || itf.nbr.state != NeighborState::kFull) return;
  for (const DbEntry& d : lsdb_) {
    if (d.lsa && d.installed >= itf.ft_off_since && d.lsa->origin() != itf.nbr.router_id) FloodOn(itf, RefOf(d.lsa), now);
  }
}

void LinkStateRouting::CheckFloodingTopology(const std::vector<char>& reached, uint32_t me) {
  if (!config_.dynamic_flooding || me >= lsdb_.size() || !lsdb_[me].lsa) return;
  const size_t n = lsdb_.size();
  const uint32_t k = FloodingDegree();
  // Every reachable router's kept links, two-way checked, as an undirected graph; then a search from us.
  std::vector<std::vector<uint32_t>> adj(n);
  size_t routers = 0;
  for (uint32_t r = 0; r < n; ++r) {
    if (!(reached[r] || r == me) || !lsdb_[r].lsa) continue;
    ++routers;
    const Lsa& lsa = *lsdb_[r].lsa;
    for (size_t i = 0; i < lsa.links.size(); ++i) {
      const uint32_t v = lsa.link_index[i];
      if (v >= n || !(reached[v] || v == me) || !lsdb_[v].lsa || !lsdb_[v].lsa->Lists(lsa.origin())) continue;
      if (KeepsLink(lsa, lsa.links[i].neighbor, k)) {
        adj[r].push_back(v);
        adj[v].push_back(r);
      }
    }
  }
  std::vector<char> seen(n, 0);
  std::vector<uint32_t> stack{me};
  seen[me] = 1;
  size_t count = 1;
  while (!stack.empty()) {
    const uint32_t u = stack.back();
    stack.pop_back();
    for (uint32_t v : adj[u]) {
      if (!seen[v]) {
        seen[v] = 1;
        ++count;
        stack.push_back(v);
      }
    }
  }
  const bool partitioned = count < routers;
  if (partitioned == ft_partitioned_) return;
  ft_partitioned_ = partitioned;
  for (auto& itf : interfaces_) UpdateFloodingMembership(now_, itf, partitioned);
}

void LinkStateRouting::SendUpdates(Interface& itf, const std::vector<LsaRef>& lsas, std::vector<Send>* out) {
  // Only the newest instance of each LSA goes: several may have been queued within one pacing interval, and the
  // receiver would drop the second under MinLSArrival.
  std::vector<LsaRef> send(lsas);
  std::stable_sort(send.begin(), send.end(), [](const LsaRef& a, const LsaRef& b) {
    return a->origin() != b->origin() ? a->origin() < b->origin() : a->seq() > b->seq();
  });
  send.erase(std::unique(send.begin(), send.end(),
                         [](const LsaRef& a, const LsaRef& b) { return a->origin() == b->origin(); }),
             send.end());
  Message m = NewMessage(Message::Type::kLsUpdate);
  size_t bytes = 4;
  auto emit = [&]() {
    if (m.lsas.empty()) return;
    ++stats_.updates_sent;
    stats_.lsas_sent += m.lsas.size();
    out->push_back({itf.cfg.ifindex, itf.cfg.peer_addr, std::move(m)});
    m = NewMessage(Message::Type::kLsUpdate);
    bytes = 4;
  };
  for (auto& l : send) {
    if (bytes + l->header.length > MaxOspfPayload(itf.cfg.mtu)) emit();
    bytes += l->header.length;
    m.lsas.push_back(std::move(l));
  }
  emit();
}

void LinkStateRouting::Flush(SimTime now, std::vector<Send>* out) {
  std::vector<uint32_t> ready;
  while (!due_.empty() && due_.top().first <= now) {
    const auto [due, i] = due_.top();
    due_.pop();
    if (due != interfaces_[i].queued_due) continue;  // superseded by an earlier time
    interfaces_[i].queued_due = kNever;
    ready.push_back(i);
  }
  // Packets leave in interface order, whatever order their times came due in.
  std::sort(ready.begin(), ready.end());
  for (uint32_t i : ready) {
    Interface& itf = interfaces_[i];
    if (!itf.flood.empty() && now >= itf.next_update) {
      std::vector<LsaRef> batch;
      batch.swap(itf.flood);
      SendUpdates(itf, batch, out);
      itf.next_update = now + config_.flood_pacing;
    }
    if (!itf.acks.empty() && now >= itf.ack_due) {
      const size_t per_packet = HeadersPerPacket(itf.cfg.mtu);
      for (size_t k = 0; k < itf.acks.size(); k += per_packet) {
        Message m = NewMessage(Message::Type::kLsAck);
        m.headers.assign(itf.acks.begin() + k, itf.acks.begin() + std::min(itf.acks.size(), k + per_packet));
        ++stats_.acks_sent;
        out->push_back({itf.cfg.ifindex, itf.cfg.peer_addr, std::move(m)});
      }
      std::deque<LsaHeader>().swap(itf.acks);  // a flood wave's worth of blocks, given back
      itf.ack_due = kNever;
    }
    MarkPending(itf);  // what is left waits for its time
  }
}

void LinkStateRouting::SetState(SimTime now, Interface& itf, NeighborState next) {
  const bool was_full = itf.nbr.state == NeighborState::kFull;
  itf.nbr.state = next;
  if (was_full != (next == NeighborState::kFull)) {
    full_count_ = was_full ? full_count_ - 1 : full_count_ + 1;
    // The router-LSA lists full neighbours only (§12.4): a change of adjacency is a new instance.
    RequestOriginate(now);
    Changed();
    RecomputeFloodingTopology(now);
  }
}

void LinkStateRouting::KillNeighbor(SimTime now, Interface& itf) {
  SetState(now, itf, NeighborState::kDown);
  itf.nbr = Neighbor();
  itf.flood.clear();
  itf.acks.clear();
  itf.ack_due = kNever;
}

void LinkStateRouting::SetCarrier(SimTime now, uint32_t ifindex, bool up, std::vector<Send>* out) {
  Interface* itf = Find(ifindex);
  if (!itf || itf->cfg.carrier == up) return;
  itf->cfg.carrier = up;
  // Loss of carrier takes the adjacency down at once, without waiting for the dead interval; either way the
  // interface's stub network leaves or rejoins the router-LSA.
  if (!up && itf->nbr.state != NeighborState::kDown) KillNeighbor(now, *itf);
  RequestOriginate(now);
  if (up && !itf->cfg.passive && started_) out->push_back({itf->cfg.ifindex, itf->cfg.peer_addr, MakeHello(*itf)});
}

void LinkStateRouting::Receive(SimTime now, uint32_t ifindex, const Message& m, std::vector<Send>* out) {
  Interface* itf = Find(ifindex);
  if (!started_ || !itf || itf->cfg.passive || !itf->cfg.carrier) return;
  now_ = now;
  if (m.type == Message::Type::kHello) {
    ReceiveHello(now, *itf, m, out);
  } else if (itf->nbr.state != NeighborState::kDown && m.router_id == itf->nbr.router_id) {
    switch (m.type) {
      case Message::Type::kDbDescription: ReceiveDd(now, *itf, m, out); break;
      case Message::Type::kLsRequest: ReceiveRequest(now, *itf, m, out); break;
      case Message::Type::kLsUpdate: ReceiveUpdate(now, *itf, m); break;
      case Message::Type::kLsAck: ReceiveAck(*itf, m); break;
      default: break;
    }
  }
  if (originate_pending_ && now >= originate_due_) Originate(now);
  Flush(now, out);
}

void LinkStateRouting::ReceiveHello(SimTime now, Interface& itf, const Message& m, std::vector<Send>* out) {
  // RFC 2328 §10.5: a hello whose intervals differ from ours is dropped, so no adjacency forms.
  if (m.hello.hello_interval_s != Seconds(config_.hello_interval) ||
      m.hello.dead_interval_s != Seconds(config_.dead_interval)) {
    return;
  }
  Neighbor& nb = itf.nbr;
  if (nb.state != NeighborState::kDown && nb.router_id != m.router_id) KillNeighbor(now, itf);
  if (nb.state == NeighborState::kDown) {
    nb.router_id = m.router_id;
    nb.state = NeighborState::kInit;
    NoteDeadline(now + config_.dead_interval);
  }
  nb.last_heard = now;
  const bool two_way = std::find(m.hello.neighbors.begin(), m.hello.neighbors.end(), id_) != m.hello.neighbors.end();
  if (!two_way) {
    if (nb.state >= NeighborState::kExStart) {
      // 1-WayReceived: the neighbour restarted and forgot us (§10.3).
      const uint32_t rid = nb.router_id;
      KillNeighbor(now, itf);
      nb.router_id = rid;
      nb.state = NeighborState::kInit;
      nb.last_heard = now;
      NoteDeadline(now + config_.dead_interval);
    }
    // Answer at once so the neighbour sees us without waiting a hello interval (FRR answers a new neighbour's
    // hello after OSPF_HELLO_REPLY_DELAY, 1 s; at once keeps a scenario's cold start short).
    out->push_back({itf.cfg.ifindex, itf.cfg.peer_addr, MakeHello(itf)});
    return;
  }
  if (nb.state == NeighborState::kInit) {
    out->push_back({itf.cfg.ifindex, itf.cfg.peer_addr, MakeHello(itf)});
    StartExchange(now, itf, out);
  }
}

void LinkStateRouting::StartExchange(SimTime now, Interface& itf, std::vector<Send>* out) {
  Neighbor& nb = itf.nbr;
  if (nb.state > NeighborState::kExStart) SetState(now, itf, NeighborState::kExStart);
  nb.state = NeighborState::kExStart;
  nb.requests.clear();
  nb.rxmt.Clear();
  nb.rxmt_due = nb.lsr_rxmt_due = kNever;
  nb.summary.clear();
  nb.summary_pos = 0;
  nb.peer_more = true;
  // §10.8: ExStart claims mastership with an empty packet carrying I, M and MS, retransmitted until answered.
  nb.master = true;
  nb.dd_seq = ++dd_seq_seed_;
  Message dd = NewDd(itf);
  dd.dd_flags = kDdInit | kDdMore | kDdMaster;
  dd.dd_seq = nb.dd_seq;
  nb.last_dd = dd;
  nb.dd_rxmt_due = now + config_.rxmt_interval;
  NoteDeadline(nb.dd_rxmt_due);
  out->push_back({itf.cfg.ifindex, itf.cfg.peer_addr, std::move(dd)});
}

void LinkStateRouting::SendNextDd(SimTime now, Interface& itf, std::vector<Send>* out) {
  Neighbor& nb = itf.nbr;
  Message dd = NewDd(itf);
  const size_t end = std::min(nb.summary.size(), nb.summary_pos + HeadersPerPacket(itf.cfg.mtu));
  dd.headers.assign(nb.summary.begin() + nb.summary_pos, nb.summary.begin() + end);
  nb.summary_pos = end;
  dd.dd_flags = (end < nb.summary.size() ? kDdMore : 0) | (nb.master ? kDdMaster : 0);
  dd.dd_seq = nb.dd_seq;
  nb.last_dd = dd;
  nb.dd_rxmt_due = nb.master ? now + config_.rxmt_interval : kNever;
  NoteDeadline(nb.dd_rxmt_due);
  out->push_back({itf.cfg.ifindex, itf.cfg.peer_addr, std::move(dd)});
}

void LinkStateRouting::ProcessDdHeaders(Interface& itf, const Message& m) {
  for (const auto& h : m.headers) {
    if (h.type != 1) continue;
    const DbEntry* db = Db(h.adv);
    if (db && CompareInstances(h, db->lsa->header) <= 0) continue;
    auto [it, added] = itf.nbr.requests.emplace(h.adv, h);
    if (!added && CompareInstances(h, it->second) > 0) it->second = h;
  }
}

void LinkStateRouting::MaybeExchangeDone(SimTime now, Interface& itf, std::vector<Send>* out) {
  Neighbor& nb = itf.nbr;
  const bool sent_all = nb.summary_pos >= nb.summary.size() && !(nb.last_dd.dd_flags & kDdMore);
  if (nb.peer_more || !sent_all) return;
  // ExchangeDone (§10.8): full at once if nothing is missing, else ask for it.
  nb.dd_rxmt_due = kNever;
  std::vector<LsaHeader>().swap(nb.summary);
  nb.summary_pos = 0;
  if (nb.requests.empty()) {
    SetState(now, itf, NeighborState::kFull);
  } else {
    nb.state = NeighborState::kLoading;
    SendRequests(now, itf, out);
  }
}

void LinkStateRouting::ReceiveDd(SimTime now, Interface& itf, const Message& m, std::vector<Send>* out) {
  Neighbor& nb = itf.nbr;
  // RFC 2328 §10.6: a description announcing an MTU larger than ours is rejected (the neighbour's updates would
  // not fit our interface), so the adjacency never leaves ExStart and retransmits its descriptions for ever.
  if (m.dd_mtu > itf.cfg.mtu) {
    ++stats_.mtu_mismatches;
    return;
  }
  if (nb.state == NeighborState::kInit) StartExchange(now, itf, out);
  const bool init = m.dd_flags & kDdInit, more = m.dd_flags & kDdMore, ms = m.dd_flags & kDdMaster;
  auto enter_exchange = [&]() {
    nb.state = NeighborState::kExchange;
    // The database summary list: every LSA as the exchange begins (§10.3, NegotiationDone).
    nb.summary.clear();
    nb.summary_pos = 0;
    for (const auto& e : lsdb_) {
      if (e.lsa) nb.summary.push_back(e.lsa->header);
    }
    std::sort(nb.summary.begin(), nb.summary.end(), [](const LsaHeader& a, const LsaHeader& b) { return a.adv < b.adv; });
  };
  if (nb.state == NeighborState::kExStart) {
    if (init && more && ms && m.headers.empty() && m.router_id > id_) {
      nb.master = false;  // the neighbour's id is higher: it is the master
      nb.dd_seq = m.dd_seq;
      enter_exchange();
      nb.peer_more = true;
      SendNextDd(now, itf, out);
    } else if (!init && !ms && m.dd_seq == nb.dd_seq && m.router_id < id_) {
      nb.master = true;
      enter_exchange();
      ProcessDdHeaders(itf, m);
      nb.peer_more = more;
      ++nb.dd_seq;
      SendNextDd(now, itf, out);
    }
    return;
  }
  if (nb.state == NeighborState::kExchange) {
    if (nb.master) {
      if (ms || init) return StartExchange(now, itf, out);  // SeqNumberMismatch
      if (m.dd_seq != nb.dd_seq) return;                     // an old duplicate
      ProcessDdHeaders(itf, m);
      nb.peer_more = more;
      const bool sent_all = nb.summary_pos >= nb.summary.size() && !(nb.last_dd.dd_flags & kDdMore);
      if (!more && sent_all) return MaybeExchangeDone(now, itf, out);
      ++nb.dd_seq;
      SendNextDd(now, itf, out);
    } else {
      if (m.dd_seq == nb.dd_seq) {  // the master did not hear our answer
        out->push_back({itf.cfg.ifindex, itf.cfg.peer_addr, nb.last_dd});
        return;
      }
      if (!ms || init || m.dd_seq != nb.dd_seq + 1) return StartExchange(now, itf, out);
      ProcessDdHeaders(itf, m);
      nb.dd_seq = m.dd_seq;
      nb.peer_more = more;
      SendNextDd(now, itf, out);
      MaybeExchangeDone(now, itf, out);
    }
    return;
  }
  // Loading or Full: a slave repeats its last answer to a duplicate; a master drops duplicates (§10.6).
  if (!nb.master && m.dd_seq == nb.dd_seq) out->push_back({itf.cfg.ifindex, itf.cfg.peer_addr, nb.last_dd});
}

void LinkStateRouting::SendRequests(SimTime now, Interface& itf, std::vector<Send>* out) {
  Neighbor& nb = itf.nbr;
  if (nb.requests.empty()) {
    nb.lsr_rxmt_due = kNever;
    return;
  }
  Message m = NewMessage(Message::Type::kLsRequest);
  for (const auto& [adv, _] : nb.requests) {
    m.requests.push_back(adv);
    if (m.requests.size() == RequestsPerPacket(itf.cfg.mtu)) {
      out->push_back({itf.cfg.ifindex, itf.cfg.peer_addr, std::move(m)});
      m = NewMessage(Message::Type::kLsRequest);
    }
  }
  if (!m.requests.empty()) out->push_back({itf.cfg.ifindex, itf.cfg.peer_addr, std::move(m)});
  nb.lsr_rxmt_due = now + config_.rxmt_interval;
  NoteDeadline(nb.lsr_rxmt_due);
}

void LinkStateRouting::ReceiveRequest(SimTime now, Interface& itf, const Message& m, std::vector<Send>* out) {
  if (itf.nbr.state < NeighborState::kExchange) return;
  std::vector<LsaRef> lsas;
  for (uint32_t adv : m.requests) {
    const DbEntry* db = Db(adv);
    if (!db) return StartExchange(now, itf, out);  // BadLSReq (§10.7)
    lsas.push_back(RefOf(db->lsa));
  }
  SendUpdates(itf, lsas, out);
}

void LinkStateRouting::ReceiveUpdate(SimTime now, Interface& itf, const Message& m) {
  Neighbor& nb = itf.nbr;
  if (nb.state < NeighborState::kExchange) return;
  bool own_newer = false;
  for (const LsaRef& lsa : m.lsas) {
    const DbEntry* db = DbOf(*lsa);
    const int cmp = db ? CompareInstances(lsa->header, db->lsa->header) : 1;
    auto req = nb.requests.find(lsa->origin());
    if (req != nb.requests.end() && CompareInstances(lsa->header, req->second) >= 0) nb.requests.erase(req);
    if (cmp > 0) {
      // MinLSArrival (§13 step 5a): an instance too soon after the last is dropped, unacknowledged.
      if (db && now - db->installed < config_.min_ls_arrival) continue;
      if (lsa->origin() == id_) {
        // An instance of our own from before a restart (§13.4): jump past it and originate anew.
        seq_ = std::max(seq_, lsa->seq());
        own_newer = true;
      }
      Flood(lsa, itf.cfg.ifindex, now);
      ForgetOlderInstances(*lsa);
      Install(now, lsa);
      itf.acks.push_back(lsa->header);
      itf.ack_due = std::min(itf.ack_due, now + config_.ack_delay);
      MarkPending(itf);
    } else if (cmp == 0) {
      ++stats_.duplicates;
      // The list holds the database's copy, which this one equals.
      if (nb.rxmt.Erase(IndexOfOrigin(*lsa))) {  // an implied acknowledgement (§13 step 7a)
        if (nb.rxmt.empty()) nb.rxmt_due = kNever;
      } else {
        itf.acks.push_back(lsa->header);  // a direct acknowledgement (§13 step 7b)
        itf.ack_due = now;
        MarkPending(itf);
      }
    } else if (now - db->installed >= config_.min_ls_arrival) {
      // The neighbour's copy is older: send ours back (§13 step 8), not kept for retransmission.
      itf.flood.push_back(RefOf(db->lsa));
      MarkPending(itf);
    }
  }
  if (own_newer) {
    originate_pending_ = false;
    Originate(now);
  }
  if (nb.state == NeighborState::kLoading && nb.requests.empty()) SetState(now, itf, NeighborState::kFull);
}

void LinkStateRouting::ReceiveAck(Interface& itf, const Message& m) {
  Neighbor& nb = itf.nbr;
  if (nb.state < NeighborState::kExchange) return;
  for (const auto& h : m.headers) {
    const uint32_t idx = pool_->IndexIfKnown(h.adv);
    if (idx == LsaPool::kUnknown || !nb.rxmt.Has(idx)) continue;
    if (CompareInstances(lsdb_[idx].lsa->header, h) == 0) nb.rxmt.Erase(idx);
  }
  if (nb.rxmt.empty()) nb.rxmt_due = kNever;
}

std::vector<Route> LinkStateRouting::ComputeRoutes() {
  RouteTable t = ComputeRouteTable();
  std::vector<Route> out;
  out.reserve(t.routes.size());
  for (const auto& e : t.routes) out.push_back(Route{e.prefix, e.len, t.sets[e.set], e.cost});
  return out;
}

RouteTable LinkStateRouting::ComputeRouteTable() {
  const size_t n = lsdb_.size();
  const uint32_t me = pool_->IndexIfKnown(id_);
  constexpr uint64_t kInf = UINT64_MAX;
  // Sets of first hops, interned for this computation: in a mesh most routers share one of a few sets, so a
  // router holds a set's number and equal-cost merges are looked up, not rebuilt.
  std::vector<std::vector<NextHop>> sets(1);  // set 0: no first hop
  std::map<std::vector<NextHop>, uint32_t> set_ids;
  std::unordered_map<uint64_t, uint32_t> unions;
  auto intern = [&](std::vector<NextHop> hops) {
    auto [it, added] = set_ids.emplace(hops, static_cast<uint32_t>(sets.size()));
    if (added) sets.push_back(std::move(hops));
    return it->second;
  };
  auto unite = [&](uint32_t a, uint32_t b) -> uint32_t {
    if (a == b || b == 0) return a;
    if (a == 0) return b;
    const uint64_t key = (uint64_t(std::min(a, b)) << 32) | std::max(a, b);
    auto it = unions.find(key);
    if (it != unions.end()) return it->second;
    std::vector<NextHop> merged;
    std::set_union(sets[a].begin(), sets[a].end(), sets[b].begin(), sets[b].end(), std::back_inserter(merged));
    const uint32_t id = intern(std::move(merged));
    unions.emplace(key, id);
    return id;
  };
  std::vector<uint64_t> dist(n, kInf);
  std::vector<uint32_t> hop_set(n, 0);
  std::vector<char> done(n, 0);
  using Item = std::pair<uint64_t, uint32_t>;  // distance, router index
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> pq;
  // Dijkstra keeping, per router, the first hops of all its shortest paths: a path through u of the same cost as
  // the best adds u's first hops (RFC 2328 §16.1, equal-cost multipath).
  auto relax = [&](uint32_t v, uint64_t d, uint32_t via) {
    if (d < dist[v]) {
      dist[v] = d;
      hop_set[v] = via;
      pq.emplace(d, v);
    } else if (d == dist[v]) {
      hop_set[v] = unite(hop_set[v], via);
    }
  };
  // First hops: our full adjacencies whose LSA lists us back; parallel links to one neighbour are equal-cost hops.
  for (const auto& itf : interfaces_) {
    if (itf.nbr.state != NeighborState::kFull || !itf.cfg.carrier) continue;
    const uint32_t v = pool_->IndexIfKnown(itf.nbr.router_id);
    if (v == LsaPool::kUnknown || v >= n || v == me || !lsdb_[v].lsa || !lsdb_[v].lsa->Lists(id_)) continue;
    relax(v, itf.cfg.cost, intern({NextHop{itf.cfg.peer_addr, itf.cfg.ifindex}}));
  }
  if (me != LsaPool::kUnknown && me < n) done[me] = 1;
  while (!pq.empty()) {
    auto [d, u] = pq.top();
    pq.pop();
    if (done[u] || d != dist[u]) continue;
    done[u] = 1;
    const Lsa& lsa = *lsdb_[u].lsa;
    for (size_t k = 0; k < lsa.links.size(); ++k) {
      const uint32_t v = lsa.link_index[k];
      // The two-way check (§16.1 step 2b): the link counts only if v's LSA lists u back.
      if (v >= n || done[v] || !lsdb_[v].lsa || !lsdb_[v].lsa->Lists(lsa.origin())) continue;
      relax(v, d + lsa.links[k].cost, hop_set[u]);
    }
  }
  if (config_.dynamic_flooding && me != LsaPool::kUnknown) CheckFloodingTopology(done, me);
  // Stub networks (§16.1 step 2 for stubs): cost is the router's distance plus the stub's cost; a prefix several
  // routers announce at the same cost (a transit subnet, both ends) is reached over the first hops of all of them.
  const size_t np = pool_->prefixes();
  std::vector<uint64_t> best(np, kInf);
  std::vector<uint32_t> best_set(np, 0);
  for (uint32_t r = 0; r < n; ++r) {
    if (!done[r] || r == me || dist[r] == kInf) continue;
    const Lsa& lsa = *lsdb_[r].lsa;
    for (size_t k = 0; k < lsa.prefixes.size(); ++k) {
      const uint32_t pid = lsa.prefix_id[k];
      const uint64_t c = dist[r] + lsa.prefixes[k].cost;
      if (c < best[pid]) {
        best[pid] = c;
        best_set[pid] = hop_set[r];
      } else if (c == best[pid]) {
        best_set[pid] = unite(best_set[pid], hop_set[r]);
      }
    }
  }
  for (const auto& itf : interfaces_) {
    const uint32_t pid = pool_->PrefixId((uint64_t(itf.cfg.local_addr & MaskOf(itf.cfg.prefix_len)) << 8) | itf.cfg.prefix_len);
    if (pid < np) best[pid] = kInf;  // our own subnets are connected routes, not learned ones
  }
  RouteTable out;
  for (uint32_t pid : pool_->PrefixesInOrder()) {
    if (pid >= np || best[pid] == kInf) continue;
    const uint64_t key = pool_->PrefixKey(pid);
    out.routes.push_back({static_cast<uint32_t>(key >> 8), static_cast<uint8_t>(key & 0xff), best_set[pid],
                          static_cast<uint32_t>(best[pid])});
  }
  out.sets = std::move(sets);
  return out;
}

SimTime SpfBackoff::OnEvent(SimTime now) {
  Advance(now);
  // Every IGP event restarts HOLDDOWN; the SPF delay depends on the state (RFC 8405 §5).
  holddown_due_ = now + config_.holddown;
  switch (state_) {
    case State::kQuiet:
      state_ = State::kShortWait;
      learn_due_ = now + config_.time_to_learn;
      if (spf_due_ < 0) spf_due_ = now + config_.initial;
      break;
    case State::kShortWait:
      if (spf_due_ < 0) spf_due_ = now + config_.short_wait;
      break;
    case State::kLongWait:
      if (spf_due_ < 0) spf_due_ = now + config_.long_wait;
      break;
  }
  return spf_due_;
}

SpfBackoff::State SpfBackoff::StateAt(SimTime now) {
  Advance(now);
  return state_;
}

void SpfBackoff::Advance(SimTime now) {
  for (;;) {
    if (state_ == State::kShortWait && learn_due_ >= 0 && learn_due_ <= now &&
        (holddown_due_ < 0 || learn_due_ <= holddown_due_)) {
      state_ = State::kLongWait;  // LEARN_TIMER expired: events keep coming, this is not a single failure
      learn_due_ = -1;
      continue;
    }
    if (state_ != State::kQuiet && holddown_due_ >= 0 && holddown_due_ <= now) {
      state_ = State::kQuiet;  // HOLDDOWN expired: the network has been stable
      holddown_due_ = learn_due_ = -1;
      continue;
    }
    return;
  }
}

}  // namespace planelab::ls
