// Planes, lifecycles and health states: the vocabulary of every run.
#pragma once
#include <string>

namespace planelab {

/// The three planes of a device (../shared/DESIGN.md).
enum class Plane { kData, kControl, kManagement };
/// Lifecycle of a plane actor, as INET treats lifecycle: a first-class, scriptable state. `absent`: the
/// device does not exist yet or any more (an auto-scaling group's empty slot), so it serves and fails nothing.
enum class Lifecycle { kStarting, kUp, kDegraded, kDown, kCrashed, kAbsent };
/// Health of a plane, actual (measured) or reported (what the dashboard shows).
enum class Health { kUp, kDegraded, kDown, kUnknown, kAbsent };

/// Health from a failure share, one rule for every plane that serves requests: down when at least half failed,
/// degraded above `degraded_above` (1 % unless said otherwise), up otherwise (and when nothing was asked).
inline Health HealthFromFailures(double failed, double total, double degraded_above = 0.01) {
  if (total <= 0) return Health::kUp;
  double share = failed / total;
  return share >= 0.5 ? Health::kDown : share > degraded_above ? Health::kDegraded : Health::kUp;
}

const char* ToString(Plane p);
const char* ToString(Lifecycle l);
const char* ToString(Health h);
bool ParsePlane(const std::string& s, Plane* out);

/// The triage question of the reference texts, answered per plane.
const char* TriageOf(Plane p);

}  // namespace planelab
