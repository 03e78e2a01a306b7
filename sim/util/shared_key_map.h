// Route tables of many nodes over one run's set of prefixes: each table stores 4 bytes a prefix instead of a hash
// slot, because every router of a routed network holds (nearly) every prefix.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/util/flat_id_map.h"

namespace planelab {

/// Numbers 64-bit keys densely, in the order they are first seen; shared by the tables of one run.
class KeyNumbering {
 public:
  /// The number of `key`, assigning the next one on first sight.
  uint32_t Number(uint64_t key) {
    if (const uint32_t* n = numbers_.Find(key)) return *n;
    const uint32_t n = static_cast<uint32_t>(keys_.size());
    numbers_.Set(key, n);
    keys_.push_back(key);
    return n;
  }
  /// The number of a key already numbered, or nullptr.
  const uint32_t* Find(uint64_t key) const { return numbers_.Find(key); }
  uint64_t KeyOf(uint32_t number) const { return keys_[number]; }
  size_t size() const { return keys_.size(); }

 private:
  FlatIdMap numbers_;
  std::vector<uint64_t> keys_;
};

/// A map uint64 -> uint32 (values below UINT32_MAX) with FlatIdMap's interface. While it holds few keys it is a
/// FlatIdMap (a host's FIB: a default route); once it holds at least 64 keys and a quarter of the run's numbered
/// ones it becomes an array indexed by key number, 4 bytes a key instead of about 17: at 5,000 routers each RIB
/// and FIB holds 10,000 prefixes, and hash slots made them half of the run's memory.
class SharedKeyMap {
 public:
  explicit SharedKeyMap(std::shared_ptr<KeyNumbering> numbering = nullptr) : numbering_(std::move(numbering)) {}

  /// The value stored for `key`, or nullptr.
  const uint32_t* Find(uint64_t key) const {
    if (dense_.empty()) return sparse_.Find(key);
    const uint32_t* n = numbering_->Find(key);
    return n && *n < dense_.size() && dense_[*n] != kAbsent ? &dense_[*n] : nullptr;
  }
  /// Inserts or overwrites; `value` must not be UINT32_MAX.
  void Set(uint64_t key, uint32_t value) {
    if (dense_.empty()) {
      sparse_.Set(key, value);
      if (numbering_ && sparse_.size() >= kDenseFrom && sparse_.size() * 4 >= numbering_->size()) MakeDense();
      return;
    }
    const uint32_t n = numbering_->Number(key);
    if (n >= dense_.size()) dense_.resize(std::max<size_t>(n + 1, numbering_->size()), kAbsent);
    if (dense_[n] == kAbsent) ++size_;
    dense_[n] = value;
  }
  /// Removes `key`; false if it was not there.
  bool Erase(uint64_t key) {
    if (dense_.empty()) return sparse_.Erase(key);
    const uint32_t* n = numbering_->Find(key);
    if (!n || *n >= dense_.size() || dense_[*n] == kAbsent) return false;
    dense_[*n] = kAbsent;
    --size_;
    return true;
  }
  size_t size() const { return dense_.empty() ? sparse_.size() : size_; }
  /// Calls f(key, value) for every entry, in no particular order.
  template <class F>
  void ForEach(F&& f) const {
    if (dense_.empty()) return sparse_.ForEach(f);
    for (uint32_t n = 0; n < dense_.size(); ++n) {
      if (dense_[n] != kAbsent) f(numbering_->KeyOf(n), dense_[n]);
    }
  }

 private:
  static constexpr uint32_t kAbsent = UINT32_MAX;
  static constexpr size_t kDenseFrom = 64;
  void MakeDense() {
    std::vector<std::pair<uint64_t, uint32_t>> entries;
    entries.reserve(sparse_.size());
    sparse_.ForEach([&](uint64_t k, uint32_t v) { entries.emplace_back(k, v); });
    sparse_ = FlatIdMap();
    std::sort(entries.begin(), entries.end());  // numbers new keys in key order, not in hash-slot order
    for (const auto& [k, v] : entries) numbering_->Number(k);
    dense_.assign(numbering_->size(), kAbsent);
    size_ = 0;
    for (const auto& [k, v] : entries) {
      dense_[*numbering_->Find(k)] = v;
      ++size_;
    }
  }
  std::shared_ptr<KeyNumbering> numbering_;
  FlatIdMap sparse_;
  std::vector<uint32_t> dense_;  // by key number, kAbsent where the key is not in the map; empty while sparse
  size_t size_ = 0;
};

}  // namespace planelab
