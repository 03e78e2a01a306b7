// A student bundle: what the operators could have seen of one run, and nothing else (docs/classroom.md). It is a
// folder: bundle.sqlite (a run store holding only the monitoring station's series, the dashboard's reported health
// with the actual column "hidden", and the routers' own log messages; plus the console's precomputed answers, the
// helpdesk's calls and the questions) and README.txt (the briefing). The operator console and the replay's
// student mode read it.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/classroom/exercise.h"

namespace planelab::classroom {

inline constexpr const char* kBundleSchema = "planelab.bundle/1";

/// Writes the bundle of `v` from the complete run in `run_dir` into `bundle_dir` (which must not exist: it is
/// made under a temporary name and renamed when whole). Throws std::runtime_error naming what failed.
void WriteStudentBundle(const Exercise& ex, const Variant& v, const std::string& run_dir, const std::string& bundle_dir);

/// The operator console over a bundle (`planelab console BUNDLE`): commands in, text out, at a clock the student
/// sets. Answers come from the bundle only.
class OperatorConsole {
 public:
  /// Opens a bundle folder; throws std::runtime_error naming the folder and what is wrong.
  explicit OperatorConsole(const std::string& bundle_dir);

  /// Runs one command line; returns its output. `error` is set (and the output is the message) for a command
  /// that does not exist (with the nearest one suggested), a device the run does not have, or a time outside it.
  std::string Execute(const std::string& line, bool* error);
  /// Words to complete `prefix` with (commands, then device names).
  std::vector<std::string> Complete(const std::string& prefix) const;

  double now() const { return now_; }
  double duration() const { return duration_; }
  const std::string& exercise() const { return exercise_; }
  const std::string& student() const { return student_; }
  const nlohmann::ordered_json& answers() const { return answers_; }
  bool submitted() const { return submitted_; }
  /// Where `submit` writes the answers (default: <bundle>/answers.json).
  void set_answers_path(const std::string& p) { answers_path_ = p; }

 private:
  std::string Lookup(const std::string& command, const std::string& target, double t) const;
  std::string Help() const;
  std::string bundle_, exercise_, student_, answers_path_;
  double now_ = 0, duration_ = 0, interval_ = 1;
  nlohmann::ordered_json questions_, answers_ = nlohmann::ordered_json::object();
  bool submitted_ = false;
  // command -> target -> (t, text) steps
  std::map<std::string, std::map<std::string, std::vector<std::pair<double, std::string>>>> table_;
  std::vector<std::pair<double, std::string>> helpdesk_;
  std::vector<std::string> devices_;
  std::vector<std::string> access_;  // empty: everything
  std::string briefing_, title_;
};

}  // namespace planelab::classroom
