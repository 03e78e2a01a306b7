// JSON Schema checks of the small input files that carry their own schema (studies, exercises): valijson, with the
// schema compiled once per text and the problems located by JSON pointer.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace planelab {

/// The problems of `doc` against the JSON Schema `schema_text`, as (JSON pointer, what is wrong), in valijson's
/// words without its summary lines ("Failed to validate item #..."); empty when `doc` is valid.
std::vector<std::pair<std::string, std::string>> SchemaProblems(const nlohmann::json& doc, const char* schema_text);

}  // namespace planelab
