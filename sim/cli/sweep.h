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
  // A study on a cluster (docs/experiments.md, "Running a study on a cluster"): at most one of these.
  bool plan = false;     ///< write the task list (plan.json, tasks.tsv) and the points; run nothing
  std::string task;      ///< "K": run task K of the plan into the shared folder (checked by CmdSweep)
  std::string shard;     ///< "I/N": run the plan's tasks whose number modulo N is I
  bool merge = false;    ///< results.sqlite/results.csv from the run folders and task records
};

/// 0 every run completed and every expectation held, 1 a run failed or an expectation failed, 2 a bad study
/// or bad flags (nothing ran), 130 interrupted (completed runs kept). --plan: 0 planned. --task/--shard: 0 every
/// chosen run is complete (whatever its expectations said; --merge tells), 1 a run failed. --merge: 0 every run
/// complete with every expectation held, 1 a run failed or is missing or an expectation failed, 3 not written.
int CmdSweep(const SweepOptions& opts);

}  // namespace planelab
