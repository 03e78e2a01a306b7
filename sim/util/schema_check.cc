#include "sim/util/schema_check.h"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <map>
#include <memory>

#include "sim/util/json_locate.h"

namespace planelab {

std::vector<std::pair<std::string, std::string>> SchemaProblems(const nlohmann::json& doc, const char* schema_text) {
  struct Compiled {
    nlohmann::json doc;
    valijson::Schema schema;
  };
  static std::map<const char*, std::unique_ptr<Compiled>> cache;  // keyed by the embedded text's address
  auto& slot = cache[schema_text];
  if (!slot) {
    slot = std::make_unique<Compiled>();
    slot->doc = nlohmann::json::parse(schema_text);
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(slot->doc);
    parser.populateSchema(adapter, slot->schema);
  }
  valijson::Validator v;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  std::vector<std::pair<std::string, std::string>> out;
  if (v.validate(slot->schema, target, &results)) return out;
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    if (e.description.rfind("Failed to validate against schema associated", 0) == 0) continue;
    if (e.description.rfind("Failed to validate item #", 0) == 0) continue;
    std::string pointer;
    for (const auto& c : e.context) {
      if (c.size() >= 2 && c.front() == '[' && c.back() == ']') pointer += "/" + JsonPointerEscape(c.substr(1, c.size() - 2));
    }
    out.push_back({pointer, e.description});
  }
  if (out.empty()) out.push_back({"", "does not match the schema"});
  return out;
}

}  // namespace planelab
