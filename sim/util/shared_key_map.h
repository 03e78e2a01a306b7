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

/// A map uint64 -> uint32 (values below UINT32_MAX). While it holds few keys it is a FlatIdMap (a host's FIB: a
/// default route); once it holds at least 64 keys and a quarter of the run's numbered ones it becomes an array
/// indexed by key number: at 5,000 routers each RIB and FIB holds 10,000 prefixes, and hash slots made them half
/// of the run's memory. The array holds 2 bytes a key while every value fits (route tables store next-hop group
/// ids, and a network has far fewer than 65,535 distinct groups), 4 bytes from the first value that does not.
class SharedKeyMap {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  explicit SharedKeyMap(std::shared_ptr<KeyNumbering> numbering = nullptr) : numbering_(std::move(numbering)) {}

  /// The value stored for `key`, or kNone.
  uint32_t Get(uint64_t key) const {
    if (!dense_) {
      const uint32_t* v = sparse_.Find(key);
      return v ? *v : kNone;
    }
    const uint32_t* n = numbering_->Find(key);
    return n ? At(*n) : kNone;
  }
  /// Inserts or overwrites; `value` must not be kNone.
  void Set(uint64_t key, uint32_t value) {
    if (!dense_) {
      sparse_.Set(key, value);
      if (numbering_ && sparse_.size() >= kDenseFrom && sparse_.size() * 4 >= numbering_->size()) MakeDense();
      return;
    }
    const uint32_t n = numbering_->Number(key);
    if (At(n) == kNone) ++size_;
    Put(n, value);
  }
  /// Removes `key`; false if it was not there.
  bool Erase(uint64_t key) {
    if (!dense_) return sparse_.Erase(key);
    const uint32_t* n = numbering_->Find(key);
    if (!n || At(*n) == kNone) return false;
    if (wide_.empty()) narrow_[*n] = kNarrowNone;
    else wide_[*n] = kNone;
    --size_;
    return true;
  }
  size_t size() const { return dense_ ? size_ : sparse_.size(); }
  /// Calls f(key, value) for every entry, in no particular order.
  template <class F>
  void ForEach(F&& f) const {
    if (!dense_) return sparse_.ForEach(f);
    const size_t slots = wide_.empty() ? narrow_.size() : wide_.size();
    for (uint32_t n = 0; n < slots; ++n) {
      const uint32_t v = At(n);
      if (v != kNone) f(numbering_->KeyOf(n), v);
    }
  }

 private:
  static constexpr uint16_t kNarrowNone = UINT16_MAX;
  static constexpr size_t kDenseFrom = 64;
  uint32_t At(uint32_t n) const {
    if (wide_.empty()) return n < narrow_.size() && narrow_[n] != kNarrowNone ? narrow_[n] : kNone;
    return n < wide_.size() ? wide_[n] : kNone;
  }
  void Put(uint32_t n, uint32_t value) {
    if (wide_.empty() && value >= kNarrowNone) {
      wide_.reserve(std::max(narrow_.size(), numbering_->size()));
      for (uint16_t v : narrow_) wide_.push_back(v == kNarrowNone ? kNone : v);
      std::vector<uint16_t>().swap(narrow_);
    }
    const size_t want = std::max<size_t>(n + 1, numbering_->size());
    if (wide_.empty()) {
      if (n >= narrow_.size()) narrow_.resize(want, kNarrowNone);
      narrow_[n] = static_cast<uint16_t>(value);
    } else {
      if (n >= wide_.size()) wide_.resize(want, kNone);
      wide_[n] = value;
    }
  }
  void MakeDense() {
    std::vector<std::pair<uint64_t, uint32_t>> entries;
    entries.reserve(sparse_.size());
    sparse_.ForEach([&](uint64_t k, uint32_t v) { entries.emplace_back(k, v); });
    sparse_ = FlatIdMap();
    std::sort(entries.begin(), entries.end());  // numbers new keys in key order, not in hash-slot order
    for (const auto& [k, v] : entries) numbering_->Number(k);
    dense_ = true;
    narrow_.assign(numbering_->size(), kNarrowNone);
    size_ = 0;
    for (const auto& [k, v] : entries) {
      Put(*numbering_->Find(k), v);
      ++size_;
    }
  }
  std::shared_ptr<KeyNumbering> numbering_;
  FlatIdMap sparse_;
  bool dense_ = false;
  // By key number while dense: narrow_ (kNarrowNone where absent) until a value needs 32 bits, then wide_.
  std::vector<uint16_t> narrow_;
  std::vector<uint32_t> wide_;
  size_t size_ = 0;
};

}  // namespace planelab
