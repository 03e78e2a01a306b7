// JSON-pointer overrides of a scenario document (`planelab run --set POINTER=VALUE`, study axes): applied to
// the parsed document before validation, so the normal loader and its schema check every overridden value.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/scenario/model_catalog.h"
#include "sim/scenario/scenario.h"

namespace planelab::experiment {

struct Override {
  std::string pointer;           ///< RFC 6901, e.g. /faults/0/params/extra_fsync_latency
  nlohmann::ordered_json value;  ///< the value put there
  std::string Text() const;      ///< "POINTER=VALUE" as given
};

/// "POINTER=VALUE": VALUE is read as JSON when it parses as JSON (800, true, "x", [1,2]), else as a string
/// (800ms). Throws std::invalid_argument with a message for a pointer that does not start with '/'.
Override ParseOverride(const std::string& arg);

/// Applies overrides to a JSON document's text in order; returns the new document (keys keep their order).
/// Throws ScenarioError located at `path` and the pointer for a pointer whose parent does not exist, or an
/// array index past the end ("-" appends). A text that is not JSON is returned unchanged (the loader then
/// reports the syntax error where it is).
std::string ApplyOverrides(const std::string& text, const std::string& path, const std::vector<Override>& overrides);

/// The name a scenario with overrides goes by in messages and in the run's records: "a.json (with --set /x=1)".
std::string OverriddenPath(const std::string& path, const std::vector<Override>& overrides);

/// Reads `path`, applies the overrides and loads the result with the normal loader (ParseScenarioText);
/// throws ScenarioError as LoadScenarioFile does.
Scenario LoadScenarioWithOverrides(const std::string& path, const std::vector<Override>& overrides,
                                   const ModelCatalog& catalog);

}  // namespace planelab::experiment
