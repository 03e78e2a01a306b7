// Runs `planelab` subcommands as child processes, a few at a time: a run that crashes loses itself, not the
// batch (sweep, regress). Ctrl-C and SIGTERM stop the batch: the running children get SIGTERM, none is started.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace planelab {

/// One child: its arguments after the program name, the file its stderr goes to, and how it ended.
struct WorkerJob {
  std::vector<std::string> args;
  std::string log;
  int exit_code = -1;  ///< the exit status, 128 + signal when killed, -1 when never started
};

/// Runs every job, `parallel` at a time, calling `done(i)` as job i ends. Returns 0, or the signal (SIGINT,
/// SIGTERM) that stopped the batch; the jobs not started keep exit_code -1.
int RunWorkerJobs(std::vector<WorkerJob>& jobs, int parallel, const std::function<void(size_t)>& done);

/// The signal that is stopping the batch RunWorkerJobs is running (0 while none): a job ending then was stopped.
int WorkerStopRequested();

/// The last `max_chars` of a log file, trimmed: what a failed child said.
std::string LogTail(const std::string& path, size_t max_chars);

}  // namespace planelab
