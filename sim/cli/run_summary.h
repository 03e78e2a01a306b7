// summary.json: per device and plane, the intervals of actual vs reported health; the expectations; convergence.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace planelab {

class HealthProbe;
class ConvergenceProbe;
class RunStoreReader;

/// The summary of a finished run, without its expectations (see AddExpectations).
nlohmann::ordered_json RunSummary(const Scenario& sc, const std::vector<DeviceSpec>& devices, const HealthProbe& health,
                                  const ConvergenceProbe& convergence);
/// Evaluates the scenario's expectations on the run store and lists them in the summary; false if one failed.
bool AddExpectations(const Scenario& sc, const RunStoreReader& store, nlohmann::ordered_json& summary);
/// With a telemetry pipeline ("telemetry" section): per fault, time to detect and to know (from the station's
/// alert.notified events) and the pipeline's measures over the fault's window, as summary["incidents"].
void AddIncidents(const Scenario& sc, const RunStoreReader& store, nlohmann::ordered_json& summary);

}  // namespace planelab
