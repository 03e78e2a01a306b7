#include "models/switch/control/inband_paths.h"

#include <deque>

namespace planelab::sdn {

namespace {

/// Hop counts from `target` to every switch over switch-to-switch ports.
std::map<std::string, int> Distances(const InbandFabric& f, const std::string& target) {
  std::map<std::string, int> dist{{target, 0}};
  std::deque<std::string> queue{target};
  while (!queue.empty()) {
    std::string s = queue.front();
    queue.pop_front();
    auto it = f.ports.find(s);
    if (it == f.ports.end()) continue;
    for (const auto& p : it->second) {
      if (!p.to_switch || dist.count(p.peer)) continue;
      dist[p.peer] = dist[s] + 1;
      queue.push_back(p.peer);
    }
  }
  return dist;
}

}  // namespace

std::map<std::string, std::map<uint32_t, InbandHop>> InbandRoutes(const InbandFabric& f) {
  std::map<std::string, std::map<uint32_t, InbandHop>> out;
  // Where each endpoint hangs: a switch, and (for a controller) the port of that switch facing it.
  struct Target {
    uint32_t addr;
    std::string at;
    const InbandPort* port;  // null: the switch's own agent
  };
  std::vector<Target> targets;
  for (const auto& [sw, addr] : f.agent_addr) targets.push_back({addr, sw, nullptr});
  for (const auto& [ctl, addr] : f.controller_addr) {
    for (const auto& [sw, ports] : f.ports) {
      const InbandPort* found = nullptr;
      for (const auto& p : ports) {
        if (p.peer == ctl) {
          found = &p;
          break;
        }
      }
      if (found) {
        targets.push_back({addr, sw, found});
        break;
      }
    }
  }
  for (const auto& t : targets) {
    std::map<std::string, int> dist = Distances(f, t.at);
    for (const auto& [sw, ports] : f.ports) {
      if (sw == t.at) {
        if (t.port) out[sw][t.addr] = {t.port->ifindex, t.port->peer_addr};
        continue;
      }
      auto d = dist.find(sw);
      if (d == dist.end()) continue;  // no path over the fabric
      for (const auto& p : ports) {
        auto pd = p.to_switch ? dist.find(p.peer) : dist.end();
        if (pd != dist.end() && pd->second == d->second - 1) {
          out[sw][t.addr] = {p.ifindex, p.peer_addr};
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace planelab::sdn
