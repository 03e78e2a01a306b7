// Errors in scenario files: each names the file, the line, the JSON pointer and the fix.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace planelab {

/// One problem found in a scenario file.
struct ScenarioProblem {
  std::string file;
  int line = 0;          // 0 when unknown
  std::string pointer;   // JSON pointer (RFC 6901), "" for the whole document
  std::string message;   // what is wrong and what is allowed
  std::string Format() const;
};

/// Thrown when a scenario cannot be used; carries every problem found, and says the first 20 in what().
class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<ScenarioProblem> problems);
  const std::vector<ScenarioProblem>& problems() const { return problems_; }

 private:
  std::vector<ScenarioProblem> problems_;
};

}  // namespace planelab
