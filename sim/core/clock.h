// The simulated clock, bound to ns-3's scheduler; headers that use it stay free of ns-3.
#pragma once
#include <cstdint>
#include <functional>

#include "sim/util/units.h"

namespace planelab {

/// Something that may take back the timers it set (an actor that crashes, a re-armed Timer): asked, when one of
/// its timers is due, whether it still runs. Lets the check live in the kernel's event itself, so a guarded timer
/// costs one allocation, as a raw ns-3 Schedule does.
class TimerOwner {
 public:
  virtual ~TimerOwner() = default;
  /// Whether the timer set with `token` still runs; may note that it fired.
  virtual bool TimerDue(uint64_t token) = 0;
};

/// Simulated time and event scheduling for PlaneLab code (one kernel per process).
class Clock {
 public:
  /// Current simulated time.
  static SimTime Now();
  /// Runs `fn` after `delay` of simulated time; ties run in scheduling order.
  static void After(SimTime delay, std::function<void()> fn);
  /// Runs `fn` after `delay` if `owner->TimerDue(token)` says so then.
  static void After(SimTime delay, std::function<void()> fn, TimerOwner* owner, uint64_t token);
  /// Selects the event-list implementation and seeds ns-3's random streams.
  static void Configure(uint64_t seed, const std::string& scheduler = "ns3::PriorityQueueScheduler");
  /// Runs the simulation until `end`, then tears the kernel down.
  static void RunUntil(SimTime end);
  /// Total events executed so far by the kernel (for progress and benchmarks).
  static uint64_t EventCount();
  /// Asks a running simulation to stop at the next event boundary (after the event that sees it), with a
  /// nonzero `reason` (the CLI passes the signal number). Async-signal-safe: it only sets a flag, which every
  /// event scheduled through Clock checks after it ran; no event is added, so runs that are never stopped
  /// keep their exact event sequence.
  static void RequestStop(int reason);
  /// The reason given to RequestStop, or 0 (RequestStop(0) clears it).
  static int StopRequested();
};

/// A restartable one-shot timer that never fires stale: re-arming or cancelling invalidates older shots.
class Timer : private TimerOwner {
 public:
  void Arm(SimTime delay, std::function<void()> fn);
  void Cancel() { ++generation_; armed_ = false; }
  bool armed() const { return armed_; }

 private:
  bool TimerDue(uint64_t generation) override;
  uint64_t generation_ = 0;
  bool armed_ = false;
};

}  // namespace planelab
