// The run folder: written beside its final place as "<dir>.partial-<pid>", renamed only when the run completed.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

namespace planelab {

/// A run's output folder; the user sees it only complete (a killed or failed run leaves nothing behind).
class RunFolder {
 public:
  /// Chooses the folder (`out_dir`, or runs/<name>-s<seed>[-N]) and refuses to overwrite anything but an
  /// earlier run replaced with `force`; with `create` false nothing is made on disk (benchmarks).
  RunFolder(const std::string& out_dir, bool force, const std::string& scenario_name, uint64_t seed, bool create);
  ~RunFolder();
  RunFolder(const RunFolder&) = delete;
  RunFolder& operator=(const RunFolder&) = delete;

  /// Where files go while the run is under way.
  std::filesystem::path Partial(const std::string& file) const { return tmp_ / file; }
  const std::filesystem::path& final_dir() const { return final_; }
  void Write(const std::string& file, const std::string& text) const;
  /// Writes manifest.json (the files' hashes, the run store's schema) and moves the folder into place.
  void Commit(const std::string& scenario_name, const std::string& scenario_path, uint64_t seed,
              const std::string& scenario_text, const std::string& summary_text);

 private:
  std::filesystem::path final_, tmp_;
  bool armed_ = false;
};

}  // namespace planelab
