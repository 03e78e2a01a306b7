// Streams events, metric samples and health into the run store while the run goes.
#pragma once
#include <memory>

#include "sim/core/plane_actor.h"
#include "sim/scenario/scenario.h"
#include "sim/trace/run_store.h"

namespace planelab {

/// Decides what is kept: subscribes to the event bus and samples the registry on the sampling clock.
class Recorder {
 public:
  Recorder(RunStoreWriter& store, RunContext& ctx);
  /// Writes the topology (devices, data and OOB links) once, before the run.
  void WriteTopology(const Scenario& sc);
  /// Writes the series declarations; call after every model has declared its metrics.
  void WriteSeries();
  /// Samples every metric at `now` and commits the batch.
  void SampleMetrics(SimTime now);
  void WriteHealth(SimTime now, const std::string& device, Plane plane, Health actual, Health reported);
  uint64_t events() const { return events_; }

 private:
  RunStoreWriter& store_;
  RunContext& ctx_;
  uint64_t events_ = 0;
};

}  // namespace planelab
