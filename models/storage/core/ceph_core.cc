#include "models/storage/core/ceph_core.h"

#include <algorithm>

#include "sim/util/hash.h"

namespace planelab::ceph {

namespace {

// SplitMix64's finalizer: a well-mixed 64-bit draw from (pg, osd), as straw2 draws from crush_hash32_3(x, id, r).
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

OsdMap OsdMap::Initial(int num_osds, const PoolConfig& pool) {
  OsdMap m;
  m.pool = pool;
  m.up.assign(static_cast<size_t>(num_osds), true);
  m.in.assign(static_cast<size_t>(num_osds), true);
  return m;
}

int OsdMap::num_up() const { return static_cast<int>(std::count(up.begin(), up.end(), true)); }
int OsdMap::num_in() const { return static_cast<int>(std::count(in.begin(), in.end(), true)); }

const char* ToString(MapChange::Kind k) {
  switch (k) {
    case MapChange::Kind::kMarkDown: return "mark-down";
    case MapChange::Kind::kMarkUp: return "mark-up";
    case MapChange::Kind::kMarkOut: return "mark-out";
    case MapChange::Kind::kMarkIn: return "mark-in";
    case MapChange::Kind::kCreateVolume: return "create-volume";
  }
  return "?";
}

bool Apply(OsdMap& map, const MapChange& c) {
  auto valid = [&]() { return c.osd >= 0 && c.osd < map.num_osds(); };
  bool changed = false;
  switch (c.kind) {
    case MapChange::Kind::kMarkDown:
      if (valid() && map.up[c.osd]) { map.up[c.osd] = false; changed = true; }
      break;
    case MapChange::Kind::kMarkUp:
      if (valid() && !map.up[c.osd]) { map.up[c.osd] = true; changed = true; }
      break;
    case MapChange::Kind::kMarkOut:
      if (valid() && map.in[c.osd]) { map.in[c.osd] = false; changed = true; }
      break;
    case MapChange::Kind::kMarkIn:
      if (valid() && !map.in[c.osd]) { map.in[c.osd] = true; changed = true; }
      break;
    case MapChange::Kind::kCreateVolume:
      changed = !c.volume.empty() && map.volumes.insert(c.volume).second;
      break;
  }
  if (changed) ++map.epoch;
  return changed;
}

uint32_t PgOf(const std::string& object, uint32_t pg_num) {
  return pg_num == 0 ? 0 : static_cast<uint32_t>(Fnv1a64(object) % pg_num);
}

std::vector<int> CrushRanking(uint32_t pg, const OsdMap& map) {
  std::vector<std::pair<uint64_t, int>> straws;
  for (int osd = 0; osd < map.num_osds(); ++osd) {
    if (!map.in[osd]) continue;  // weight 0: an out OSD draws no straw
    straws.push_back({Mix((static_cast<uint64_t>(pg) << 32) ^ static_cast<uint64_t>(osd) ^ 0x5eedULL), osd});
  }
  // Longest straw first; ties (never in practice) by OSD id, so the order is total.
  std::sort(straws.begin(), straws.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<int> ranked;
  for (const auto& s : straws) ranked.push_back(s.second);
  return ranked;
}

std::vector<int> UpSet(uint32_t pg, const OsdMap& map) {
  std::vector<int> ranked = CrushRanking(pg, map);
  std::vector<int> up;
  for (size_t i = 0; i < ranked.size() && i < map.pool.size; ++i) {
    if (map.up[ranked[i]]) up.push_back(ranked[i]);
  }
  return up;
}

PgSummary Summarize(const OsdMap& map) {
  PgSummary s;
  for (uint32_t pg = 0; pg < map.pool.pg_num; ++pg) {
    ++s.total;
    size_t n = UpSet(pg, map).size();
    if (n < map.pool.min_size) {
      ++s.inactive;
      continue;
    }
    ++s.active;
    if (n >= map.pool.size) ++s.clean; else ++s.degraded;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// HeartbeatCore

void HeartbeatCore::SetPeers(const std::vector<int>& peers, SimTime now) {
  std::map<int, SimTime> next;
  for (int p : peers) {
    if (p == self_) continue;
    auto it = last_heard_.find(p);
    next[p] = it == last_heard_.end() ? now : it->second;
  }
  last_heard_ = std::move(next);
  for (auto it = reported_.begin(); it != reported_.end();) {
    it = last_heard_.count(*it) ? std::next(it) : reported_.erase(it);
  }
}

void HeartbeatCore::Heard(int peer, SimTime now) {
  auto it = last_heard_.find(peer);
  if (it == last_heard_.end()) return;
  it->second = std::max(it->second, now);
  if (reported_.erase(peer)) alive_pending_.insert(peer);
}

HeartbeatCore::Out HeartbeatCore::Tick(SimTime now) {
  Out out;
  for (const auto& [peer, heard] : last_heard_) {
    out.ping.push_back(peer);
    if (now - heard > cfg_.grace) {
      reported_.insert(peer);
      out.failed.push_back({peer, heard});
    }
  }
  out.alive.assign(alive_pending_.begin(), alive_pending_.end());
  alive_pending_.clear();
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// OsdFailureCore

void OsdFailureCore::Report(int reporter, int target, SimTime last_heard, SimTime /*now*/) {
  if (reporter == target) return;
  auto& r = reports_[target];
  auto it = r.find(reporter);
  // The earliest last-heard time stands: a later report does not restart the grace.
  if (it == r.end()) r[reporter] = last_heard; else it->second = std::min(it->second, last_heard);
}

void OsdFailureCore::Cancel(int reporter, int target) {
  auto it = reports_.find(target);
  if (it == reports_.end()) return;
  it->second.erase(reporter);
  if (it->second.empty()) reports_.erase(it);
}

size_t OsdFailureCore::Reporters(int target) const {
  auto it = reports_.find(target);
  return it == reports_.end() ? 0 : it->second.size();
}

void OsdFailureCore::MapApplied(const OsdMap& before, const OsdMap& after, SimTime now) {
  for (int osd = 0; osd < after.num_osds(); ++osd) {
    bool was_up = osd < before.num_osds() ? before.up[osd] : true;
    bool was_in = osd < before.num_osds() ? before.in[osd] : true;
    if (was_up && !after.up[osd]) {
      down_since_[osd] = now;
      reports_.erase(osd);
    }
    if (after.up[osd]) down_since_.erase(osd);
    if (!after.up[osd] && !down_since_.count(osd)) down_since_[osd] = now;  // down in the first map we see
    if (!was_in && after.in[osd]) auto_out_.erase(osd);
    if (was_in && !after.in[osd] && !after.up[osd]) auto_out_.insert(osd);  // the down -> out timer's doing
  }
  // What the map now shows is no longer in flight.
  std::vector<MapChange> still;
  for (const MapChange& c : proposed_) {
    bool done = false;
    switch (c.kind) {
      case MapChange::Kind::kMarkDown: done = !after.up[c.osd]; break;
      case MapChange::Kind::kMarkUp: done = after.up[c.osd]; break;
      case MapChange::Kind::kMarkOut: done = !after.in[c.osd]; break;
      case MapChange::Kind::kMarkIn: done = after.in[c.osd]; break;
      case MapChange::Kind::kCreateVolume: done = true; break;
    }
    if (!done) still.push_back(c);
  }
  proposed_ = std::move(still);
}

std::vector<MapChange> OsdFailureCore::Tick(const OsdMap& map, SimTime now) {
  std::vector<MapChange> out;
  auto propose = [&](MapChange c) {
    if (std::find(proposed_.begin(), proposed_.end(), c) != proposed_.end()) return;
    proposed_.push_back(c);
    out.push_back(c);
  };
  for (const auto& [target, reporters] : reports_) {
    if (target < 0 || target >= map.num_osds() || !map.up[target]) continue;
    if (reporters.size() < cfg_.min_down_reporters) continue;
    SimTime heard = now;
    for (const auto& [r, t] : reporters) heard = std::min(heard, t);
    if (now - heard >= cfg_.grace) propose({MapChange::Kind::kMarkDown, target, ""});
  }
  for (const auto& [osd, since] : down_since_) {
    if (osd < map.num_osds() && !map.up[osd] && map.in[osd] && now - since >= cfg_.down_out_interval) {
      propose({MapChange::Kind::kMarkOut, osd, ""});
    }
  }
  for (int osd : std::set<int>(booted_)) {
    if (osd < 0 || osd >= map.num_osds()) continue;
    if (!map.up[osd]) propose({MapChange::Kind::kMarkUp, osd, ""});
    if (!map.in[osd] && cfg_.auto_mark_in && auto_out_.count(osd)) propose({MapChange::Kind::kMarkIn, osd, ""});
    if (map.up[osd] && (map.in[osd] || !auto_out_.count(osd))) booted_.erase(osd);
  }
  return out;
}

}  // namespace planelab::ceph
