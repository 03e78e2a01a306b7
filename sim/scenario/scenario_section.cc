#include "sim/scenario/scenario_section.h"

#include <stdexcept>

#include "sim/scenario/schema_text.h"
#include "sim/util/units.h"

namespace planelab {

using nlohmann::json;

const json* SectionContext::StringAt(const std::string& sub) const {
  json::json_pointer at(sub);
  if (!value.contains(at)) return nullptr;
  const json& v = value.at(at);
  if (!v.is_string()) {
    Problem(sub, "expected a string such as \"10s\", \"1Gbps\", \"100pps\" or \"1500B\", found " + v.dump());
    return nullptr;
  }
  return &v;
}

void SectionContext::OutOfRange(const std::string& sub, const std::string& text, const std::string& low,
                                const std::string& high, const std::string& note) const {
  Problem(sub, "\"" + text + "\" is out of range: allowed here from " + low + " to " + high + note);
}

bool SectionContext::ReadDuration(const std::string& sub, SimTime* out, SimTime min, SimTime max) const {
  const json* v = StringAt(sub);
  if (!v) return false;
  const std::string& text = v->get_ref<const std::string&>();
  Parsed<SimTime> p = ParseDuration(text);
  if (!p && !p.out_of_range) {
    Problem(sub, p.error);
    return false;
  }
  if (!p || p.value < min || p.value > max) {
    OutOfRange(sub, text, FormatDurationExact(min), FormatDurationExact(max),
               max == kMaxScenarioTime ? " (one year of simulated time)" : "");
    return false;
  }
  *out = p.value.value();
  return true;
}

bool SectionContext::ReadBitRate(const std::string& sub, uint64_t* out, uint64_t min, uint64_t max) const {
  const json* v = StringAt(sub);
  if (!v) return false;
  const std::string& text = v->get_ref<const std::string&>();
  Parsed<uint64_t> p = ParseBitRate(text);
  if (!p && !p.out_of_range) {
    Problem(sub, p.error);
    return false;
  }
  if (!p || p.value < min || p.value > max) {
    OutOfRange(sub, text, FormatBitRate(min), FormatBitRate(max));
    return false;
  }
  *out = p.value.value();
  return true;
}

bool SectionContext::ReadPacketRate(const std::string& sub, double* out, double min, double max) const {
  const json* v = StringAt(sub);
  if (!v) return false;
  const std::string& text = v->get_ref<const std::string&>();
  Parsed<double> p = ParsePacketRate(text);
  if (!p && !p.out_of_range) {
    Problem(sub, p.error);
    return false;
  }
  if (!p || p.value < min || p.value > max) {
    OutOfRange(sub, text, FormatPacketRate(min), FormatPacketRate(max));
    return false;
  }
  *out = p.value.value();
  return true;
}

bool SectionContext::ReadBytes(const std::string& sub, uint64_t* out, uint64_t min, uint64_t max) const {
  const json* v = StringAt(sub);
  if (!v) return false;
  const std::string& text = v->get_ref<const std::string&>();
  Parsed<uint64_t> p = ParseBytes(text);
  if (!p && !p.out_of_range) {
    Problem(sub, p.error);
    return false;
  }
  if (!p || p.value < min || p.value > max) {
    OutOfRange(sub, text, FormatBytes(min), FormatBytes(max));
    return false;
  }
  *out = p.value.value();
  return true;
}

bool SectionContext::ReadBytes(const std::string& sub, uint32_t* out, uint32_t min, uint32_t max) const {
  uint64_t bytes = *out;
  if (!ReadBytes(sub, &bytes, min, max)) return false;
  *out = static_cast<uint32_t>(bytes);
  return true;
}

void SectionContext::ReadLinkParams(const std::string& sub, LinkSpec* l) const {
  ReadBitRate(sub + "/rate", &l->rate_bps);
  ReadDuration(sub + "/delay", &l->delay);
  json::json_pointer at(sub);
  if (!value.contains(at)) return;
  const json& j = value.at(at);
  if (j.contains("cost") && j["cost"].is_number_unsigned()) l->cost = j["cost"].get<uint32_t>();
  // 576: every IPv4 host must accept such a datagram (RFC 791); 9,216: the largest jumbo frame switches take.
  if (j.contains("mtu") && j["mtu"].is_number_unsigned()) {
    const uint64_t mtu = j["mtu"].get<uint64_t>();
    if (mtu < 576 || mtu > 9216) Problem(sub + "/mtu", "an MTU is 576 to 9216 bytes");
    else l->mtu = static_cast<uint32_t>(mtu);
  }
  if (j.contains("queue") && j["queue"].is_object()) {
    const json& q = j["queue"];
    if (q.contains("kind") && q["kind"].is_string()) l->queue.kind = q["kind"];
    if (const json* size = StringAt(sub + "/queue/size")) {
      // Checked here, kept as written: ns-3 reads the text (QueueSize).
      Parsed<std::string> p = ParseQueueSize(size->get<std::string>());
      if (p) l->queue.size = size->get<std::string>();
      else Problem(sub + "/queue/size", p.error);
    }
  }
}

LinkSpec SectionContext::WithLinkDefaults(LinkSpec base) const {
  SectionContext root(doc, "", doc, scenario, problems);
  root.ReadLinkParams("/topology/link_defaults", &base);
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
