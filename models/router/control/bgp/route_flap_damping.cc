#include "models/router/control/bgp/route_flap_damping.h"

#include <algorithm>
#include <cmath>

namespace planelab::bgp {

double RouteFlapDamping::Decayed(const State& s, SimTime now) const {
  double dt = static_cast<double>(now - s.updated) / static_cast<double>(c_.half_life);
  return s.penalty * std::exp2(-dt);
}

double RouteFlapDamping::Ceiling() const {
  return c_.reuse_threshold * std::exp2(static_cast<double>(c_.max_suppress) / static_cast<double>(c_.half_life));
}

double RouteFlapDamping::Penalty(uint64_t key, SimTime now) const {
  auto it = states_.find(key);
  return it == states_.end() ? 0 : Decayed(it->second, now);
}

bool RouteFlapDamping::Penalize(uint64_t key, SimTime now, bool withdrawal) {
  if (!c_.enabled) return false;
  State& s = states_[key];
  s.penalty = std::min(Ceiling(), Decayed(s, now) + (withdrawal ? c_.withdraw_penalty : c_.attribute_penalty));
  s.updated = now;
  if (s.penalty > c_.suppress_threshold) s.suppressed = true;
  return s.suppressed;
}

bool RouteFlapDamping::Suppressed(uint64_t key, SimTime now) {
  auto it = states_.find(key);
  if (it == states_.end() || !it->second.suppressed) return false;
  if (Decayed(it->second, now) < c_.reuse_threshold) {
    it->second.suppressed = false;
    return false;
  }
  return true;
}

SimTime RouteFlapDamping::NextReuse() const {
  SimTime next = -1;
  for (const auto& [_, s] : states_) {
    if (!s.suppressed) continue;
    // p * 2^(-dt/h) = reuse  =>  dt = h * log2(p / reuse)
    double dt = static_cast<double>(c_.half_life) * std::log2(s.penalty / c_.reuse_threshold);
    SimTime t = s.updated + static_cast<SimTime>(std::ceil(dt)) + 1;
    if (next < 0 || t < next) next = t;
  }
  return next;
}

size_t RouteFlapDamping::suppressed_count() const {
  size_t n = 0;
  for (const auto& [_, s] : states_) n += s.suppressed ? 1 : 0;
  return n;
}

}  // namespace planelab::bgp
