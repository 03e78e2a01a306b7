// Route flap damping (RFC 2439 §4) with the parameters recommended by RFC 7196 §3.
#pragma once
#include <cstdint>
#include <map>

#include "sim/util/units.h"

namespace planelab::bgp {

/// Damping parameters; the defaults are RFC 7196's recommendation (suppress-threshold raised to 6000).
struct DampingConfig {
  bool enabled = false;
  double withdraw_penalty = 1000;    // RFC 2439 §4.2: a flap (withdrawal) adds 1000
  double attribute_penalty = 500;    // an attribute change adds 500
  double suppress_threshold = 6000;  // RFC 7196 §3
  double reuse_threshold = 750;
  SimTime half_life = 15 * 60 * kSec;
  SimTime max_suppress = 60 * 60 * kSec;
};

/// Per-route figure of merit: penalties decay exponentially with the half-life; a route whose
/// penalty exceeds the suppress threshold is not used until it decays below the reuse threshold.
class RouteFlapDamping {
 public:
  explicit RouteFlapDamping(DampingConfig c = {}) : c_(c) {}
  /// Records a withdrawal or an attribute change of `key`; returns whether it is now suppressed.
  bool Penalize(uint64_t key, SimTime now, bool withdrawal);
  /// Whether `key` is suppressed at `now` (lifts suppression once the penalty fell below reuse).
  bool Suppressed(uint64_t key, SimTime now);
  /// Current decayed penalty.
  double Penalty(uint64_t key, SimTime now) const;
  /// Earliest time a suppressed route becomes reusable, or -1.
  SimTime NextReuse() const;
  size_t suppressed_count() const;
  const DampingConfig& config() const { return c_; }

 private:
  struct State {
    double penalty = 0;
    SimTime updated = 0;
    bool suppressed = false;
  };
  double Decayed(const State& s, SimTime now) const;
  /// The penalty ceiling that bounds suppression to max_suppress (RFC 2439 §4.3).
  double Ceiling() const;
  DampingConfig c_;
  std::map<uint64_t, State> states_;
};

}  // namespace planelab::bgp
