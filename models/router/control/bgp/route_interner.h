// Prefixes and path attributes stored once per run and referred to by dense ids.
#pragma once
#include <cstdint>
#include <deque>
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

}  // namespace planelab::bgp
