// Distinct values stored once and named by dense ids.
#pragma once
#include <cstdint>
#include <map>
#include <vector>

namespace planelab {

/// Stores each distinct value once and names it by a dense id (0, 1, ... in order of first
/// sight): tables of millions of routes share a handful of next-hop groups.
template <class T>
class Interner {
 public:
  /// The id of `v`, assigning the next one on first sight.
  uint32_t Id(const T& v) {
    auto [it, inserted] = ids_.emplace(v, static_cast<uint32_t>(values_.size()));
    if (inserted) values_.push_back(v);
    return it->second;
  }
  const T& operator[](uint32_t id) const { return values_[id]; }
  size_t size() const { return values_.size(); }

 private:
  std::vector<T> values_;
  std::map<T, uint32_t> ids_;
};

}  // namespace planelab
