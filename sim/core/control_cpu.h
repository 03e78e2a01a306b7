// The route processor's CPU: control work queues behind other work and slows when the CPU is saturated.
#pragma once
#include <deque>
#include <functional>

#include "sim/core/clock.h"
#include "sim/core/metrics.h"

namespace planelab {

/// A single-server FIFO CPU shared with a background hog (processor sharing): the item in service
/// gets (1 - load) of the CPU, and its remaining work is re-timed whenever the load changes, so
/// work left over from a saturation finishes within moments of the saturation's end.
class ControlCpu {
 public:
  ControlCpu() = default;
  /// Metrics to feed; any may be null.
  void BindMetrics(Histogram* wait, Gauge* depth) { wait_hist_ = wait; depth_gauge_ = depth; }
  /// Queues `fn` to run after `cost` of CPU time, behind earlier work.
  void Submit(SimTime cost, std::function<void()> fn);
  /// Share of the CPU taken by other work, in [0, 0.999].
  void SetBackgroundLoad(double load);
  double background_load() const { return load_; }
  /// Drops all queued work (a crash); work in service is abandoned too.
  void Flush();
  size_t depth() const { return queue_.size() + (busy_ ? 1 : 0); }
  /// Busy share of the CPU since the last call, including the background load, in [0,1].
  double TakeUtilization();
  /// Longest wait of any work item that started service since the last call (seconds).
  double TakeMaxWait();
  /// Age of the oldest queued item that has not started (seconds), 0 if none.
  double OldestQueuedAge() const;

 private:
  struct Item {
    SimTime cost;
    SimTime enqueued;
    std::function<void()> fn;
  };
  void StartNext();
  /// (Re)schedules the end of the item in service from its remaining work at the current load.
  void ScheduleCompletion();
  /// Integrates the hog's and our own CPU use up to now (load and busy are piecewise constant).
  void Advance();
  std::deque<Item> queue_;
  bool busy_ = false;
  Item current_;                 // the item in service while busy_
  double remaining_ns_ = 0;      // CPU work the item in service still needs, at full CPU
  SimTime service_mark_ = 0;     // when remaining_ns_ was last brought up to date
  double load_ = 0;
  uint64_t generation_ = 0;  // invalidates a scheduled completion: bumped on a crash and on a re-time
  SimTime last_advance_ = 0;
  double used_ns_ = 0;  // CPU time used by the hog and by our work since the window start
  SimTime util_window_start_ = 0;
  double max_wait_ = 0;
  Histogram* wait_hist_ = nullptr;
  Gauge* depth_gauge_ = nullptr;
};

}  // namespace planelab
