// Structured trace events: models emit, sinks (the recorder, the story) decide what is kept.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "sim/core/plane.h"
#include "sim/util/units.h"

namespace planelab {

/// One trace event; `detail` is a compact JSON object.
struct TraceEvent {
  SimTime t = 0;
  std::string device;
  std::string plane;  // "data", "control", "management", or "" for run-level events
  std::string kind;   // dotted name, e.g. "fault.start", "fib.programmed", "adjacency.down"
  std::string detail;
};

/// Fan-out of trace events to subscribed sinks; nothing is kept unless a sink keeps it.
class EventBus {
 public:
  using Sink = std::function<void(const TraceEvent&)>;
  void Subscribe(Sink sink) { sinks_.push_back(std::move(sink)); }
  void Emit(const std::string& device, const std::string& plane, const std::string& kind,
            const std::string& detail = "{}");
  uint64_t emitted() const { return emitted_; }

 private:
  std::vector<Sink> sinks_;
  uint64_t emitted_ = 0;
};

}  // namespace planelab
