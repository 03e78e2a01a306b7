// The node-lifecycle controller's pure core: a node whose lease is older than the grace period is NotReady;
// pods on a node NotReady longer than the eviction timeout are evicted (taint-based eviction).
#pragma once
#include "sim/util/units.h"

namespace planelab {

/// Verdict on one node at one instant.
struct NodeVerdict {
  bool ready = true;
  bool evict = false;
};

/// Defaults: --node-monitor-grace-period 40s and DefaultTolerationSeconds 300 for not-ready/unreachable.
class NodeLifecycle {
 public:
  NodeLifecycle(SimTime grace, SimTime eviction) : grace_(grace), eviction_(eviction) {}
  /// `lease_renewed`: the lease's renewTime; `not_ready_since`: when the node was last marked NotReady (<0: not).
  NodeVerdict Judge(SimTime now, SimTime lease_renewed, SimTime not_ready_since) const {
    NodeVerdict v;
    v.ready = now - lease_renewed <= grace_;
    v.evict = !v.ready && not_ready_since >= 0 && now - not_ready_since >= eviction_;
    return v;
  }

 private:
  SimTime grace_, eviction_;
};

}  // namespace planelab
