// istiod's push debounce (pilot/pkg/xds/discovery.go debounce()), pure: config and endpoint events are merged
// until the mesh has been quiet for PILOT_DEBOUNCE_AFTER (100 ms) or PILOT_DEBOUNCE_MAX (10 s) has passed since
// the first merged event; a push starts only when the previous one finished (istiod's `free` flag).
// Defaults: istio.io/latest/docs/reference/commands/pilot-discovery/#envvars.
#pragma once
#include <cstdint>

#include "sim/util/units.h"

namespace planelab::mesh {

struct DebounceConfig {
  SimTime after = 100 * kMs;  // PILOT_DEBOUNCE_AFTER
  SimTime max = 10 * kSec;    // PILOT_DEBOUNCE_MAX
};

class PushDebouncer {
 public:
  explicit PushDebouncer(DebounceConfig c) : c_(c) {}
  /// A change at `now`. Returns true when the caller must arm its timer (the first event of a round); the timer
  /// calls Check() after `config().after`.
  bool OnEvent(SimTime now);
  /// The timer: true when a push starts now (the merged events are handed over and a new round begins);
  /// otherwise `*recheck` is the delay after which to call again.
  bool Check(SimTime now, SimTime* recheck);
  /// The push that started finished; events merged meanwhile wait for the next Check().
  void PushDone() { free_ = true; }
  bool pending() const { return events_ > 0; }
  /// The first event of the round that the last Check() pushed, and how many events it merged.
  SimTime pushed_first_event() const { return pushed_first_; }
  uint32_t pushed_events() const { return pushed_events_; }
  const DebounceConfig& config() const { return c_; }

 private:
  DebounceConfig c_;
  uint32_t events_ = 0;
  SimTime first_ = 0, last_ = 0;
  bool armed_ = false, free_ = true;
  SimTime pushed_first_ = 0;
  uint32_t pushed_events_ = 0;
};

}  // namespace planelab::mesh
