#include "models/router/control/link_state_routing.h"

#include <algorithm>
#include <queue>
#include <set>
#include <tuple>

namespace planelab::ls {

namespace {
void Put32(std::vector<uint8_t>& b, uint32_t v) {
  const uint8_t bytes[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8),
                            static_cast<uint8_t>(v)};
  b.insert(b.end(), bytes, bytes + 4);
}
void Put64(std::vector<uint8_t>& b, uint64_t v) {
  Put32(b, static_cast<uint32_t>(v >> 32));
  Put32(b, static_cast<uint32_t>(v));
}
struct Reader {
  const uint8_t* p;
  size_t n, i = 0;
  bool ok = true;
  uint32_t U32() {
    if (i + 4 > n) { ok = false; return 0; }
    uint32_t v = (uint32_t(p[i]) << 24) | (uint32_t(p[i + 1]) << 16) | (uint32_t(p[i + 2]) << 8) | p[i + 3];
    i += 4;
    return v;
  }
  uint8_t U8() {
    if (i + 1 > n) { ok = false; return 0; }
    return p[i++];
  }
  uint64_t U64() { uint64_t hi = U32(); return (hi << 32) | U32(); }
};
constexpr uint32_t kMagic = 0x504c4c53;  // "PLLS"
constexpr uint32_t kMaxItems = 1u << 20;
uint32_t MaskOf(uint8_t len) { return len == 0 ? 0 : 0xffffffffu << (32 - len); }
}  // namespace

std::vector<uint8_t> Encode(const Message& m) {
  std::vector<uint8_t> b;
  // Sized once: a database exchange carries every LSA of the area.
  size_t size = 9 + 4 * m.hello.seen.size();
  for (const auto& l : m.lsas) size += 20 + 8 * l.links.size() + 5 * l.prefixes.size();
  b.reserve(size);
  Put32(b, kMagic);
  b.push_back(static_cast<uint8_t>(m.type));
  if (m.type == Message::Type::kHello) {
    Put32(b, m.hello.router_id);
    Put32(b, static_cast<uint32_t>(m.hello.seen.size()));
    for (uint32_t s : m.hello.seen) Put32(b, s);
  } else {
    Put32(b, static_cast<uint32_t>(m.lsas.size()));
    for (const auto& l : m.lsas) {
      Put32(b, l.origin);
      Put64(b, l.seq);
      Put32(b, static_cast<uint32_t>(l.links.size()));
      for (const auto& a : l.links) { Put32(b, a.neighbor); Put32(b, a.cost); }
      Put32(b, static_cast<uint32_t>(l.prefixes.size()));
      for (const auto& p : l.prefixes) { Put32(b, p.prefix); b.push_back(p.len); }
    }
  }
  return b;
}

bool Decode(const uint8_t* data, size_t size, Message* out) {
  Reader r{data, size};
  if (r.U32() != kMagic || !r.ok) return false;
  uint8_t type = r.U8();
  *out = Message();
  if (type == 1) {
    out->type = Message::Type::kHello;
    out->hello.router_id = r.U32();
    uint32_t n = r.U32();
    if (n > kMaxItems) return false;
    for (uint32_t i = 0; i < n && r.ok; ++i) out->hello.seen.push_back(r.U32());
  } else if (type == 2) {
    out->type = Message::Type::kUpdate;
    uint32_t n = r.U32();
    if (n > kMaxItems) return false;
    for (uint32_t i = 0; i < n && r.ok; ++i) {
      Lsa l;
      l.origin = r.U32();
      l.seq = r.U64();
      uint32_t nl = r.U32();
      if (nl > kMaxItems) return false;
      for (uint32_t j = 0; j < nl && r.ok; ++j) l.links.push_back({r.U32(), r.U32()});
      uint32_t np = r.U32();
      if (np > kMaxItems) return false;
      for (uint32_t j = 0; j < np && r.ok; ++j) {
        PrefixAdv p;
        p.prefix = r.U32();
        p.len = r.U8();
        if (p.len > 32) return false;
        l.prefixes.push_back(p);
      }
      out->lsas.push_back(std::move(l));
    }
  } else {
    return false;
  }
  return r.ok && r.i == size;
}

LinkStateRouting::LinkStateRouting(uint32_t router_id, Config config, std::vector<InterfaceConfig> interfaces)
    : id_(router_id), config_(config), interfaces_(std::move(interfaces)) {
  std::sort(interfaces_.begin(), interfaces_.end(),
            [](const InterfaceConfig& a, const InterfaceConfig& b) { return a.ifindex < b.ifindex; });
}

InterfaceConfig* LinkStateRouting::Find(uint32_t ifindex) {
  for (auto& i : interfaces_) {
    if (i.ifindex == ifindex) return &i;
  }
  return nullptr;
}

uint32_t LinkStateRouting::InterfaceFor(uint32_t src) const {
  for (const auto& i : interfaces_) {
    uint32_t m = MaskOf(i.prefix_len);
    if ((i.local_addr & m) == (src & m)) return i.ifindex;
  }
  return 0;
}

size_t LinkStateRouting::adjacencies_up() const {
  size_t n = 0;
  for (const auto& [_, nb] : neighbors_) n += nb.full ? 1 : 0;
  return n;
}

size_t LinkStateRouting::adjacencies_configured() const {
  size_t n = 0;
  for (const auto& i : interfaces_) n += i.passive ? 0 : 1;
  return n;
}

Message LinkStateRouting::MakeHello(const InterfaceConfig& itf) const {
  Message m;
  m.type = Message::Type::kHello;
  m.hello.router_id = id_;
  auto it = neighbors_.find(itf.ifindex);
  if (it != neighbors_.end()) m.hello.seen.push_back(it->second.router_id);
  return m;
}

void LinkStateRouting::Start(SimTime now, std::vector<Send>* out) {
  started_ = true;
  next_hello_ = now;
  Originate(out);
  Tick(now, out);
}

void LinkStateRouting::Reset() {
  neighbors_.clear();
  lsdb_.clear();
  dirty_ = true;
  started_ = false;
  // seq_ is kept: a restarted router must not reuse sequence numbers its neighbours remember.
}

void LinkStateRouting::Tick(SimTime now, std::vector<Send>* out) {
  if (!started_) return;
  // RouterDeadInterval: a neighbour unheard for that long is declared down (RFC 2328 §10.3).
  std::vector<uint32_t> dead;
  for (const auto& [ifindex, nb] : neighbors_) {
    if (now - nb.last_heard >= config_.dead_interval) dead.push_back(ifindex);
  }
  for (uint32_t ifindex : dead) NeighborDown(ifindex, out);
  if (now >= next_hello_) {
    for (const auto& itf : interfaces_) {
      if (itf.passive || !itf.carrier) continue;
      out->push_back({itf.ifindex, itf.peer_addr, MakeHello(itf)});
    }
    next_hello_ = now + config_.hello_interval;
  }
}

SimTime LinkStateRouting::NextDeadline() const {
  SimTime next = next_hello_;
  for (const auto& [_, nb] : neighbors_) next = std::min(next, nb.last_heard + config_.dead_interval);
  return next;
}

void LinkStateRouting::Originate(std::vector<Send>* out) {
  Lsa lsa;
  lsa.origin = id_;
  lsa.seq = ++seq_;
  for (const auto& itf : interfaces_) {
    if (!itf.carrier) continue;
    lsa.prefixes.push_back({itf.local_addr & MaskOf(itf.prefix_len), itf.prefix_len});
    auto nb = neighbors_.find(itf.ifindex);
    if (nb != neighbors_.end() && nb->second.full) lsa.links.push_back({nb->second.router_id, itf.cost});
  }
  lsdb_[id_] = lsa;
  dirty_ = true;
  Flood(lsa, 0, out);
}

void LinkStateRouting::Flood(const Lsa& lsa, uint32_t except_ifindex, std::vector<Send>* out) {
  for (const auto& itf : interfaces_) {
    if (itf.ifindex == except_ifindex || itf.passive || !itf.carrier) continue;
    auto nb = neighbors_.find(itf.ifindex);
    if (nb == neighbors_.end() || !nb->second.full) continue;
    Message m;
    m.type = Message::Type::kUpdate;
    m.lsas.push_back(lsa);
    out->push_back({itf.ifindex, itf.peer_addr, std::move(m)});
  }
}

void LinkStateRouting::NeighborDown(uint32_t ifindex, std::vector<Send>* out) {
  auto it = neighbors_.find(ifindex);
  if (it == neighbors_.end()) return;
  bool was_full = it->second.full;
  neighbors_.erase(it);
  if (was_full) Originate(out);
}

void LinkStateRouting::SetCarrier(SimTime now, uint32_t ifindex, bool up, std::vector<Send>* out) {
  InterfaceConfig* itf = Find(ifindex);
  if (!itf || itf->carrier == up) return;
  itf->carrier = up;
  if (!up) {
    // Loss of carrier takes the adjacency down at once, without waiting for the dead interval.
    if (neighbors_.count(ifindex)) {
      neighbors_.erase(ifindex);
    }
    Originate(out);
  } else {
    Originate(out);  // the prefix is back
    if (!itf->passive) out->push_back({itf->ifindex, itf->peer_addr, MakeHello(*itf)});
  }
}

void LinkStateRouting::Receive(SimTime now, uint32_t ifindex, const Message& m, std::vector<Send>* out) {
  InterfaceConfig* itf = Find(ifindex);
  if (!started_ || !itf || itf->passive || !itf->carrier) return;
  if (m.type == Message::Type::kHello) {
    Neighbor& nb = neighbors_[ifindex];
    bool was_full = nb.full;
    if (nb.router_id != 0 && nb.router_id != m.hello.router_id) was_full = false;
    nb.router_id = m.hello.router_id;
    nb.last_heard = now;
    bool two_way = std::find(m.hello.seen.begin(), m.hello.seen.end(), id_) != m.hello.seen.end();
    if (!two_way && !was_full) {
      // Answer at once so the neighbour sees us without waiting a hello interval.
      out->push_back({itf->ifindex, itf->peer_addr, MakeHello(*itf)});
    }
    if (two_way && !was_full) {
      nb.full = true;
      out->push_back({itf->ifindex, itf->peer_addr, MakeHello(*itf)});
      // Database exchange, simplified: hand the new neighbour our whole LSDB.
      Message all;
      all.type = Message::Type::kUpdate;
      for (const auto& [_, lsa] : lsdb_) all.lsas.push_back(lsa);
      Originate(out);
      all.lsas.push_back(lsdb_[id_]);
      out->push_back({itf->ifindex, itf->peer_addr, std::move(all)});
    } else if (!two_way && was_full) {
      nb.full = false;  // the neighbour restarted and forgot us
      Originate(out);
    }
    return;
  }
  for (const Lsa& lsa : m.lsas) {
    if (lsa.origin == id_) {
      // An old instance of our own LSA (we restarted): jump past it and re-originate (RFC 2328 §13.4).
      if (lsa.seq >= seq_) {
        seq_ = lsa.seq;
        Originate(out);
      }
      continue;
    }
    auto it = lsdb_.find(lsa.origin);
    if (it != lsdb_.end() && it->second.seq >= lsa.seq) continue;
    lsdb_[lsa.origin] = lsa;
    dirty_ = true;
    Flood(lsa, ifindex, out);
  }
}

std::vector<Route> LinkStateRouting::ComputeRoutes() {
  dirty_ = false;
  // Two-way check: an edge u->v counts only if v's LSA also lists u.
  auto lists = [&](uint32_t u, uint32_t v) {
    auto it = lsdb_.find(u);
    if (it == lsdb_.end()) return false;
    for (const auto& l : it->second.links) if (l.neighbor == v) return true;
    return false;
  };
  // Dijkstra that keeps, per router, the set of first hops of all its shortest paths: a path
  // through u of the same cost as the best adds u's first hops (RFC 2328 §16.1, "equal-cost
  // multipath": the next hops of all equal-cost paths are kept).
  std::map<uint32_t, uint64_t> dist;
  std::map<uint32_t, std::set<NextHop>> hops;
  using Item = std::pair<uint64_t, uint32_t>;  // dist, router
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> pq;
  auto relax = [&](uint32_t v, uint64_t d, const std::set<NextHop>& via) {
    auto it = dist.find(v);
    if (it == dist.end() || d < it->second) {
      dist[v] = d;
      hops[v] = via;
      pq.emplace(d, v);
    } else if (d == it->second) {
      hops[v].insert(via.begin(), via.end());
    }
  };
  // First hops: our full adjacencies; parallel links to one neighbour are equal-cost hops too.
  for (const auto& itf : interfaces_) {
    auto nb = neighbors_.find(itf.ifindex);
    if (nb == neighbors_.end() || !nb->second.full || !itf.carrier) continue;
    if (!lists(nb->second.router_id, id_)) continue;
    relax(nb->second.router_id, itf.cost, {NextHop{itf.peer_addr, itf.ifindex}});
  }
  std::set<uint32_t> done;
  done.insert(id_);
  while (!pq.empty()) {
    auto [d, r] = pq.top();
    pq.pop();
    if (done.count(r) || d != dist[r]) continue;
    done.insert(r);
    auto it = lsdb_.find(r);
    if (it == lsdb_.end()) continue;
    for (const auto& l : it->second.links) {
      if (done.count(l.neighbor) || !lists(l.neighbor, r)) continue;
      relax(l.neighbor, d + l.cost, hops[r]);
    }
  }
  std::set<std::pair<uint32_t, uint8_t>> own;
  for (const auto& itf : interfaces_) own.insert({itf.local_addr & MaskOf(itf.prefix_len), itf.prefix_len});
  struct Candidate {
    uint64_t cost;
    std::set<NextHop> hops;
  };
  std::map<std::pair<uint32_t, uint8_t>, Candidate> routes;
  for (uint32_t r : done) {
    if (r == id_) continue;
    const uint64_t d = dist[r];
    for (const auto& p : lsdb_[r].prefixes) {
      auto key = std::make_pair(p.prefix, p.len);
      if (own.count(key)) continue;
      auto it = routes.find(key);
      // A prefix announced by several routers at the same cost (a transit subnet, both ends)
      // is reached over the first hops of all of them.
      if (it == routes.end() || d < it->second.cost) {
        routes[key] = Candidate{d, hops[r]};
      } else if (d == it->second.cost) {
        it->second.hops.insert(hops[r].begin(), hops[r].end());
      }
    }
  }
  std::vector<Route> out;
  for (const auto& [key, c] : routes) {
    out.push_back(Route{key.first, key.second, std::vector<NextHop>(c.hops.begin(), c.hops.end()),
                        static_cast<uint32_t>(c.cost)});
  }
  return out;
}

}  // namespace planelab::ls
