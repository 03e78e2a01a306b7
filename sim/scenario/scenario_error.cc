#include "sim/scenario/scenario_error.h"

namespace planelab {

std::string ScenarioProblem::Format() const {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line);
  s += ": ";
  if (!pointer.empty()) s += pointer + ": ";
  else s += "(document): ";
  return s + message;
}

namespace {
std::string Join(const std::vector<ScenarioProblem>& problems) {
  std::string s;
  for (const auto& p : problems) s += (s.empty() ? "" : "\n") + p.Format();
  return s;
}
}  // namespace

ScenarioError::ScenarioError(std::vector<ScenarioProblem> problems)
    : std::runtime_error(Join(problems)), problems_(std::move(problems)) {}

}  // namespace planelab
