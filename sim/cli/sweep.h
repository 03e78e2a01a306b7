// planelab sweep: a study file's (point x seed) runs, each in its own worker process (docs/experiments.md).
#pragma once
#include <string>

namespace planelab {

struct SweepOptions {
  std::string study;     ///< the study file
  std::string out_dir;   ///< default runs/study-<name>
  int jobs = 1;
  bool report = false;
  bool yes = false;      ///< allow more than 100,000 runs
  bool check_only = false;
};

/// 0 every run completed and every expectation held, 1 a run failed or an expectation failed, 2 a bad study
/// (nothing ran), 130 interrupted (completed runs kept).
int CmdSweep(const SweepOptions& opts);

}  // namespace planelab
