// Prefixes and path attributes stored once per run and referred to by dense ids.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include "models/router/control/bgp/bgp_message.h"

namespace planelab::bgp {

/// Interns prefixes and path attribute sets for every speaker of a run: a fabric's routers carry
/// the same prefixes, and paths through the same ASes look alike, so each is stored once and the
/// RIBs hold 4-byte ids (as BGP daemons share attribute sets between routes).
class RouteInterner {
 public:
  /// The id of `p`, assigning the next free one on first sight.
  uint32_t PrefixId(const Prefix& p);
  /// The id of `p` if it was ever seen, else UINT32_MAX.
  uint32_t FindPrefix(const Prefix& p) const;
  const Prefix& prefix(uint32_t id) const { return prefixes_[id]; }
  size_t prefix_count() const { return prefixes_.size(); }

  /// The id of `a` with its NEXT_HOP cleared: next hops are per link and kept by the peer that
  /// carried the route, so paths that differ only there share one id.
  uint32_t AttrId(const PathAttributes& a);
  const PathAttributes& attrs(uint32_t id) const { return attrs_[id]; }
  size_t attr_count() const { return attrs_.size(); }

 private:
  // Hash and equality ignore NEXT_HOP, so a received path is looked up without a copy.
  struct AttrHash {
    size_t operator()(const PathAttributes& a) const;
  };
  struct AttrEq {
    bool operator()(const PathAttributes& a, const PathAttributes& b) const {
      return a.origin == b.origin && a.as_path == b.as_path && a.med == b.med && a.local_pref == b.local_pref;
    }
  };
  std::vector<Prefix> prefixes_;
  std::unordered_map<uint64_t, uint32_t> prefix_ids_;
  std::deque<PathAttributes> attrs_;  // stable references
  std::unordered_map<PathAttributes, uint32_t, AttrHash, AttrEq> attr_ids_;
};

/// A map from prefix id to a non-zero uint32, stored in pages allocated on first write: dense
/// where a peer carries the whole table, one page where it carries a handful of prefixes.
class PrefixIdArray {
 public:
  uint32_t Get(uint32_t id) const {
    size_t page = id >> kShift;
    if (page >= pages_.size() || !pages_[page]) return 0;
    return pages_[page][id & kMask];
  }
  /// Stores `v` (0 erases).
  void Set(uint32_t id, uint32_t v);
  void Clear() {
    pages_.clear();
    count_ = 0;
  }
  size_t count() const { return count_; }
  /// Calls f(id, value) for every non-zero entry, in id order.
  template <class F>
  void ForEach(F&& f) const {
    for (size_t p = 0; p < pages_.size(); ++p) {
      if (!pages_[p]) continue;
      for (uint32_t i = 0; i < kPage; ++i) {
        if (uint32_t v = pages_[p][i]) f(static_cast<uint32_t>((p << kShift) | i), v);
      }
    }
  }

 private:
  static constexpr uint32_t kShift = 7, kPage = 1u << kShift, kMask = kPage - 1;
  std::vector<std::unique_ptr<uint32_t[]>> pages_;
  size_t count_ = 0;
};

}  // namespace planelab::bgp
