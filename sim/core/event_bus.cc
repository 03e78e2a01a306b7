#include "sim/core/event_bus.h"

#include "sim/core/clock.h"

namespace planelab {

const char* ToString(Lifecycle l) {
  switch (l) {
    case Lifecycle::kStarting: return "starting";
    case Lifecycle::kUp: return "up";
    case Lifecycle::kDegraded: return "degraded";
    case Lifecycle::kDown: return "down";
    case Lifecycle::kCrashed: return "crashed";
    case Lifecycle::kAbsent: return "absent";
  }
  return "?";
}

const char* ToString(Health h) {
  switch (h) {
    case Health::kUp: return "up";
    case Health::kDegraded: return "degraded";
    case Health::kDown: return "down";
    case Health::kUnknown: return "unknown";
    case Health::kAbsent: return "absent";
  }
  return "?";
}

void EventBus::Emit(const std::string& device, const std::string& plane, const std::string& kind,
                    const std::string& detail) {
  ++emitted_;
  if (sinks_.empty()) return;
  TraceEvent e{Clock::Now(), device, plane, kind, detail};
  for (auto& s : sinks_) s(e);
}

}  // namespace planelab
