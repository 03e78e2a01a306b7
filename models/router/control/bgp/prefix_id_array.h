// A compact map from prefix id to a 32-bit value, for RIBs with millions of entries.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace planelab::bgp {

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
  void Set(uint32_t id, uint32_t v) {
    size_t page = id >> kShift;
    if (page >= pages_.size()) {
      if (v == 0) return;
      pages_.resize(page + 1);
    }
    if (!pages_[page]) {
      if (v == 0) return;
      pages_[page].reset(new uint32_t[kPage]());
    }
    uint32_t& slot = pages_[page][id & kMask];
    count_ += (v != 0) - (slot != 0);
    slot = v;
  }
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
