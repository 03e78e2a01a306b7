#include "sim/scenario/scenario_section.h"

#include <stdexcept>

#include "sim/scenario/schema_text.h"
#include "sim/util/units.h"

namespace planelab {

using nlohmann::json;

SimTime SectionContext::Duration(const json& v) { return *ParseDuration(v.get<std::string>()).value; }
double SectionContext::PacketRate(const json& v) { return *ParsePacketRate(v.get<std::string>()).value; }
uint64_t SectionContext::Bytes(const json& v) { return *ParseBytes(v.get<std::string>()).value; }

void SectionContext::ApplyLinkParams(const json& j, LinkSpec* l) {
  if (j.contains("rate")) l->rate_bps = *ParseBitRate(j["rate"].get<std::string>()).value;
  if (j.contains("delay")) l->delay = Duration(j["delay"]);
  if (j.contains("cost")) l->cost = j["cost"].get<uint32_t>();
  if (j.contains("queue")) {
    const json& q = j["queue"];
    if (q.contains("kind")) l->queue.kind = q["kind"];
    if (q.contains("size")) l->queue.size = q["size"];
  }
}

LinkSpec SectionContext::WithLinkDefaults(LinkSpec base) const {
  const json& topo = doc["topology"];
  if (topo.contains("link_defaults")) ApplyLinkParams(topo["link_defaults"], &base);
  return base;
}

void ScenarioSections::Add(ScenarioSection section) {
  static const nlohmann::ordered_json base = nlohmann::ordered_json::parse(kScenarioBaseSchemaText);
  if (base["properties"].contains(section.key) || Find(section.key)) {
    throw std::logic_error("scenario section \"" + section.key + "\" is registered twice");
  }
  if (!section.parse) throw std::logic_error("scenario section \"" + section.key + "\" has no parser");
  sections_.push_back(std::move(section));
  schema_.reset();
  schema_text_.reset();
}

void ScenarioSections::AddDeclarableKind(DeclarableKind kind) {
  if (FindDeclarableKind(kind.kind)) throw std::logic_error("device kind \"" + kind.kind + "\" is declarable twice");
  kinds_.push_back(std::move(kind));
  schema_.reset();
  schema_text_.reset();
}

const DeclarableKind* ScenarioSections::FindDeclarableKind(const std::string& kind) const {
  for (const auto& k : kinds_) {
    if (k.kind == kind) return &k;
  }
  return nullptr;
}

const ScenarioSection* ScenarioSections::Find(const std::string& key) const {
  for (const auto& s : sections_) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

const nlohmann::ordered_json& ScenarioSections::Schema() const {
  if (schema_) return *schema_;
  nlohmann::ordered_json schema = nlohmann::ordered_json::parse(kScenarioBaseSchemaText);
  // The families' sections go after what describes the world (topology, management network) and before the
  // timeline (workloads, faults, expectations), so the composed schema reads in the order a scenario does.
  nlohmann::ordered_json props = nlohmann::ordered_json::object();
  bool placed = false;
  for (auto it = schema["properties"].begin(); it != schema["properties"].end(); ++it) {
    if (!placed && it.key() == "workloads") {
      for (const auto& s : sections_) {
        nlohmann::ordered_json fragment = nlohmann::ordered_json::parse(s.schema);
        if (!s.help.empty() && !fragment.contains("description")) fragment["description"] = s.help;
        props[s.key] = fragment;
      }
      placed = true;
    }
    props[it.key()] = it.value();
  }
  if (!placed) throw std::logic_error("the base scenario schema has no \"workloads\" property");
  schema["properties"] = props;
  // The kinds a file may declare in topology.devices are the families' (router, host, ...).
  nlohmann::ordered_json kinds = nlohmann::ordered_json::array();
  for (const auto& k : kinds_) kinds.push_back(k.kind);
  schema["properties"]["topology"]["properties"]["devices"]["items"]["properties"]["kind"] = {{"enum", kinds}};
  schema_ = std::make_shared<const nlohmann::ordered_json>(std::move(schema));
  return *schema_;
}

const std::string& ScenarioSections::SchemaText() const {
  if (!schema_text_) schema_text_ = std::make_shared<const std::string>(Schema().dump(2) + "\n");
  return *schema_text_;
}

}  // namespace planelab
