// Where the loader and the model families' sections report what is wrong in a scenario file.
#pragma once
#include <string>
#include <vector>

#include "sim/scenario/scenario_error.h"
#include "sim/util/json_locate.h"

namespace planelab {

/// Collects problems with their lines (found from their JSON pointers); throws them all at once at the end
/// of a stage, so the user sees every problem of a file in one go.
class Problems {
 public:
  Problems(const std::string& file, const std::string& text) : file_(file), lines_(text) {}
  void Add(const std::string& pointer, const std::string& message) {
    for (const auto& p : list_) {
      if (p.pointer == pointer && p.message == message) return;
    }
    list_.push_back({file_, lines_.LineOf(pointer), pointer, message});
  }
  void ThrowIfAny() const {
    if (!list_.empty()) throw ScenarioError(list_);
  }

 private:
  std::string file_;
  JsonLineIndex lines_;
  std::vector<ScenarioProblem> list_;
};

}  // namespace planelab
