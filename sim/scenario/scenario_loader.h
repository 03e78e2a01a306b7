// Loads and validates a scenario file: JSON syntax, the JSON Schema (valijson), then meaning.
#pragma once
#include <string>

#include "sim/scenario/scenario.h"
#include "sim/scenario/scenario_error.h"

namespace planelab {

/// Reads, validates and expands (generators, defaults) a scenario file. Throws ScenarioError.
Scenario LoadScenarioFile(const std::string& path);
/// Same, from text already read; `path` is used in messages.
Scenario ParseScenarioText(const std::string& text, const std::string& path);
/// The JSON Schema shipped with this build.
const std::string& ScenarioSchemaText();

}  // namespace planelab
