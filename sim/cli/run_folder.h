// The run folder: written beside its final place as "<dir>.partial-<pid>", renamed only when the run completed.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

namespace planelab {

/// A run's output folder; the user sees it under its name only complete. A failed run leaves nothing; an
/// interrupted one (SIGINT/SIGTERM) keeps "<dir>.partial-<pid>" with a file INTERRUPTED; a killed one leaves
/// that folder unmarked. Partial folders of processes that no longer exist are removed (and named on stderr)
/// when the same folder is chosen again.
class RunFolder {
 public:
  /// Chooses the folder (`out_dir`, normalised, or runs/<name>-s<seed>[-N]) and checks it before anything
  /// runs: throws UsageError for ".", "..", "/", a file, a mount point, a folder that is neither empty nor
  /// (with `force`) an earlier run, or a place that cannot be written. With `create` false nothing is made
  /// on disk (benchmarks).
  RunFolder(const std::string& out_dir, bool force, const std::string& scenario_name, uint64_t seed, bool create);
  ~RunFolder();
  RunFolder(const RunFolder&) = delete;
  RunFolder& operator=(const RunFolder&) = delete;

  /// Where files go while the run is under way.
  std::filesystem::path Partial(const std::string& file) const { return tmp_ / file; }
  const std::filesystem::path& partial_dir() const { return tmp_; }
  const std::filesystem::path& final_dir() const { return final_; }
  void Write(const std::string& file, const std::string& text) const;
  /// Writes manifest.json (the files' hashes, the run store's schema) and moves the folder into place.
  /// Throws RunKeptError (the folder stays "<dir>.partial-<pid>") when it cannot be put there.
  void Commit(const std::string& scenario_name, const std::string& scenario_path, uint64_t seed,
              const std::string& scenario_text, const std::string& summary_text);
  /// Keeps the partial folder of an interrupted run where it is, marked by the file INTERRUPTED: one line,
  /// "<SIGNAL> at <seconds> s simulated" (e.g. "SIGINT at 812.250000 s simulated").
  void KeepInterrupted(const std::string& signal_name, double sim_time_s);

 private:
  std::filesystem::path final_, tmp_;
  bool force_ = false;
  bool armed_ = false;
};

}  // namespace planelab
