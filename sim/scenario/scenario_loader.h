// Loads and validates a scenario file: JSON syntax, the JSON Schema (valijson), then meaning.
#pragma once
#include <string>

#include "sim/scenario/model_catalog.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/scenario_error.h"

namespace planelab {

/// The largest scenario file read (16 MiB): far above any hand-written one (the shipped ones are under 10 KB);
/// large topologies are generated ("topology": {"generate": ...}), not listed.
constexpr size_t kMaxScenarioFileBytes = 16 * 1024 * 1024;
/// The deepest nesting of [ and { read; a scenario needs about 6 levels.
constexpr int kMaxScenarioNesting = 64;

/// Reads, validates and expands (generators, defaults) a scenario file; each model family's section is read by
/// the parser the family registered in `catalog`, and expectations name metrics its kinds declare
/// (models/models.h: BuiltinModels()). Throws ScenarioError.
Scenario LoadScenarioFile(const std::string& path, const ModelCatalog& catalog);
/// Same, from text already read; `path` is used in messages.
Scenario ParseScenarioText(const std::string& text, const std::string& path, const ModelCatalog& catalog);
/// A scenario file's text. Refuses a folder, a file it cannot open and one larger than kMaxScenarioFileBytes
/// (told from its size before it is read, or as a pipe is read). Throws ScenarioError.
std::string ReadScenarioFile(const std::string& path);
/// The checks ParseScenarioText makes on a text before parsing it, for code that parses the text itself first
/// (overrides, sim/experiment): its size, its nesting, and keys given twice (when it is JSON). Throws ScenarioError.
void CheckScenarioText(const std::string& text, const std::string& path);
/// The JSON Schema of scenarios with these sections (the shipped scenarios/scenario.schema.json).
const std::string& ScenarioSchemaText(const ScenarioSections& sections);

}  // namespace planelab
