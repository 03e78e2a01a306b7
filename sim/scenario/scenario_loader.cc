#include "sim/scenario/scenario_loader.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "sim/fault/fault_catalog.h"
#include "sim/scenario/problems.h"
#include "sim/topology/topology.h"
#include "sim/util/json_locate.h"

namespace planelab {

using nlohmann::json;

const std::string& ScenarioSchemaText(const ScenarioSections& sections) { return sections.SchemaText(); }

namespace {


std::string JoinStrings(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// ---- Schema errors, translated into what a user can act on ------------------------------

std::string ContextToPointer(const std::vector<std::string>& context) {
  std::string p;
  for (const auto& c : context) {
    if (c == "<root>") continue;
    if (c.size() >= 2 && c.front() == '[' && c.back() == ']') p += "/" + JsonPointerEscape(c.substr(1, c.size() - 2));
  }
  return p;
}

const json* ResolveRef(const json& root, const json* node) {
  for (int guard = 0; node && node->is_object() && node->contains("$ref") && guard < 8; ++guard) {
    std::string ref = (*node)["$ref"];  // "#/definitions/x"
    node = &root.at(json::json_pointer(ref.substr(1)));
  }
  return node;
}

// The schema node that describes the document value at `pointer`.
const json* SchemaAt(const json& schema, const std::string& pointer) {
  const json* node = ResolveRef(schema, &schema);
  std::istringstream in(pointer);
  std::string token;
  std::getline(in, token, '/');  // leading empty
  while (node && std::getline(in, token, '/')) {
    if (node->contains("properties") && (*node)["properties"].contains(token)) {
      node = &(*node)["properties"][token];
    } else if (node->contains("items")) {
      node = &(*node)["items"];
    } else if (node->contains("additionalProperties") && (*node)["additionalProperties"].is_object()) {
      node = &(*node)["additionalProperties"];
    } else {
      return nullptr;
    }
    node = ResolveRef(schema, node);
  }
  return node;
}

std::string RefName(const json& schema, const std::string& pointer) {
  // The name of the definition a value's schema refers to, e.g. "duration".
  const json* node = ResolveRef(schema, &schema);
  std::istringstream in(pointer);
  std::string token, ref;
  std::getline(in, token, '/');
  while (node && std::getline(in, token, '/')) {
    const json* next = nullptr;
    if (node->contains("properties") && (*node)["properties"].contains(token)) next = &(*node)["properties"][token];
    else if (node->contains("items")) next = &(*node)["items"];
    else if (node->contains("additionalProperties") && (*node)["additionalProperties"].is_object()) next = &(*node)["additionalProperties"];
    if (!next) return "";
    ref = next->contains("$ref") ? (*next)["$ref"].get<std::string>() : "";
    node = ResolveRef(schema, next);
  }
  auto slash = ref.rfind('/');
  return slash == std::string::npos ? "" : ref.substr(slash + 1);
}

std::string TypeName(const json& v) {
  if (v.is_string()) return "a string";
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_boolean()) return "a boolean";
  if (v.is_array()) return "a list";
  if (v.is_object()) return "an object";
  return "null";
}

std::string ExplainSchemaError(const json& schema, const json& doc, const std::string& pointer,
                               const std::string& description) {
  const json* s = SchemaAt(schema, pointer);
  const json* v = nullptr;
  json::json_pointer jp(pointer);
  if (doc.contains(jp)) v = &doc.at(jp);
  // valijson names the offending key last, in single quotes.
  auto quoted = [](const std::string& d) {
    auto b = d.rfind('\'');
    if (b == std::string::npos || b == 0) return std::string();
    auto a = d.rfind('\'', b - 1);
    return a == std::string::npos ? std::string() : d.substr(a + 1, b - a - 1);
  };
  if (description.rfind("Missing required property", 0) == 0) {
    return "missing required property \"" + quoted(description) + "\"";
  }
  if (description.find("could not be validated using 'properties'") != std::string::npos) {
    std::vector<std::string> allowed;
    if (s && s->contains("properties")) {
      for (auto it = (*s)["properties"].begin(); it != (*s)["properties"].end(); ++it) allowed.push_back(it.key());
    }
    return "unknown property \"" + quoted(description) + "\"; allowed here: " + JoinStrings(allowed);
  }
  if (s && v) {
    if (s->contains("enum")) {
      std::vector<std::string> allowed;
      for (const auto& e : (*s)["enum"]) allowed.push_back(e.is_string() ? e.get<std::string>() : e.dump());
      return v->dump() + " is not allowed; use one of: " + JoinStrings(allowed);
    }
    if (s->contains("const")) return v->dump() + " is not allowed; the only value is " + (*s)["const"].dump();
    if (s->contains("type")) {
      const json& t = (*s)["type"];
      bool ok = false;
      auto matches = [&](const std::string& name) {
        return (name == "string" && v->is_string()) || (name == "integer" && v->is_number_integer()) ||
               (name == "number" && v->is_number()) || (name == "boolean" && v->is_boolean()) ||
               (name == "array" && v->is_array()) || (name == "object" && v->is_object());
      };
      if (t.is_string()) ok = matches(t);
      else for (const auto& x : t) ok |= matches(x);
      if (!ok) return "expected " + t.dump() + ", found " + TypeName(*v) + " (" + v->dump() + ")";
    }
    if (v->is_string() && s->contains("pattern")) {
      std::string ref = RefName(schema, pointer), text = *v, unit_error;
      if (ref == "duration") unit_error = ParseDuration(text).error;
      if (ref == "bitrate") unit_error = ParseBitRate(text).error;
      if (ref == "pktrate") unit_error = ParsePacketRate(text).error;
      if (ref == "bytes") unit_error = ParseBytes(text).error;
      if (!unit_error.empty()) return unit_error;
      if (ref == "id") {
        return "\"" + text + "\" is not a valid id: start with a letter, then letters, digits, '_', '.' or '-' (at most 64)";
      }
      return "\"" + text + "\" does not match the pattern " + (*s)["pattern"].dump();
    }
    if (v->is_number() && s->contains("minimum") && v->get<double>() < (*s)["minimum"].get<double>()) {
      return v->dump() + " is too small; the minimum is " + (*s)["minimum"].dump();
    }
    if (v->is_number() && s->contains("maximum") && v->get<double>() > (*s)["maximum"].get<double>()) {
      return v->dump() + " is too large; the maximum is " + (*s)["maximum"].dump();
    }
  }
  return description;
}

/// The composed schema of a set of sections, parsed once for valijson.
struct CompiledSchema {
  json doc;
  valijson::Schema schema;
};

const CompiledSchema& Compiled(const ScenarioSections& sections) {
  static std::map<const ScenarioSections*, std::unique_ptr<CompiledSchema>> cache;
  auto& slot = cache[&sections];
  if (!slot) {
    slot = std::make_unique<CompiledSchema>();
    slot->doc = json::parse(sections.SchemaText());
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(slot->doc);
    parser.populateSchema(adapter, slot->schema);
  }
  return *slot;
}

// valijson matches "pattern" with std::regex, whose matcher recurses once per character: a string of some tens of
// thousands of characters overflowed the stack (SIGSEGV). Every string the schema matches against a pattern is short
// (ids have at most 64 characters, quantities a few), so longer ones are refused before the schema is applied.
constexpr size_t kMaxPatternedString = 256;

void CheckPatternedStrings(const json& schema, const json* node, const json& v, const std::string& pointer,
                           Problems& problems) {
  node = ResolveRef(schema, node);
  if (!node || !node->is_object()) return;
  if (v.is_string()) {
    size_t size = v.get_ref<const std::string&>().size();
    if (node->contains("pattern") && size > kMaxPatternedString) {
      std::string ref = RefName(schema, pointer);
      static const std::map<std::string, std::string> kWhat = {
          {"id", "an id (at most 64 characters)"}, {"duration", "a duration"}, {"bitrate", "a bit rate"},
          {"pktrate", "a packet rate"}, {"bytes", "a size"}};
      auto known = kWhat.find(ref);
      std::string what = known != kWhat.end() ? known->second : "a short value";
      problems.Add(pointer, "a string of " + WithThousands(size) + " characters where " + what +
                                " is expected; at most " + std::to_string(kMaxPatternedString) + " are read");
    }
    return;
  }
  if (v.is_object()) {
    const json* properties = node->contains("properties") ? &(*node)["properties"] : nullptr;
    const json* others = node->contains("additionalProperties") && (*node)["additionalProperties"].is_object()
                             ? &(*node)["additionalProperties"]
                             : nullptr;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const json* child = properties && properties->contains(it.key()) ? &(*properties)[it.key()] : others;
      if (child) CheckPatternedStrings(schema, child, it.value(), pointer + "/" + JsonPointerEscape(it.key()), problems);
    }
  } else if (v.is_array() && node->contains("items") && (*node)["items"].is_object()) {
    for (size_t i = 0; i < v.size(); ++i) {
      CheckPatternedStrings(schema, &(*node)["items"], v[i], pointer + "/" + std::to_string(i), problems);
    }
  }
}

void CheckSchema(const json& doc, const ScenarioSections& sections, Problems& problems) {
  const CompiledSchema& compiled = Compiled(sections);
  const json& schema_doc = compiled.doc;
  const valijson::Schema& schema = compiled.schema;
  // The nesting is at most kMaxScenarioNesting deep, so this recursion is too.
  CheckPatternedStrings(schema_doc, &schema_doc, doc, "", problems);
  problems.ThrowIfAny();
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  if (validator.validate(schema, target, &results)) return;
  valijson::ValidationResults::Error err;
  std::vector<std::pair<std::string, std::string>> errors;
  while (results.popError(err)) {
    // Wrapper errors only say that a child failed; the child's own error says why.
    if (err.description.rfind("Failed to validate against schema associated", 0) == 0) continue;
    if (err.description.rfind("Failed to validate item #", 0) == 0) continue;
    errors.emplace_back(ContextToPointer(err.context), err.description);
  }
  for (const auto& [pointer, description] : errors) {
    std::string at = pointer;
    const std::string kUnknown = "could not be validated using 'properties'";
    if (description.find(kUnknown) != std::string::npos) {
      auto b = description.rfind('\'');
      auto a = b == std::string::npos || b == 0 ? std::string::npos : description.rfind('\'', b - 1);
      if (a != std::string::npos) at = pointer + "/" + JsonPointerEscape(description.substr(a + 1, b - a - 1));
    }
    problems.Add(at, ExplainSchemaError(schema_doc, doc, pointer, description));
  }
  problems.ThrowIfAny();
}

// ---- From JSON to plain structs -----------------------------------------------------------


std::string ParamText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  std::ostringstream o;
  o << v.get<double>();
  return o.str();
}

/// Reads a schema-checked document into a Scenario, one part of the file at a time, in the order the parts
/// depend on each other; each model family's section is read by the family's own parser. Problems are
/// collected, not thrown, so the user sees every problem of a file at once.
class Translator {
 public:
  Translator(const json& doc, const ModelCatalog& catalog, Scenario* sc, Problems& problems)
      : doc(doc), sections(catalog.sections), kinds(catalog.kinds), sc(sc), problems(problems),
        root(doc, "", doc, *sc, problems) {}

  void Run() {
    ReadRun();
    ReadTopology();  // generators, then the families that add devices (the cluster), then explicit devices
    IndexDevices();
    ReadManagement();
    RunSections(ScenarioSection::Stage::kSettings);  // the families' settings, now that the topology is known
    ReadWorkloads();
    ReadFaults();
    ReadExpectations();
    CheckSections();
  }

 private:
  void RunSections(ScenarioSection::Stage stage) {
    for (const auto& section : sections.all()) {
      if (section.stage != stage || !doc.contains(section.key)) continue;
      SectionContext ctx(doc[section.key], "/" + JsonPointerEscape(section.key), doc, *sc, problems);
      section.parse(ctx);
    }
  }

  /// The run's identity and clock: name, seed, duration, sampling.
  void ReadRun() {
    sc->name = doc["name"];
    sc->description = doc.value("description", "");
    sc->seed = doc.value("seed", 1ULL);
    root.ReadDuration("/duration", &sc->duration);
    root.ReadDuration("/sample_interval", &sc->sample_interval);
    if (sc->duration <= 0) problems.Add("/duration", "the duration must be longer than zero");
    if (sc->sample_interval <= 0) problems.Add("/sample_interval", "the sample interval must be longer than zero");
    else if (sc->duration / sc->sample_interval > 10000000) {
      problems.Add("/sample_interval", "more than 10 million samples per series; use a longer sample_interval");
    }
  }

  /// Devices and links: generated, then the families' (the cluster), then explicit ones; groups; topology checks;
  /// private AS numbers for routers without one.
  void ReadTopology() {
    const json& topo = doc["topology"];
    LinkSpec link_defaults = root.WithLinkDefaults(LinkSpec());
    if (topo.contains("generate")) {
      for (size_t i = 0; i < topo["generate"].size(); ++i) {
        const json& g = topo["generate"][i];
        GeneratorSpec gs;
        gs.pointer = "/topology/generate/" + std::to_string(i);
        gs.kind = g["kind"];
        gs.routers = g.value("routers", 0);
        gs.spines = g.value("spines", g.value("transits", 0));
        gs.leaves = g.value("leaves", g.value("stubs", 0));
        gs.hosts_per_router = g.value("hosts_per_router", g.value("hosts_per_leaf", 0));
        gs.prefix = g.value("prefix", "");
        gs.asn_base = g.value("asn_base", 0u);
        gs.link = link_defaults;
        root.ReadLinkParams(gs.pointer + "/link", &gs.link);
        if (gs.kind == "clique" && gs.routers > 200) {
          problems.Add(gs.pointer + "/routers", "a clique of " + std::to_string(gs.routers) +
                                                    " routers has too many links; at most 200 routers");
          gs.routers = 0;
        }
        if ((gs.kind == "line" || gs.kind == "ring" || gs.kind == "star" || gs.kind == "clique" || gs.kind == "grid") &&
            gs.routers == 0) {
          problems.Add(gs.pointer, "generator \"" + gs.kind + "\" needs \"routers\" (how many routers, at least 1)");
        }
        if (gs.kind == "leaf-spine" && (gs.spines == 0 || gs.leaves == 0)) {
          problems.Add(gs.pointer, "generator \"leaf-spine\" needs \"spines\" and \"leaves\" (k spines x n leaves)");
        }
        if (gs.kind == "leaf-spine" && g.contains("routers")) {
          problems.Add(gs.pointer + "/routers", "\"routers\" is for line, ring, star, grid and clique; leaf-spine takes \"spines\" and \"leaves\"");
        }
        sc->generators.push_back(gs);
        if (gs.kind == "internet" && (gs.spines == 0 || gs.leaves == 0)) {
          problems.Add(gs.pointer, "generator \"internet\" needs \"transits\" and \"stubs\" (transit ASes and dual-homed stub ASes)");
        }
        bool complete = (gs.kind == "leaf-spine" || gs.kind == "internet") ? (gs.spines > 0 && gs.leaves > 0) : gs.routers > 0;
        // The size is known from the numbers: a generator too large is refused before it is expanded.
        std::string too_large = TopologyLimitProblem({sc->devices.size(), sc->links.size()}, GeneratorSize(gs),
                                                     "this " + gs.kind + " generator");
        if (!too_large.empty()) problems.Add(gs.pointer, too_large);
        else if (complete) ExpandGenerator(gs, &sc->devices, &sc->links, &sc->groups);
      }
    }
    // Families that add devices and links (the cluster) come after the generators, before explicit devices.
    RunSections(ScenarioSection::Stage::kTopology);
    size_t generated_devices = sc->devices.size(), generated_links = sc->links.size();
    {
      TopologySize written{topo.contains("devices") ? topo["devices"].size() : 0,
                           topo.contains("links") ? topo["links"].size() : 0};
      std::string too_large = TopologyLimitProblem({generated_devices, generated_links}, written,
                                                   "the topology's \"devices\" and \"links\"");
      if (!too_large.empty()) {
        problems.Add("/topology", too_large);
        return;
      }
    }
    if (topo.contains("devices")) {
      for (const auto& d : topo["devices"]) {
        DeviceSpec ds;
        ds.id = d["id"];
        ds.kind = d["kind"];
        const DeclarableKind* declared = sections.FindDeclarableKind(ds.kind);  // the schema allows only these
        ds.managed = d.value("managed", declared && declared->managed);
        ds.asn = d.value("asn", 0u);
        if (d.contains("pos")) ds.pos = std::make_pair(d["pos"][0].get<double>(), d["pos"][1].get<double>());
        if (ds.asn != 0 && ds.kind != "router") {
          problems.Add("/topology/devices/" + std::to_string(sc->devices.size() - generated_devices) + "/asn",
                       "only routers have an AS number");
        }
        if (declared) ds.groups.push_back(declared->group);
        if (d.contains("groups")) for (const auto& g : d["groups"]) ds.groups.push_back(g);
        for (const auto& g : ds.groups) sc->groups[g].push_back(ds.id);
        sc->devices.push_back(ds);
      }
    }
    if (topo.contains("links")) {
      for (const auto& l : topo["links"]) {
        LinkSpec ls = link_defaults;
        ls.a = l["a"];
        ls.b = l["b"];
        ls.id = l.value("id", ls.a + "-" + ls.b);
        root.ReadLinkParams("/topology/links/" + std::to_string(sc->links.size() - generated_links), &ls);
        sc->links.push_back(ls);
      }
    }
    if (topo.contains("groups")) {
      for (auto it = topo["groups"].begin(); it != topo["groups"].end(); ++it) {
        for (const auto& m : it.value()) sc->groups[it.key()].push_back(m);
      }
    }
    // No devices, and nothing that makes them (a generator, or a family's section such as the cluster, which
    // says itself when it makes none, e.g. because it is too large).
    bool family_topology = false;
    for (const auto& section : sections.all()) {
      family_topology |= section.stage == ScenarioSection::Stage::kTopology && doc.contains(section.key);
    }
    if (sc->devices.empty() && sc->generators.empty() && !family_topology) {
      problems.Add("/topology", "the topology has no devices; add \"devices\" or a \"generate\" entry");
    }

    // Topology checks: duplicates, dangling links, unreachable hosts. Generated entries come first,
    // so shift pointers of explicit entries back to where they are written.
    {
      Topology t(sc->devices, sc->links);
      for (auto issue : t.Validate()) {
        auto fix = [&](const std::string& prefix, size_t offset) {
          if (issue.pointer.rfind(prefix, 0) != 0) return;
          size_t start = prefix.size(), end = issue.pointer.find('/', start);
          size_t idx = std::stoul(issue.pointer.substr(start, end - start));
          std::string rest = end == std::string::npos ? "" : issue.pointer.substr(end);
          issue.pointer = idx < offset ? "/topology/generate" : prefix + std::to_string(idx - offset) + rest;
        };
        fix("/topology/devices/", generated_devices);
        fix("/topology/links/", generated_links);
        problems.Add(issue.pointer, issue.message);
      }
    }
    // Routers without an AS number get private ones (RFC 6996), unique, in declaration order.
    {
      std::set<uint32_t> used;
      for (const auto& d : sc->devices) if (d.asn) used.insert(d.asn);
      uint32_t next = 64512;
      for (auto& d : sc->devices) {
        if (d.kind != "router" || d.asn) continue;
        while (used.count(next)) ++next;
        d.asn = next;
        used.insert(next);
      }
    }
  }

  /// Devices by id, for cross-references; groups must name devices.
  void IndexDevices() {
    for (const auto& d : sc->devices) by_id.emplace(d.id, &d);
    for (const auto& [g, members] : sc->groups) {
      for (const auto& m : members) {
        if (!by_id.count(m)) problems.Add("/topology/groups/" + g, "group \"" + g + "\" names \"" + m + "\", which is not a device");
      }
    }
  }

  /// The out-of-band management network and its monitoring station.
  void ReadManagement() {
    if (doc.contains("management")) {
      const json& m = doc["management"];
      ManagementSpec& ms = sc->management;
      ms.enabled = m.value("enabled", true);
      ms.station = m.value("station", ms.station);
      root.ReadBitRate("/management/oob_rate", &ms.oob_rate_bps);
      root.ReadDuration("/management/oob_delay", &ms.oob_delay);
      root.ReadDuration("/management/poll_interval", &ms.poll_interval);
      root.ReadDuration("/management/poll_timeout", &ms.poll_timeout);
      if (ms.poll_interval <= 0) problems.Add("/management/poll_interval", "the poll interval must be longer than zero");
      if (ms.poll_timeout <= 0 || ms.poll_timeout >= ms.poll_interval) {
        problems.Add("/management/poll_timeout", "the poll timeout must be longer than zero and shorter than poll_interval (" +
                                                      FormatDuration(ms.poll_interval) + ")");
      }
    }
    if (sc->management.enabled) sc->groups["monitors"].push_back(sc->management.station);
    if (sc->management.enabled && by_id.count(sc->management.station)) {
      problems.Add("/management/station", "the station id \"" + sc->management.station +
                                              "\" is already a device id; choose another name for the monitoring station");
    }
  }

  /// Up to ten device ids of a kind (any kind when empty), for messages that list what is allowed.
  std::string IdsOfKind(const std::string& kind) const {
    std::vector<std::string> ids;
    for (const auto& d : sc->devices) {
      if (kind.empty() || d.kind == kind) ids.push_back(d.id);
      if (ids.size() == 10) { ids.push_back("..."); break; }
    }
    return JoinStrings(ids);
  }

  /// A cross-reference to a device (of `kind`, when given); reports at `pointer` what exists instead.
  bool DeviceOfKind(const std::string& pointer, const std::string& id, const std::string& kind) {
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      problems.Add(pointer, "\"" + id + "\" is not a device of the topology; " +
                                (kind.empty() ? "devices" : kind + "s") + ": " + IdsOfKind(kind));
      return false;
    }
    if (!kind.empty() && it->second->kind != kind) {
      problems.Add(pointer, "\"" + id + "\" is a " + it->second->kind + "; this needs a " + kind + " (" + IdsOfKind(kind) + ")");
      return false;
    }
    return true;
  }

  /// Request/response workloads between hosts.
  void ReadWorkloads() {
    if (doc.contains("workloads")) {
      Topology t(sc->devices, sc->links);
      std::set<std::string> workload_ids;
      for (size_t i = 0; i < doc["workloads"].size(); ++i) {
        const json& w = doc["workloads"][i];
        std::string at = "/workloads/" + std::to_string(i);
        WorkloadSpec ws;
        ws.id = w.value("id", "w" + std::to_string(i + 1));
        ws.protocol = w.value("protocol", "udp");
        ws.client = w["client"];
        ws.server = w["server"];
        // Rates and sizes are range-checked where they are read; these ranges are the ones stated below.
        root.ReadPacketRate(at + "/rate", &ws.rate_pps);
        root.ReadBytes(at + "/request_size", &ws.request_bytes, 16, 65000);
        root.ReadBytes(at + "/response_size", &ws.response_bytes, 16, 10000000);
        root.ReadDuration(at + "/timeout", &ws.timeout);
        root.ReadDuration(at + "/start", &ws.start);
        SimTime stop = 0;
        if (root.ReadDuration(at + "/stop", &stop)) ws.stop = stop;
        bool client_ok = DeviceOfKind(at + "/client", ws.client, "host");  // both are checked and reported
        bool server_ok = DeviceOfKind(at + "/server", ws.server, "host");
        bool ok = client_ok && server_ok;
        if (ok && ws.client == ws.server) problems.Add(at + "/server", "client and server are the same host; pick another server");
        if (ok && !t.Connected(ws.client, ws.server)) {
          problems.Add(at, "\"" + ws.client + "\" cannot reach \"" + ws.server + "\": they are in different parts of the topology");
        }
        if (ws.rate_pps <= 0 || ws.rate_pps > 1e6) problems.Add(at + "/rate", "the rate must be above 0 and at most 1Mpps");
        if (ws.request_bytes < 16 || ws.request_bytes > 65000) {
          problems.Add(at + "/request_size", "request_size must be between 16B (the request header) and 65000B");
        }
        if (ws.response_bytes < 16 || ws.response_bytes > 10000000) {
          problems.Add(at + "/response_size", "response_size must be between 16B and 10MB");
        }
        if (ws.protocol == "udp" && ws.response_bytes > 65000) {
          problems.Add(at + "/response_size", "a UDP response must fit in one datagram (at most 65000B); use \"protocol\": \"tcp\"");
        }
        if (ws.timeout <= 0) problems.Add(at + "/timeout", "the timeout must be longer than zero");
        if (ws.start >= sc->duration) problems.Add(at + "/start", "the workload starts at or after the end of the run (" + FormatDuration(sc->duration) + ")");
        if (ws.stop && *ws.stop <= ws.start) problems.Add(at + "/stop", "stop must come after start");
        if (!workload_ids.insert(ws.id).second) problems.Add(at + "/id", "duplicate workload id \"" + ws.id + "\"");
        ws.port = static_cast<uint16_t>(7000 + i);
        sc->workloads.push_back(ws);
      }
    }
  }

  /// The fault timeline: each fault's kind, target and parameters.
  void ReadFaults() {
    std::set<std::string> link_ids;
    for (const auto& l : sc->links) link_ids.insert(l.id);
    if (doc.contains("faults")) {
      for (size_t i = 0; i < doc["faults"].size(); ++i) {
        const json& f = doc["faults"][i];
        std::string at = "/faults/" + std::to_string(i);
        FaultSpec fs;
        fs.pointer = at;
        root.ReadDuration(at + "/at", &fs.at);
        SimTime until = 0;
        if (root.ReadDuration(at + "/until", &until)) fs.until = until;
        fs.target = f["target"];
        fs.kind = f["kind"];
        if (f.contains("params")) {
          for (auto it = f["params"].begin(); it != f["params"].end(); ++it) fs.params[it.key()] = ParamText(it.value());
        }
        const FaultKind* kind = FindFaultKind(fs.kind);
        if (!kind) {
          std::vector<std::string> names;
          for (const auto& k : FaultCatalog()) names.push_back(k.name);
          problems.Add(at + "/kind", "unknown fault kind \"" + fs.kind + "\"; known kinds: " + JoinStrings(names) +
                                         " (see `planelab faults`)");
        } else {
          if (kind->target == "link") {
            if (!link_ids.count(fs.target)) {
              std::vector<std::string> some;
              for (const auto& l : sc->links) {
                some.push_back(l.id);
                if (some.size() == 8) { some.push_back("..."); break; }
              }
              problems.Add(at + "/target", "fault \"" + fs.kind + "\" targets a link, and \"" + fs.target +
                                               "\" is not a link id (link ids are \"a-b\" unless given); links: " +
                                               JoinStrings(some));
            }
          } else if (kind->target == "router") {
            DeviceOfKind(at + "/target", fs.target, "router");
          } else if (kind->target == "device") {
            bool is_station = sc->management.enabled && fs.target == sc->management.station;
            if (!is_station) {
              auto it = by_id.find(fs.target);
              if (it == by_id.end()) {
                problems.Add(at + "/target", "\"" + fs.target + "\" is neither a device nor the monitoring station");
              } else if (((it->second->kind != "router" && it->second->kind != "switch") || !it->second->managed) &&
                         !(it->second->metrics_port != 0 && sc->management.scrape_components)) {
                problems.Add(at + "/target", "\"" + fs.target + "\" has no out-of-band management path (only managed routers, "
                                 "the station and, with \"telemetry\", scraped cluster components have one)");
              }
            }
            if (!sc->management.enabled) problems.Add(at, "the management network is disabled, so there is no OOB path to cut");
          } else if (kind->target == "monitor") {
            if (!sc->management.enabled || fs.target != sc->management.station) {
              problems.Add(at + "/target", "fault \"" + fs.kind + "\" targets the monitoring station (\"" +
                                               sc->management.station + "\"), not \"" + fs.target + "\"");
            }
          } else if (kind->target.find(" or ") != std::string::npos) {
            // A kind that several device kinds take ("router or switch"): the target is one of them.
            auto it = by_id.find(fs.target);
            std::string allowed = " " + kind->target + " ";
            if (it == by_id.end()) {
              DeviceOfKind(at + "/target", fs.target, kind->target.substr(0, kind->target.find(' ')));
            } else if (allowed.find(" " + it->second->kind + " ") == std::string::npos) {
              problems.Add(at + "/target", "\"" + fs.target + "\" is a " + it->second->kind + "; this needs a " + kind->target);
            }
          } else if (kind->target == "any") {
            bool is_station = sc->management.enabled && fs.target == sc->management.station;
            if (!is_station) DeviceOfKind(at + "/target", fs.target, "");
          } else {
            DeviceOfKind(at + "/target", fs.target, kind->target);
          }
          // The params, as the kind declares them (sim/fault/fault_kinds.h): types, defaults, bounds, cross-checks,
          // and a refusal of any parameter it does not know.
          FaultProblems param_problems;
          fs.parsed = kind->parse(fs.params, param_problems);
          for (const auto& [name, message] : param_problems.items()) {
            problems.Add(at + "/params" + (name.empty() ? "" : "/" + JsonPointerEscape(name)), message);
          }
          // What only the topology can tell.
          if (const auto* p = std::any_cast<StorePartitionParams>(&fs.parsed)) {
            for (const auto& member : p->from) DeviceOfKind(at + "/params/from", member, "store-member");
          }
          if (const auto* p = std::any_cast<BgpSessionFlapParams>(&fs.parsed)) {
            if (!p->peer.empty()) DeviceOfKind(at + "/params/peer", p->peer, "router");
          }
          if (const auto* p = std::any_cast<PlaneCrashParams>(&fs.parsed)) CheckCrashedPlane(at, fs.target, p->plane);
        }
        if (fs.at >= sc->duration) problems.Add(at + "/at", "the fault starts at or after the end of the run (" + FormatDuration(sc->duration) + ")");
        if (fs.until && *fs.until <= fs.at) problems.Add(at + "/until", "until must come after at");
        else if (fs.until && *fs.until > sc->duration) {
          problems.Add(at + "/until", "the fault would end at " + FormatDuration(*fs.until) + ", after the end of the run (" +
                                          FormatDuration(sc->duration) + "); end it by then, or leave out \"until\" "
                                          "to keep it to the end");
        }
        sc->faults.push_back(fs);
      }
    }
  }

  /// plane-crash's plane must be one the target has: its kind's, and a router's management plane only when the
  /// router is managed in a scenario with a management network.
  void CheckCrashedPlane(const std::string& at, const std::string& target, const std::string& plane) {
    bool is_station = sc->management.enabled && target == sc->management.station;
    auto it = by_id.find(target);
    std::string kind = is_station ? "monitor" : it != by_id.end() ? it->second->kind : "";
    if (kind.empty()) return;  // not a device: said at /target
    std::vector<std::string> planes;
    if (const DeviceKindDoc* dk = kinds.Find(kind)) planes = dk->planes;
    bool router = !is_station && (kind == "router" || kind == "switch");
    if (router && !(it->second->managed && sc->management.enabled)) {
      planes.erase(std::remove(planes.begin(), planes.end(), "management"), planes.end());
    }
    if (std::find(planes.begin(), planes.end(), plane) != planes.end()) return;
    problems.Add(at + "/params/plane", "\"" + target + "\" (" + (is_station ? "the station" : "a " + kind) + ") has no " +
                                           plane + " plane; its planes: " + JoinStrings(planes) +
                                           (router ? " (a router has a management plane when it is managed and the "
                                                     "scenario has a management network)"
                                                   : ""));
  }

  /// Expectations: metrics of planes of devices or groups over windows.
  void ReadExpectations() {
    if (doc.contains("expectations")) {
      std::set<std::string> ids;
      for (size_t i = 0; i < doc["expectations"].size(); ++i) {
        const json& e = doc["expectations"][i];
        std::string at = "/expectations/" + std::to_string(i);
        ExpectationSpec es;
        es.pointer = at;
        es.id = e["id"];
        es.device = e.value("device", "");
        es.group = e.value("group", "");
        es.plane = e["plane"];
        es.metric = e["metric"];
        root.ReadDuration(at + "/from", &es.from);
        SimTime window_end = 0;
        if (root.ReadDuration(at + "/to", &window_end)) es.to = window_end;
        es.stat = e.value("stat", es.metric.rfind("health.", 0) == 0 ? "fraction" : "mean");
        es.op = e.value("op", ">=");
        es.state = e.value("state", "");
        if (!e.contains("bound")) problems.Add(at, "missing required property \"bound\" (the number the observed value is compared with)");
        es.bound = e.value("bound", 0.0);
        if (!ids.insert(es.id).second) problems.Add(at + "/id", "duplicate expectation id \"" + es.id + "\"");
        if (es.device.empty() == es.group.empty()) {
          problems.Add(at, "give exactly one of \"device\" or \"group\"");
        }
        std::vector<std::string> members;
        if (!es.device.empty()) {
          if (sc->management.enabled && es.device == sc->management.station) members.push_back(es.device);
          else if (DeviceOfKind(at + "/device", es.device, "")) members.push_back(es.device);
        } else if (!es.group.empty()) {
          auto g = sc->groups.find(es.group);
          if (g == sc->groups.end()) {
            std::vector<std::string> names;
            for (const auto& [n, _] : sc->groups) names.push_back(n);
            problems.Add(at + "/group", "unknown group \"" + es.group + "\"; groups: " + JoinStrings(names));
          } else {
            members = g->second;
          }
        }
        for (const auto& m : members) {
          std::string kind = (sc->management.enabled && m == sc->management.station) ? "monitor" : by_id.count(m) ? by_id[m]->kind : "";
          if (!kinds.HasMetric(kind, es.plane, es.metric)) {
            std::vector<std::string> names = {"health.actual", "health.reported"};
            if (const DeviceKindDoc* k = kinds.Find(kind)) {
              for (const auto& md : k->metrics) if (md.plane == es.plane) names.push_back(md.name);
            }
            problems.Add(at + "/metric", "a " + kind + "'s " + es.plane + " plane has no metric \"" + es.metric +
                                             "\"; it has: " + JoinStrings(names));
            break;
          }
        }
        bool health = es.metric.rfind("health.", 0) == 0;
        if (health && (es.stat != "fraction" || es.state.empty())) {
          problems.Add(at, "a health expectation needs \"stat\": \"fraction\" and a \"state\" (up, degraded, down, unknown, absent)");
        }
        if (!health && es.stat == "fraction") problems.Add(at + "/stat", "\"fraction\" is for health.actual and health.reported");
        SimTime to = es.to.value_or(sc->duration);
        if (es.from >= to) problems.Add(at + "/from", "the window is empty: from must come before to");
        if (to > sc->duration) problems.Add(at + "/to", "the window ends after the run (" + FormatDuration(sc->duration) + ")");
        sc->expectations.push_back(es);
      }
    }
  }

  /// The families' checks that need the whole scenario.
  void CheckSections() {
    for (const auto& section : sections.all()) {
      if (section.check) section.check(*sc, problems);
    }
  }

  const json& doc;
  const ScenarioSections& sections;
  const KindCatalog& kinds;  // expectations name the metrics these declare
  Scenario* sc;
  Problems& problems;
  SectionContext root;  // the whole file, for the shared vocabulary's readers
  std::map<std::string, const DeviceSpec*> by_id;
};

}  // namespace

namespace {

// The last reference token of a JSON pointer, unescaped: the member's key.
std::string LastKey(const std::string& pointer) {
  std::string token = pointer.substr(pointer.rfind('/') + 1), key;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      key += token[++i] == '0' ? '~' : '/';
    } else {
      key += token[i];
    }
  }
  return key;
}

ScenarioError TooLarge(const std::string& path, const std::string& size) {
  return ScenarioError({{path, 0, "", "the file is " + size + "; a scenario file may be at most 16 MiB (" +
                                          WithThousands(kMaxScenarioFileBytes) +
                                          " bytes): describe large topologies with \"topology\": {\"generate\": [...]}"}});
}

// Before the text is parsed: its size, that it says something, and its nesting (one pass that also maps lines).
void CheckBounds(const std::string& text, const std::string& path, const JsonLineIndex& lines) {
  if (text.size() > kMaxScenarioFileBytes) throw TooLarge(path, WithThousands(text.size()) + " bytes");
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw ScenarioError({{path, 0, "", "the file is empty; a scenario is a JSON object such as "
                                       "scenarios/incidents/dead-asic.json"}});
  }
  if (lines.too_deep_line() > 0) {
    throw ScenarioError({{path, lines.too_deep_line(), "",
                          "the JSON nests deeper than " + std::to_string(kMaxScenarioNesting) +
                              " levels of [ and { here; a scenario needs about 6, and at most " +
                              std::to_string(kMaxScenarioNesting) + " are read"}});
  }
}

// A JSON reader keeps the last of a repeated key and drops the others without a word: refuse the file instead.
void AddRepeatedKeys(const std::string& path, const JsonLineIndex& lines, Problems& problems) {
  for (const auto& d : lines.duplicate_keys()) {
    problems.AddAt(d.pointer, d.line,
                   "the key \"" + LastKey(d.pointer) + "\" is given twice in one object: first at " + path + ":" +
                       std::to_string(d.first_line) + ", again at " + path + ":" + std::to_string(d.line) +
                       "; JSON keeps only the last one, so remove the other");
  }
}

Scenario Parse(const std::string& text, const std::string& path, const ModelCatalog& catalog) {
  if (text.size() > kMaxScenarioFileBytes) throw TooLarge(path, WithThousands(text.size()) + " bytes");
  // One pass over the text before it is parsed: lines for messages, the nesting depth, repeated keys.
  JsonLineIndex lines(text, kMaxScenarioNesting);
  CheckBounds(text, path, lines);
  Problems problems(path, lines);
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    auto [line, col] = LineColumnOf(text, e.byte == 0 ? 0 : e.byte - 1);
    std::string what = e.what();
    if (what.find("unexpected ']'") != std::string::npos || what.find("unexpected '}'") != std::string::npos) {
      what += " (is there a trailing comma before it? JSON allows none)";
    }
    auto pos = what.find("parse error");
    ScenarioProblem p{path, line, "", "not valid JSON at column " + std::to_string(col) + ": " +
                                          (pos == std::string::npos ? what : what.substr(pos))};
    throw ScenarioError({p});
  } catch (const json::out_of_range& e) {
    // The lexer refuses a number no double can hold (out_of_range.406, "number overflow parsing '1e400'").
    std::string what = e.what(), number;
    auto q1 = what.find('\''), q2 = q1 == std::string::npos ? q1 : what.find('\'', q1 + 1);
    if (q2 != std::string::npos) number = what.substr(q1 + 1, q2 - q1 - 1);
    size_t at = number.empty() ? std::string::npos : text.find(number);
    auto [line, col] = LineColumnOf(text, at == std::string::npos ? 0 : at);
    throw ScenarioError({{path, at == std::string::npos ? 0 : line, "",
                          "the number " + (number.empty() ? std::string("here") : number) + (at == std::string::npos ? "" : " at column " + std::to_string(col)) +
                              " is too large for a double (at most about 1.8e308); write a number in range"}});
  }
  if (!doc.is_object()) {
    throw ScenarioError({{path, 1, "", "a scenario is a JSON object {\"name\": ..., \"duration\": ..., \"topology\": ...}; "
                                       "this file holds " + TypeName(doc)}});
  }
  AddRepeatedKeys(path, lines, problems);
  problems.ThrowIfAny();
  CheckSchema(doc, catalog.sections, problems);
  Scenario sc;
  sc.path = path;
  sc.text = text;
  Translator(doc, catalog, &sc, problems).Run();
  problems.ThrowIfAny();
  return sc;
}

ScenarioError OutOfMemory(const std::string& path) {
  return ScenarioError({{path, 0, "", "there is not enough memory to load this scenario; make its topology smaller"}});
}

}  // namespace

Scenario ParseScenarioText(const std::string& text, const std::string& path, const ModelCatalog& catalog) {
  try {
    return Parse(text, path, catalog);
  } catch (const std::bad_alloc&) {
    // Bad input (exit 2), not a crash: whatever was allocated is released by now.
    throw OutOfMemory(path);
  }
}

void CheckScenarioText(const std::string& text, const std::string& path) {
  if (text.size() > kMaxScenarioFileBytes) throw TooLarge(path, WithThousands(text.size()) + " bytes");
  JsonLineIndex lines(text, kMaxScenarioNesting);
  CheckBounds(text, path, lines);
  // Repeated keys mean something only in JSON; in broken text the loader's syntax error says more.
  if (lines.duplicate_keys().empty() || !json::accept(text)) return;
  Problems problems(path, lines);
  AddRepeatedKeys(path, lines, problems);
  problems.ThrowIfAny();
}

std::string ReadScenarioFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ScenarioError({{path, 0, "", "is a folder; give a scenario file such as " + path +
                                           (path.empty() || path.back() == '/' ? "" : "/") + "<name>.json"}});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ScenarioError({{path, 0, "", "cannot open the file: check the path, and that the file is readable"}});
  }
  // The size is checked before the file is read: a regular file by its size, anything else (a pipe) as it is read.
  if (std::filesystem::is_regular_file(path, ec)) {
    uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > kMaxScenarioFileBytes) throw TooLarge(path, WithThousands(size) + " bytes");
  }
  std::string text;
  try {
    char chunk[65536];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
      text.append(chunk, static_cast<size_t>(in.gcount()));
      if (text.size() > kMaxScenarioFileBytes) throw TooLarge(path, "more than " + WithThousands(kMaxScenarioFileBytes) + " bytes");
    }
  } catch (const std::bad_alloc&) {
    throw OutOfMemory(path);
  }
  return text;
}

Scenario LoadScenarioFile(const std::string& path, const ModelCatalog& catalog) {
  return ParseScenarioText(ReadScenarioFile(path), path, catalog);
}

}  // namespace planelab
