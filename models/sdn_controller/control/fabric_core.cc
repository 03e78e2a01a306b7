#include "models/sdn_controller/control/fabric_core.h"

#include <algorithm>
#include <deque>

namespace planelab::sdn {

void FabricGraph::AddLink(PortRef from, PortRef to) {
  auto it = links_.find(from);
  if (it != links_.end() && it->second == to) return;
  links_[from] = to;
  Changed();
}

void FabricGraph::AddHost(uint32_t ipv4, PortRef at) {
  hosts_[ipv4] = at;
  Changed();
}

void FabricGraph::RemovePort(PortRef p) {
  for (auto it = links_.begin(); it != links_.end();) {
    if (it->first == p || it->second == p) {
      it = links_.erase(it);
      Changed();
    } else {
      ++it;
    }
  }
}

std::optional<PortRef> FabricGraph::HostAt(uint32_t ipv4) const {
  auto it = hosts_.find(ipv4);
  if (it == hosts_.end()) return std::nullopt;
  return it->second;
}

std::map<uint64_t, std::vector<uint32_t>> FabricGraph::NextHopsTo(uint32_t dst_ipv4) const {
  auto cached = cache_.find(dst_ipv4);
  if (cached != cache_.end()) return cached->second;
  std::map<uint64_t, std::vector<uint32_t>>& out = cache_[dst_ipv4];
  auto host = HostAt(dst_ipv4);
  if (!host) return out;
  // Reverse adjacency: who reaches whom through which port.
  if (into_.empty()) {
    for (const auto& [from, to] : links_) into_[to.dpid].push_back({from.dpid, from.port});
  }
  auto& into = into_;
  std::map<uint64_t, int> dist;
  std::deque<uint64_t> queue{host->dpid};
  dist[host->dpid] = 0;
  out[host->dpid] = {host->port};
  while (!queue.empty()) {
    uint64_t at = queue.front();
    queue.pop_front();
    for (const auto& [from, port] : into[at]) {
      auto d = dist.find(from);
      if (d == dist.end()) {
        dist[from] = dist[at] + 1;
        queue.push_back(from);
        out[from].push_back(port);
      } else if (d->second == dist[at] + 1) {
        out[from].push_back(port);  // an equal-cost next hop
      }
    }
  }
  for (auto& [dpid, ports] : out) {
    std::sort(ports.begin(), ports.end());
    ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
  }
  return out;
}

std::map<uint64_t, std::vector<uint32_t>> FabricGraph::PathTo(uint64_t from, uint32_t dst_ipv4) const {
  std::map<uint64_t, std::vector<uint32_t>> all = NextHopsTo(dst_ipv4), out;
  if (!all.count(from)) return out;
  std::deque<uint64_t> queue{from};
  while (!queue.empty()) {
    uint64_t at = queue.front();
    queue.pop_front();
    if (out.count(at)) continue;
    out[at] = all[at];
    for (uint32_t port : all[at]) {
      auto l = links_.find(PortRef{at, port});
      if (l != links_.end() && all.count(l->second.dpid)) queue.push_back(l->second.dpid);
    }
  }
  return out;
}

std::vector<FlowPlan> PlanDestination(const std::map<uint64_t, std::vector<uint32_t>>& hops, uint32_t dst_ipv4,
                                      uint16_t priority, uint64_t cookie, uint16_t idle_timeout,
                                      uint16_t hard_timeout) {
  std::vector<FlowPlan> out;
  for (const auto& [dpid, ports] : hops) {
    if (ports.empty()) continue;
    FlowPlan p;
    p.dpid = dpid;
    of13::Message& fm = p.flow_mod;
    fm.type = of13::Type::kFlowMod;
    fm.command = of13::FlowModCommand::kAdd;
    fm.priority = priority;
    fm.cookie = cookie;
    fm.idle_timeout = idle_timeout;
    fm.hard_timeout = hard_timeout;
    fm.flags = of13::kFlagSendFlowRem;
    fm.match.fields = of13::Match::kEthType | of13::Match::kIpv4Dst;
    fm.match.eth_type = of13::kEthTypeIpv4;
    fm.match.ipv4_dst = dst_ipv4;
    if (ports.size() == 1) {
      fm.actions = {of13::Output(ports[0])};
    } else {
      // One SELECT group per set of ports: every destination behind the same uplinks shares it, as a
      // fabric's ECMP groups are shared in hardware. The id is a hash of the ports, stable across members.
      uint32_t id = 0x811c9dc5u;
      for (uint32_t port : ports) id = (id ^ port) * 16777619u;
      id &= 0x7fffffffu;
      of13::Message gm;
      gm.type = of13::Type::kGroupMod;
      gm.group_command = 0;
      gm.group_type = 1;
      gm.group_id = id;
      for (uint32_t port : ports) gm.buckets.push_back({{of13::Output(port)}});
      p.group_mod = gm;
      fm.actions = {of13::ToGroup(id)};
    }
    out.push_back(std::move(p));
  }
  return out;
}

void ClusterState::Apply(const ClusterCommand& c) {
  if (c.kind == ClusterCommand::Kind::kIntent) {
    intents_[c.intent.id] = c.intent;
    return;
  }
  auto& cur = masters_[c.dpid];
  // A stale proposal (a term not above the current one) loses: terms only grow, as generation ids must.
  if (c.term <= cur.second) return;
  if (cur.first != c.master) ++changes_;
  cur = {c.master, c.term};
}

std::pair<uint64_t, uint64_t> ClusterState::MasterOf(uint64_t dpid) const {
  auto it = masters_.find(dpid);
  return it == masters_.end() ? std::pair<uint64_t, uint64_t>{0, 0} : it->second;
}

std::vector<ClusterCommand> Rebalance(const ClusterState& state, const std::vector<uint64_t>& switches,
                                      const std::set<uint64_t>& live) {
  std::vector<ClusterCommand> out;
  if (live.empty()) return out;
  std::map<uint64_t, size_t> load;
  for (uint64_t m : live) load[m] = 0;
  for (uint64_t s : switches) {
    auto [m, t] = state.MasterOf(s);
    if (live.count(m)) ++load[m];
  }
  for (uint64_t s : switches) {
    auto [m, t] = state.MasterOf(s);
    if (live.count(m)) continue;
    uint64_t best = 0;
    size_t best_load = SIZE_MAX;
    for (const auto& [member, n] : load) {
      if (n < best_load) {
        best = member;
        best_load = n;
      }
    }
    ++load[best];
    ClusterCommand c;
    c.kind = ClusterCommand::Kind::kMastership;
    c.dpid = s;
    c.master = best;
    c.term = t + 1;
    out.push_back(c);
  }
  return out;
}

}  // namespace planelab::sdn
