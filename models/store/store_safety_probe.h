// A run-wide check of Raft's safety properties across every store member: Election Safety (one leader per
// term) and State Machine Safety (every member applies the same entry at an index, so no acknowledged write
// is ever replaced). Members report; the probe counts violations as a metric an expectation can bound.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "sim/core/plane_actor.h"

namespace planelab {

/// Shared by the store members of one run (found through the run context).
class StoreSafetyProbe {
 public:
  explicit StoreSafetyProbe(RunContext& ctx, const std::string& device);
  static StoreSafetyProbe& For(RunContext& ctx, const std::string& first_member);
  void OnLeader(uint64_t member, uint64_t term);
  void OnApply(uint64_t member, uint64_t index, uint64_t term, const void* payload);
  uint64_t violations() const { return violations_; }

 private:
  RunContext& ctx_;
  std::string device_;
  std::map<uint64_t, uint64_t> leader_of_term_;
  std::unordered_map<uint64_t, std::pair<uint64_t, const void*>> applied_;
  uint64_t violations_ = 0;
  Counter* counter_ = nullptr;
};

}  // namespace planelab
