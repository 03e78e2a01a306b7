// Network-wide convergence after each change: from the triggering event to the last route change.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "sim/core/event_bus.h"

namespace planelab {

/// One convergence episode: a trigger (start of the run, a fault starting or ending) and the
/// route changes that followed it until the next trigger.
struct ConvergenceEpisode {
  std::string trigger;          // "start", or "fault.start asic-dead spine1"
  SimTime at = 0;
  SimTime last_change = -1;     // last FIB programmed anywhere, -1 if no route changed
  uint64_t rib_changes = 0;     // route computations that changed a RIB
  std::set<std::string> routers;
};

/// Watches the event bus for triggers and route changes (first to last route change network-wide).
class ConvergenceProbe {
 public:
  explicit ConvergenceProbe(EventBus& bus);
  const std::vector<ConvergenceEpisode>& episodes() const { return episodes_; }

 private:
  std::vector<ConvergenceEpisode> episodes_;
};

}  // namespace planelab
