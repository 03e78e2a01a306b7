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
// A problem quotes what it found, which may be a whole list or a string of megabytes: a line longer than this
// keeps its start (file, line, pointer, what is wrong) and its end (what is allowed) and says what it left out.
constexpr size_t kLineShown = 1000;

// Where a cut may go: not inside a UTF-8 sequence.
size_t CharBoundary(const std::string& s, size_t at) {
  while (at > 0 && at < s.size() && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) --at;
  return at;
}

std::string Shortened(const std::string& line) {
  if (line.size() <= kLineShown) return line;
  size_t head = CharBoundary(line, kLineShown / 2), tail = CharBoundary(line, line.size() - kLineShown / 3);
  return line.substr(0, head) + " [... " + std::to_string(tail - head) + " bytes left out ...] " + line.substr(tail);
}

std::string Join(const std::vector<ScenarioProblem>& problems) {
  std::string s;
  for (size_t i = 0; i < problems.size() && i < kProblemsShown; ++i) {
    s += (s.empty() ? "" : "\n") + Shortened(problems[i].Format());
  }
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
