// planelab regress: the golden suite. Every shipped scenario is run and its fingerprint (summary, digests of
// events and series in time windows: sim/experiment/run_fingerprint.h) compared with the committed golden.
#pragma once
#include <string>
#include <vector>

namespace planelab {

struct RegressOptions {
  std::vector<std::string> scenarios;       ///< scenario files; none: every scenarios/**/*.json
  std::string scenarios_dir = "scenarios";  ///< searched when no file is named
  std::string goldens_dir = "tests/regress";
  std::string out_dir = "runs/regress";     ///< where the fresh runs go
  std::string runs_dir;                     ///< use run folders made already (<dir>/<group>.<name>) instead of running
  bool update = false;
  bool json = false;
  int jobs = 1;
  int windows = 10;                         ///< for new goldens; an existing golden keeps its own
  double tolerance = 1e-9;
};

/// 0 every scenario matches its golden (or --update wrote them), 1 a difference, a missing golden or a run that
/// failed, 2 bad input, 130/143 interrupted.
int CmdRegress(const RegressOptions& opts);

}  // namespace planelab
