#include "models/mesh/core/push_debounce.h"

namespace planelab::mesh {

bool PushDebouncer::OnEvent(SimTime now) {
  if (events_ == 0) first_ = now;
  last_ = now;
  ++events_;
  if (armed_) return false;
  armed_ = true;
  return true;
}

bool PushDebouncer::Check(SimTime now, SimTime* recheck) {
  *recheck = c_.after;
  if (events_ == 0) {
    armed_ = false;
    return false;
  }
  const SimTime quiet = now - last_, waited = now - first_;
  if (free_ && (waited >= c_.max || quiet >= c_.after)) {
    pushed_first_ = first_;
    pushed_events_ = events_;
    events_ = 0;
    free_ = false;
    armed_ = false;
    return true;
  }
  // Not yet quiet: check again when it would be (istiod re-arms its timer for debounceAfter - quietTime).
  if (free_ && quiet < c_.after) *recheck = c_.after - quiet;
  return false;
}

}  // namespace planelab::mesh
