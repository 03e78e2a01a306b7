// A switch's OpenFlow 1.3 flow table and group table, as the forwarding hardware holds them: priority lookup,
// per-entry and per-table counters, idle and hard timeouts, a capacity. Pure: time comes in as arguments, so the
// rules are unit-tested without the kernel (tests/models/switch/data/flow_table_test.cc).
//
// Semantics are OF 1.3.5's (ONF TS-023), cited as "OF §x".
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "models/proto/openflow13.h"
#include "sim/util/units.h"

namespace planelab::sdn {

/// One flow entry (OF §5.2): match, priority, actions, timeouts in seconds (0 = never), cookie, counters.
struct FlowEntry {
  of13::Match match;
  uint16_t priority = 0;
  uint64_t cookie = 0;
  std::vector<of13::Action> actions;  // none: the packet is dropped (OF §5.10)
  uint16_t idle_timeout = 0, hard_timeout = 0;
  uint16_t flags = 0;
  SimTime installed = 0, last_used = 0;
  uint64_t packets = 0, bytes = 0;
  uint64_t seq = 0;  // insertion order: among overlapping entries of one priority, the older wins
};

/// A removed entry and why (OF §6.5: the switch sends FLOW_REMOVED when the entry asked for it).
struct RemovedFlow {
  FlowEntry entry;
  of13::RemovedReason reason;
};

/// Result of a flow-mod add.
enum class AddResult { kAdded, kReplaced, kTableFull };

/// A group (OF §5.6): ALL sends to every bucket, SELECT to one bucket chosen by a hash of the flow.
struct GroupEntry {
  uint8_t type = 1;
  std::vector<of13::Bucket> buckets;
  uint64_t packets = 0;
};

/// One flow table with its capacity, plus the switch's group table.
class FlowTable {
 public:
  explicit FlowTable(size_t capacity) : capacity_(capacity) {}

  /// OFPFC_ADD (OF §6.4): an entry with the same match and priority is replaced (counters kept unless
  /// OFPFF_RESET_COUNTS; its duration starts again); a new entry beyond the capacity is refused (TABLE_FULL).
  AddResult Add(FlowEntry e, SimTime now);
  /// OFPFC_DELETE / DELETE_STRICT (OF §6.4): strict removes the entry with exactly this match and priority,
  /// non-strict every entry whose match lies within `m`; `cookie_mask` filters by cookie. Returns the removed.
  std::vector<RemovedFlow> Delete(const of13::Match& m, uint16_t priority, bool strict, uint64_t cookie = 0,
                                  uint64_t cookie_mask = 0);
  /// The highest-priority entry matching `p` (OF §5.3), counted as used at `now`; null on a table miss.
  const FlowEntry* Lookup(const of13::PacketFields& p, SimTime now);
  /// Removes entries whose hard timeout passed since install or idle timeout since their last packet (OF §5.5).
  std::vector<RemovedFlow> Expire(SimTime now);
  /// The earliest instant an entry may expire, or -1 when no entry has a timeout.
  SimTime NextExpiry() const;
  /// Every entry (ordered by priority, highest first): what a flow-stats reply would list.
  const std::vector<FlowEntry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  size_t capacity() const { return capacity_; }
  /// Forgets every entry and group: a switch whose tables were wiped (a reboot of the forwarding hardware).
  void Clear() { entries_.clear(); groups_.clear(); }

  /// OFPGC_ADD/MODIFY (replace) and DELETE for groups.
  void SetGroup(uint32_t id, GroupEntry g) { groups_[id] = std::move(g); }
  void DeleteGroup(uint32_t id) { groups_.erase(id); }
  const GroupEntry* group(uint32_t id) const;
  size_t groups() const { return groups_.size(); }
  /// The output ports `actions` send a packet of flow hash `hash` to (groups resolved; SELECT picks by hash
  /// among buckets whose port `live` says is up, as a fast-failover of dead members; CONTROLLER, NORMAL and
  /// FLOOD are returned as such for the caller to handle).
  template <class Live>
  std::vector<uint32_t> Resolve(const std::vector<of13::Action>& actions, uint32_t hash, Live&& live);

  /// Per-table counters (OF §7.3.5.5 ofp_table_stats): lookups and matches.
  uint64_t lookups() const { return lookups_; }
  uint64_t matched() const { return matched_; }

 private:
  size_t capacity_;
  std::vector<FlowEntry> entries_;  // by priority (highest first), then insertion order
  std::map<uint32_t, GroupEntry> groups_;
  uint64_t lookups_ = 0, matched_ = 0, seq_ = 0;
};

template <class Live>
std::vector<uint32_t> FlowTable::Resolve(const std::vector<of13::Action>& actions, uint32_t hash, Live&& live) {
  std::vector<uint32_t> ports;
  for (const of13::Action& a : actions) {
    if (a.kind == of13::Action::Kind::kOutput) {
      ports.push_back(a.arg);
      continue;
    }
    auto it = groups_.find(a.arg);
    if (it == groups_.end()) continue;  // a missing group drops (OF §5.6: the action refers to nothing)
    ++it->second.packets;
    const GroupEntry& g = it->second;
    if (g.type == 0) {
      for (const auto& b : g.buckets)
        for (const auto& ba : b.actions) ports.push_back(ba.arg);
      continue;
    }
    std::vector<const of13::Bucket*> up;
    for (const auto& b : g.buckets) {
      bool ok = !b.actions.empty();
      for (const auto& ba : b.actions) ok = ok && (ba.kind != of13::Action::Kind::kOutput || live(ba.arg));
      if (ok) up.push_back(&b);
    }
    if (up.empty()) continue;
    for (const auto& ba : up[hash % up.size()]->actions) ports.push_back(ba.arg);
  }
  return ports;
}

}  // namespace planelab::sdn
