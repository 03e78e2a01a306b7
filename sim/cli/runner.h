// Runs one scenario end to end: builds the network and devices, schedules faults, records, summarises.
#pragma once
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace planelab {

/// Bad command-line input (exit code 2), with a message that says how to fix it.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A run that ended but whose folder could not be put in place; the message says where it was kept (exit 3).
class RunKeptError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunOptions {
  std::string out_dir;   // "" = runs/<name>-s<seed>, made unique
  bool force = false;    // replace an existing run folder given with --out
  std::optional<uint64_t> seed;
  std::vector<std::string> pcap_devices;
  std::string scheduler = "ns3::PriorityQueueScheduler";
  bool record = true;    // false: no run store (benchmarks only)
  /// Called with the simulated fraction done, on the simulation's own progress events.
  std::function<void(double)> progress;
};

struct RunOutcome {
  nlohmann::ordered_json summary;
  std::string out_dir;
  bool all_passed = true;
  uint64_t events = 0;      // kernel events executed
  uint64_t trace_events = 0;
  double wall_seconds = 0;
  /// Nonzero when the run was stopped by Clock::RequestStop (the CLI: SIGINT or SIGTERM) before its end: the
  /// signal number. Then there is no summary; out_dir is the kept "<dir>.partial-<pid>" folder.
  int interrupted = 0;
  double interrupted_at_s = 0;  // the simulated time reached
};

/// "SIGINT", "SIGTERM", ... (the INTERRUPTED file and messages name the signal so).
std::string SignalName(int sig);

/// Runs the scenario; throws UsageError for bad options, std::runtime_error for failures.
/// Outputs appear in the run folder only when the run completed; a stopped run keeps its partial folder
/// (meta complete = "false", interrupted_at_s; the file INTERRUPTED).
RunOutcome RunScenario(Scenario sc, const RunOptions& opts);

}  // namespace planelab
