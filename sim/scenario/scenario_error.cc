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
// A file with thousands of wrong entries is fixed from the top: the first problems and a count say enough.
constexpr size_t kProblemsShown = 20;

std::string Join(const std::vector<ScenarioProblem>& problems) {
  std::string s;
  for (size_t i = 0; i < problems.size() && i < kProblemsShown; ++i) s += (s.empty() ? "" : "\n") + problems[i].Format();
  if (problems.size() > kProblemsShown) {
    s += "\n... and " + std::to_string(problems.size() - kProblemsShown) + " more problems in " + problems.front().file +
         " (fix these and validate again)";
  }
  return s;
}
}  // namespace

ScenarioError::ScenarioError(std::vector<ScenarioProblem> problems)
    : std::runtime_error(Join(problems)), problems_(std::move(problems)) {}

}  // namespace planelab
