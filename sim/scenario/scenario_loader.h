// Loads and validates a scenario file: JSON syntax, the JSON Schema (valijson), then meaning.
#pragma once
#include <string>

#include "sim/scenario/model_catalog.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/scenario_error.h"

namespace planelab {

/// Reads, validates and expands (generators, defaults) a scenario file; each model family's section is read by
/// the parser the family registered in `catalog`, and expectations name metrics its kinds declare
/// (models/models.h: BuiltinModels()). Throws ScenarioError.
Scenario LoadScenarioFile(const std::string& path, const ModelCatalog& catalog);
/// Same, from text already read; `path` is used in messages.
Scenario ParseScenarioText(const std::string& text, const std::string& path, const ModelCatalog& catalog);
/// The JSON Schema of scenarios with these sections (the shipped scenarios/scenario.schema.json).
const std::string& ScenarioSchemaText(const ScenarioSections& sections);

}  // namespace planelab
