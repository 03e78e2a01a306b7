// An open-addressing hash map from 64-bit keys to 32-bit ids, for tables with millions of routes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace planelab {

/// Linear-probing map uint64 -> uint32 in one flat array (12 bytes a slot, at most 70 % full):
/// a FIB or RIB of a 5,000-router fabric holds 25 million routes, where a node-based map would
/// spend about 100 bytes on each. Deletion shifts entries back, so there are no tombstones.
class FlatIdMap {
 public:
  /// The id stored for `key`, or nullptr.
  const uint32_t* Find(uint64_t key) const {
    if (size_ == 0) return nullptr;
    for (size_t i = Slot(key);; i = (i + 1) & mask_) {
      if (keys_[i] == kEmpty) return nullptr;
      if (keys_[i] == key) return &values_[i];
    }
  }
  /// Inserts or overwrites.
  void Set(uint64_t key, uint32_t value) {
    if ((size_ + 1) * 10 > keys_.size() * 7) Grow();
    for (size_t i = Slot(key);; i = (i + 1) & mask_) {
      if (keys_[i] == kEmpty) {
        keys_[i] = key;
        values_[i] = value;
        ++size_;
        return;
      }
      if (keys_[i] == key) {
        values_[i] = value;
        return;
      }
    }
  }
  /// Removes `key`; false if it was not there.
  bool Erase(uint64_t key) {
    if (size_ == 0) return false;
    size_t i = Slot(key);
    for (;; i = (i + 1) & mask_) {
      if (keys_[i] == kEmpty) return false;
      if (keys_[i] == key) break;
    }
    // Backward-shift deletion: move later members of the probe run into the hole.
    for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (keys_[j] == kEmpty) break;
      size_t home = Slot(keys_[j]);
      bool movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
      if (movable) {
        keys_[i] = keys_[j];
        values_[i] = values_[j];
        i = j;
      }
    }
    keys_[i] = kEmpty;
    --size_;
    return true;
  }
  size_t size() const { return size_; }
  /// Calls f(key, value) for every entry, in slot order (not sorted).
  template <class F>
  void ForEach(F&& f) const {
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] != kEmpty) f(keys_[i], values_[i]);
    }
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t(0);
  size_t Slot(uint64_t k) const {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return static_cast<size_t>(k) & mask_;
  }
  void Grow() {
    std::vector<uint64_t> keys(keys_.empty() ? 16 : keys_.size() * 2, kEmpty);
    std::vector<uint32_t> values(keys.size());
    keys.swap(keys_);
    values.swap(values_);
    mask_ = keys_.size() - 1;
    size_ = 0;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] != kEmpty) Set(keys[i], values[i]);
    }
  }
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> values_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace planelab
