// Where the loader and the model families' sections report what is wrong in a scenario file.
#pragma once
#include <string>
#include <unordered_set>
#include <vector>

#include "sim/scenario/scenario_error.h"
#include "sim/util/json_locate.h"

namespace planelab {

/// Collects problems with their lines (found from their JSON pointers); throws them all at once at the end
/// of a stage, so the user sees every problem of a file in one go.
class Problems {
 public:
  /// `lines` (the file's line index) must outlive this.
  Problems(std::string file, const JsonLineIndex& lines) : file_(std::move(file)), lines_(lines) {}
  /// A problem at `pointer`, on the line where its value starts; the same problem twice is kept once.
  void Add(const std::string& pointer, const std::string& message) { AddAt(pointer, lines_.LineOf(pointer), message); }
  /// A problem whose line is known otherwise (0: none).
  void AddAt(const std::string& pointer, int line, const std::string& message) {
    if (!seen_.insert(pointer + '\0' + message).second) return;
    list_.push_back({file_, line, pointer, message});
  }
  bool empty() const { return list_.empty(); }
  void ThrowIfAny() const {
    if (!list_.empty()) throw ScenarioError(list_);
  }

 private:
  std::string file_;
  const JsonLineIndex& lines_;
  std::unordered_set<std::string> seen_;
  std::vector<ScenarioProblem> list_;
};

}  // namespace planelab
