// Checks a scenario's expectations against the recorded run (the run store is the source of truth).
#pragma once
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"
#include "sim/trace/run_reader.h"

namespace planelab {

/// The verdict on one expectation.
struct ExpectationResult {
  std::string id;
  bool passed = false;
  bool has_observed = false;
  double observed = 0;
  double bound = 0;
  std::string detail;
};

std::vector<ExpectationResult> EvaluateExpectations(const Scenario& sc, const RunStoreReader& store);

/// Applies a comparison operator ("<", "<=", ">", ">=", "==", "!=").
bool Compare(double observed, const std::string& op, double bound);

}  // namespace planelab
