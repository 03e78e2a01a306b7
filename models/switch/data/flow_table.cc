#include "models/switch/data/flow_table.h"

#include <algorithm>

namespace planelab::sdn {

AddResult FlowTable::Add(FlowEntry e, SimTime now) {
  for (FlowEntry& old : entries_) {
    if (old.priority != e.priority || !(old.match == e.match)) continue;
    // OF §6.4: an identical entry is replaced; its counters are kept unless OFPFF_RESET_COUNTS.
    if (!(e.flags & of13::kFlagResetCounts)) {
      e.packets = old.packets;
      e.bytes = old.bytes;
    }
    e.installed = now;
    e.last_used = now;
    e.seq = old.seq;
    old = std::move(e);
    return AddResult::kReplaced;
  }
  if (entries_.size() >= capacity_) return AddResult::kTableFull;
  e.installed = now;
  e.last_used = now;
  e.seq = ++seq_;
  auto at = std::find_if(entries_.begin(), entries_.end(),
                         [&](const FlowEntry& x) { return x.priority < e.priority; });
  entries_.insert(at, std::move(e));
  return AddResult::kAdded;
}

std::vector<RemovedFlow> FlowTable::Delete(const of13::Match& m, uint16_t priority, bool strict, uint64_t cookie,
                                           uint64_t cookie_mask) {
  std::vector<RemovedFlow> out;
  auto gone = [&](const FlowEntry& e) {
    if ((e.cookie & cookie_mask) != (cookie & cookie_mask)) return false;
    return strict ? (e.priority == priority && e.match == m) : e.match.Within(m);
  };
  for (const auto& e : entries_) {
    if (gone(e)) out.push_back({e, of13::RemovedReason::kDelete});
  }
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(), gone), entries_.end());
  return out;
}

const FlowEntry* FlowTable::Lookup(const of13::PacketFields& p, SimTime now) {
  ++lookups_;
  // Entries are kept by priority, highest first, so the first match is the one (OF §5.3).
  for (FlowEntry& e : entries_) {
    if (!e.match.Matches(p)) continue;
    ++matched_;
    ++e.packets;
    e.bytes += p.bytes;
    e.last_used = now;
    return &e;
  }
  return nullptr;
}

std::vector<RemovedFlow> FlowTable::Expire(SimTime now) {
  std::vector<RemovedFlow> out;
  auto expired = [&](const FlowEntry& e, of13::RemovedReason* why) {
    // OF §5.5: hard timeout counts from installation, idle timeout from the last matching packet.
    if (e.hard_timeout && now - e.installed >= e.hard_timeout * kSec) {
      *why = of13::RemovedReason::kHardTimeout;
      return true;
    }
    if (e.idle_timeout && now - e.last_used >= e.idle_timeout * kSec) {
      *why = of13::RemovedReason::kIdleTimeout;
      return true;
    }
    return false;
  };
  std::vector<FlowEntry> kept;
  kept.reserve(entries_.size());
  for (auto& e : entries_) {
    of13::RemovedReason why;
    if (expired(e, &why)) out.push_back({std::move(e), why});
    else kept.push_back(std::move(e));
  }
  entries_.swap(kept);
  return out;
}

SimTime FlowTable::NextExpiry() const {
  SimTime next = -1;
  for (const auto& e : entries_) {
    if (e.hard_timeout) {
      SimTime t = e.installed + e.hard_timeout * kSec;
      if (next < 0 || t < next) next = t;
    }
    if (e.idle_timeout) {
      SimTime t = e.last_used + e.idle_timeout * kSec;
      if (next < 0 || t < next) next = t;
    }
  }
  return next;
}

const GroupEntry* FlowTable::group(uint32_t id) const {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : &it->second;
}

}  // namespace planelab::sdn
