#include "models/router/control/bgp/route_interner.h"

#include <climits>

namespace planelab::bgp {

uint32_t RouteInterner::PrefixId(const Prefix& p) {
  uint64_t key = (uint64_t(p.addr) << 8) | p.len;
  auto [it, inserted] = prefix_ids_.emplace(key, static_cast<uint32_t>(prefixes_.size()));
  if (inserted) prefixes_.push_back(p);
  return it->second;
}

uint32_t RouteInterner::FindPrefix(const Prefix& p) const {
  auto it = prefix_ids_.find((uint64_t(p.addr) << 8) | p.len);
  return it == prefix_ids_.end() ? UINT32_MAX : it->second;
}

size_t RouteInterner::AttrHash::operator()(const PathAttributes& a) const {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint64_t v) { h = (h ^ v) * 1099511628211ull; };
  mix(static_cast<uint64_t>(a.origin));
  for (uint32_t as : a.as_path) mix(as);
  mix(a.med ? *a.med + 1 : 0);
  mix(a.local_pref ? *a.local_pref + 1 : 0);
  return static_cast<size_t>(h);
}

uint32_t RouteInterner::AttrId(const PathAttributes& a) {
  auto it = attr_ids_.find(a);
  if (it != attr_ids_.end()) return it->second;
  PathAttributes key = a;
  key.next_hop = 0;
  uint32_t id = static_cast<uint32_t>(attrs_.size());
  attrs_.push_back(key);
  attr_ids_.emplace(std::move(key), id);
  return id;
}

}  // namespace planelab::bgp
