#include "sim/scenario/scenario_loader.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "sim/fault/fault_catalog.h"
#include "sim/scenario/kind_catalog.h"
#include "sim/scenario/schema_text.h"
#include "sim/topology/topology.h"
#include "sim/util/json_locate.h"

namespace planelab {

using nlohmann::json;

const std::string& ScenarioSchemaText() {
  static const std::string kText = kScenarioSchemaText;
  return kText;
}

namespace {

/// Collects problems with their lines; throws once at the end of a stage.
class Problems {
 public:
  Problems(const std::string& file, const std::string& text) : file_(file), lines_(text) {}
  void Add(const std::string& pointer, const std::string& message) {
    for (const auto& p : list_) {
      if (p.pointer == pointer && p.message == message) return;
    }
    list_.push_back({file_, lines_.LineOf(pointer), pointer, message});
  }
  void ThrowIfAny() const {
    if (!list_.empty()) throw ScenarioError(list_);
  }

 private:
  std::string file_;
  JsonLineIndex lines_;
  std::vector<ScenarioProblem> list_;
};

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
      std::string ref = RefName(schema, pointer), text = *v;
      if (ref == "duration") return ParseDuration(text).error;
      if (ref == "bitrate") return ParseBitRate(text).error;
      if (ref == "pktrate") return ParsePacketRate(text).error;
      if (ref == "bytes") return ParseBytes(text).error;
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

void CheckSchema(const json& doc, Problems& problems) {
  static const json schema_doc = json::parse(ScenarioSchemaText());
  static valijson::Schema schema;
  static bool parsed = false;
  if (!parsed) {
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter adapter(schema_doc);
    parser.populateSchema(adapter, schema);
    parsed = true;
  }
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

SimTime Dur(const json& v) { return *ParseDuration(v.get<std::string>()).value; }

void ApplyLinkParams(const json& j, LinkSpec* l) {
  if (j.contains("rate")) l->rate_bps = *ParseBitRate(j["rate"].get<std::string>()).value;
  if (j.contains("delay")) l->delay = Dur(j["delay"]);
  if (j.contains("cost")) l->cost = j["cost"].get<uint32_t>();
  if (j.contains("queue")) {
    const json& q = j["queue"];
    if (q.contains("kind")) l->queue.kind = q["kind"];
    if (q.contains("size")) l->queue.size = q["size"];
  }
}

std::string ParamText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  std::ostringstream o;
  o << v.get<double>();
  return o.str();
}

void Translate(const json& doc, Scenario* sc, Problems& problems) {
  sc->name = doc["name"];
  sc->description = doc.value("description", "");
  sc->seed = doc.value("seed", 1ULL);
  sc->duration = Dur(doc["duration"]);
  if (doc.contains("sample_interval")) sc->sample_interval = Dur(doc["sample_interval"]);
  if (sc->duration <= 0) problems.Add("/duration", "the duration must be longer than zero");
  if (sc->sample_interval <= 0) problems.Add("/sample_interval", "the sample interval must be longer than zero");
  else if (sc->duration / sc->sample_interval > 10000000) {
    problems.Add("/sample_interval", "more than 10 million samples per series; use a longer sample_interval");
  }

  const json& topo = doc["topology"];
  LinkSpec link_defaults;
  if (topo.contains("link_defaults")) ApplyLinkParams(topo["link_defaults"], &link_defaults);
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
      if (g.contains("link")) ApplyLinkParams(g["link"], &gs.link);
      if (gs.kind == "clique" && gs.routers > 200) {
        problems.Add(gs.pointer + "/routers", "a clique of " + std::to_string(gs.routers) +
                                                  " routers has too many links; at most 200 routers");
        gs.routers = 0;
      }
      if ((gs.kind == "line" || gs.kind == "ring" || gs.kind == "star" || gs.kind == "clique") && gs.routers == 0) {
        problems.Add(gs.pointer, "generator \"" + gs.kind + "\" needs \"routers\" (how many routers, at least 1)");
      }
      if (gs.kind == "leaf-spine" && (gs.spines == 0 || gs.leaves == 0)) {
        problems.Add(gs.pointer, "generator \"leaf-spine\" needs \"spines\" and \"leaves\" (k spines x n leaves)");
      }
      if (gs.kind == "leaf-spine" && g.contains("routers")) {
        problems.Add(gs.pointer + "/routers", "\"routers\" is for line, ring, star and clique; leaf-spine takes \"spines\" and \"leaves\"");
      }
      sc->generators.push_back(gs);
      if (gs.kind == "internet" && (gs.spines == 0 || gs.leaves == 0)) {
        problems.Add(gs.pointer, "generator \"internet\" needs \"transits\" and \"stubs\" (transit ASes and dual-homed stub ASes)");
      }
      bool complete = (gs.kind == "leaf-spine" || gs.kind == "internet") ? (gs.spines > 0 && gs.leaves > 0) : gs.routers > 0;
      if (complete) ExpandGenerator(gs, &sc->devices, &sc->links, &sc->groups);
    }
  }
  if (doc.contains("cluster")) {
    const json& c = doc["cluster"];
    ClusterSpec& cs = sc->cluster;
    cs.enabled = true;
    cs.store_members = c.value("store_members", cs.store_members);
    cs.nodes = c.value("nodes", cs.nodes);
    cs.spare_slots = c.value("spare_slots", cs.spare_slots);
    cs.nodes_per_rack = c.value("nodes_per_rack", cs.nodes_per_rack);
    cs.max_pods = c.value("max_pods", cs.max_pods);
    cs.clients = c.value("clients", cs.clients);
    // A data-centre fabric unless the scenario says otherwise: 10 Gbps ports, 50 us per hop, and switch buffers
    // of about 1.5 MB (1000 full-size packets) so bursts of large API responses are not tail-dropped.
    cs.link.rate_bps = 10000000000ULL;
    cs.link.delay = 50 * kUs;
    cs.link.queue.size = "1000p";
    if (topo.contains("link_defaults")) ApplyLinkParams(topo["link_defaults"], &cs.link);
    if (c.contains("link")) ApplyLinkParams(c["link"], &cs.link);
    if (c.contains("store")) {
      const json& st = c["store"];
      if (st.contains("heartbeat_interval")) cs.store_heartbeat = Dur(st["heartbeat_interval"]);
      if (st.contains("election_timeout")) cs.store_election = Dur(st["election_timeout"]);
      cs.snapshot_count = st.value("snapshot_count", cs.snapshot_count);
      cs.disk_iops = st.value("disk_iops", cs.disk_iops);
      if (st.contains("disk_fsync_median")) cs.disk_fsync_median = Dur(st["disk_fsync_median"]);
      // etcd's tuning guide: the election timeout should be at least 10x the heartbeat (and 5x is the floor).
      if (cs.store_heartbeat <= 0) problems.Add("/cluster/store/heartbeat_interval", "the heartbeat interval must be longer than zero");
      else if (cs.store_election < 5 * cs.store_heartbeat) {
        problems.Add("/cluster/store/election_timeout", "the election timeout must be at least 5x the heartbeat interval "
                                                        "(etcd's tuning guide suggests 10x: 100ms / 1000ms)");
      }
    }
    if (c.contains("api_server")) {
      const json& a = c["api_server"];
      cs.api_max_inflight = a.value("max_requests_inflight", cs.api_max_inflight);
      cs.api_max_mutating_inflight = a.value("max_mutating_requests_inflight", cs.api_max_mutating_inflight);
      if (a.contains("request_timeout")) cs.api_request_timeout = Dur(a["request_timeout"]);
    }
    if (c.contains("timers")) {
      const json& t = c["timers"];
      if (t.contains("lease_duration")) cs.lease_duration = Dur(t["lease_duration"]);
      if (t.contains("lease_renew")) cs.lease_renew = Dur(t["lease_renew"]);
      if (t.contains("node_monitor_grace_period")) cs.node_monitor_grace = Dur(t["node_monitor_grace_period"]);
      if (t.contains("pod_eviction_timeout")) cs.pod_eviction_timeout = Dur(t["pod_eviction_timeout"]);
      if (t.contains("termination_grace_period")) cs.termination_grace = Dur(t["termination_grace_period"]);
      if (t.contains("pod_startup")) cs.pod_startup = Dur(t["pod_startup"]);
      if (t.contains("readiness_delay")) cs.readiness_delay = Dur(t["readiness_delay"]);
      if (t.contains("pod_drain")) cs.pod_drain = Dur(t["pod_drain"]);
      if (t.contains("hpa_sync_period")) cs.hpa_sync = Dur(t["hpa_sync_period"]);
      if (cs.lease_renew <= 0 || cs.lease_renew >= cs.lease_duration) {
        problems.Add("/cluster/timers/lease_renew", "the lease renew interval must be above zero and below lease_duration "
                                                    "(the kubelet renews every quarter of it: 10s of 40s)");
      }
      if (cs.hpa_sync <= 0) problems.Add("/cluster/timers/hpa_sync_period", "the HPA sync period must be longer than zero");
    }
    if (c.contains("cloud")) {
      const json& cl = c["cloud"];
      if (cl.contains("node_lifetime")) cs.node_lifetime = Dur(cl["node_lifetime"]);
      if (cl.contains("instance_boot")) cs.instance_boot = Dur(cl["instance_boot"]);
      if (cl.contains("api_latency")) cs.cloud_api_latency = Dur(cl["api_latency"]);
    }
    std::set<std::string> deployment_names;
    if (c.contains("deployments")) {
      for (size_t i = 0; i < c["deployments"].size(); ++i) {
        const json& d = c["deployments"][i];
        DeploymentSpec ds;
        ds.pointer = "/cluster/deployments/" + std::to_string(i);
        ds.name = d["name"];
        ds.replicas = d["replicas"];
        if (d.contains("pod_capacity")) ds.pod_capacity_rps = *ParsePacketRate(d["pod_capacity"].get<std::string>()).value;
        if (d.contains("autoscale")) {
          const json& a = d["autoscale"];
          ds.autoscale = true;
          ds.min_replicas = a.value("min_replicas", ds.min_replicas);
          ds.max_replicas = a.value("max_replicas", std::max(ds.replicas, ds.max_replicas));
          ds.target_utilization = a.value("target_utilization", ds.target_utilization);
          if (ds.min_replicas > ds.max_replicas) {
            problems.Add(ds.pointer + "/autoscale/min_replicas", "min_replicas is above max_replicas");
          }
        }
        if (!deployment_names.insert(ds.name).second) {
          problems.Add(ds.pointer + "/name", "a deployment \"" + ds.name + "\" is declared twice; give each a unique name");
        }
        if (ds.pod_capacity_rps <= 0) problems.Add(ds.pointer + "/pod_capacity", "the pod capacity must be above zero");
        cs.deployments.push_back(ds);
      }
    }
    uint64_t pods = 0;
    for (const auto& d : cs.deployments) pods += d.replicas;
    if (pods > uint64_t(cs.nodes) * cs.max_pods) {
      problems.Add("/cluster/deployments", std::to_string(pods) + " replicas do not fit on " + std::to_string(cs.nodes) +
                                               " nodes of max_pods " + std::to_string(cs.max_pods) +
                                               "; add nodes, raise max_pods or lower the replicas");
    }
    auto known_deployment = [&](const std::string& at, const std::string& name) {
      if (deployment_names.count(name)) return;
      std::string list;
      for (const auto& n : deployment_names) list += (list.empty() ? "" : ", ") + n;
      problems.Add(at, "\"" + name + "\" is not a deployment of the cluster (" + (list.empty() ? "none declared" : list) + ")");
    };
    if (c.contains("service_clients")) {
      for (size_t i = 0; i < c["service_clients"].size(); ++i) {
        const json& w = c["service_clients"][i];
        ServiceClientSpec ws;
        ws.pointer = "/cluster/service_clients/" + std::to_string(i);
        ws.id = w.value("id", "svc" + std::to_string(i + 1));
        ws.service = w["service"];
        known_deployment(ws.pointer + "/service", ws.service);
        ws.rate_pps = *ParsePacketRate(w["rate"].get<std::string>()).value;
        if (w.contains("request_size")) ws.request_bytes = static_cast<uint32_t>(*ParseBytes(w["request_size"]).value);
        if (w.contains("response_size")) ws.response_bytes = static_cast<uint32_t>(*ParseBytes(w["response_size"]).value);
        if (w.contains("timeout")) ws.timeout = Dur(w["timeout"]);
        if (w.contains("start")) ws.start = Dur(w["start"]);
        if (w.contains("rate_steps")) {
          for (const auto& st : w["rate_steps"]) {
            ws.rate_steps.emplace_back(Dur(st["at"]), *ParsePacketRate(st["rate"].get<std::string>()).value);
          }
        }
        if (ws.rate_pps <= 0) problems.Add(ws.pointer + "/rate", "the rate must be above zero");
        cs.service_clients.push_back(ws);
      }
    }
    if (c.contains("rollouts")) {
      for (size_t i = 0; i < c["rollouts"].size(); ++i) {
        RolloutSpec r;
        r.pointer = "/cluster/rollouts/" + std::to_string(i);
        r.at = Dur(c["rollouts"][i]["at"]);
        r.deployment = c["rollouts"][i]["deployment"];
        known_deployment(r.pointer + "/deployment", r.deployment);
        if (r.at > sc->duration) problems.Add(r.pointer + "/at", "the rollout is after the end of the run (" + FormatDuration(sc->duration) + ")");
        cs.rollouts.push_back(r);
      }
    }
    if (cs.clients == 0 && !cs.service_clients.empty()) {
      problems.Add("/cluster/clients", "service_clients need at least one client device; set \"clients\" to 1 or more");
    }
    ExpandCluster(cs, &sc->devices, &sc->links, &sc->groups);
  }
  size_t generated_devices = sc->devices.size(), generated_links = sc->links.size();
  if (topo.contains("devices")) {
    for (const auto& d : topo["devices"]) {
      DeviceSpec ds;
      ds.id = d["id"];
      ds.kind = d["kind"];
      ds.managed = d.value("managed", ds.kind == "router");
      ds.asn = d.value("asn", 0u);
      if (d.contains("pos")) ds.pos = std::make_pair(d["pos"][0].get<double>(), d["pos"][1].get<double>());
      if (ds.asn != 0 && ds.kind != "router") {
        problems.Add("/topology/devices/" + std::to_string(sc->devices.size() - generated_devices) + "/asn",
                     "only routers have an AS number");
      }
      ds.groups.push_back(ds.kind == "router" ? "routers" : "hosts");
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
      ApplyLinkParams(l, &ls);
      sc->links.push_back(ls);
    }
  }
  if (topo.contains("groups")) {
    for (auto it = topo["groups"].begin(); it != topo["groups"].end(); ++it) {
      for (const auto& m : it.value()) sc->groups[it.key()].push_back(m);
    }
  }
  if (sc->devices.empty() && sc->generators.empty()) problems.Add("/topology", "the topology has no devices; add \"devices\" or a \"generate\" entry");
  for (const auto& l : sc->links) {
    auto q = ParseQueueSize(l.queue.size);
    if (!q) problems.Add("/topology", "link \"" + l.id + "\": " + q.error);
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
  std::map<std::string, const DeviceSpec*> by_id;
  for (const auto& d : sc->devices) by_id.emplace(d.id, &d);
  for (const auto& [g, members] : sc->groups) {
    for (const auto& m : members) {
      if (!by_id.count(m)) problems.Add("/topology/groups/" + g, "group \"" + g + "\" names \"" + m + "\", which is not a device");
    }
  }

  if (doc.contains("management")) {
    const json& m = doc["management"];
    ManagementSpec& ms = sc->management;
    ms.enabled = m.value("enabled", true);
    ms.station = m.value("station", ms.station);
    if (m.contains("oob_rate")) ms.oob_rate_bps = *ParseBitRate(m["oob_rate"].get<std::string>()).value;
    if (m.contains("oob_delay")) ms.oob_delay = Dur(m["oob_delay"]);
    if (m.contains("poll_interval")) ms.poll_interval = Dur(m["poll_interval"]);
    if (m.contains("poll_timeout")) ms.poll_timeout = Dur(m["poll_timeout"]);
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
  if (doc.contains("routing")) {
    const json& r = doc["routing"];
    RoutingSpec& rs = sc->routing;
    if (r.contains("hello_interval")) rs.hello_interval = Dur(r["hello_interval"]);
    if (r.contains("dead_interval")) rs.dead_interval = Dur(r["dead_interval"]);
    if (r.contains("spf_delay")) rs.spf_delay = Dur(r["spf_delay"]);
    if (r.contains("fib_program_delay")) rs.fib_program_delay = Dur(r["fib_program_delay"]);
    if (r.contains("cpu_cost_message")) rs.cpu_cost_message = Dur(r["cpu_cost_message"]);
    if (r.contains("cpu_cost_spf")) rs.cpu_cost_spf = Dur(r["cpu_cost_spf"]);
    rs.protocol = r.value("protocol", rs.protocol);
    if (r.contains("bfd")) {
      const json& b = r["bfd"];
      rs.bfd.enabled = b.value("enabled", true);
      if (b.contains("interval")) rs.bfd.interval = Dur(b["interval"]);
      rs.bfd.multiplier = b.value("multiplier", rs.bfd.multiplier);
      if (rs.bfd.interval < 1 * kMs) problems.Add("/routing/bfd/interval", "the BFD interval must be at least 1ms");
    }
    if (r.contains("bgp")) {
      const json& b = r["bgp"];
      BgpSpec& bs = rs.bgp;
      if (b.contains("keepalive")) bs.keepalive = Dur(b["keepalive"]);
      if (b.contains("hold_time")) bs.hold_time = Dur(b["hold_time"]);
      if (b.contains("connect_retry")) bs.connect_retry = Dur(b["connect_retry"]);
      if (b.contains("mrai_ebgp")) bs.mrai_ebgp = Dur(b["mrai_ebgp"]);
      if (b.contains("mrai_ibgp")) bs.mrai_ibgp = Dur(b["mrai_ibgp"]);
      bs.multipath = b.value("multipath", bs.multipath);
      bs.mrai_jitter = b.value("mrai_jitter", bs.mrai_jitter);                // RFC 4271 §10, jitter
      bs.timer_jitter = b.value("timer_jitter", bs.timer_jitter);             // RFC 4271 §10, jitter
      bs.mrai_withdrawals = b.value("mrai_withdrawals", bs.mrai_withdrawals);  // RFC 4271 §9.2.1.1
      // RFC 4271 §9.1.2 (the receiver's loop check; the sender's is the implementation's choice).
      bs.sender_side_loop_detection = b.value("sender_side_loop_detection", bs.sender_side_loop_detection);
      if (b.contains("damping")) {
        const json& d = b["damping"];
        bs.damping = d.value("enabled", true);
        if (d.contains("half_life")) bs.damping_half_life = Dur(d["half_life"]);
        bs.damping_suppress = d.value("suppress_threshold", bs.damping_suppress);
        bs.damping_reuse = d.value("reuse_threshold", bs.damping_reuse);
        if (d.contains("max_suppress")) bs.damping_max_suppress = Dur(d["max_suppress"]);
        if (bs.damping_reuse >= bs.damping_suppress) {
          problems.Add("/routing/bgp/damping/reuse_threshold", "the reuse threshold must be below the suppress threshold");
        }
        if (bs.damping_half_life <= 0) problems.Add("/routing/bgp/damping/half_life", "the half-life must be longer than zero");
      }
      // RFC 4271 §4.2: the hold time is zero or at least three seconds.
      if (bs.hold_time != 0 && bs.hold_time < 3 * kSec) {
        problems.Add("/routing/bgp/hold_time", "the hold time must be 0 (no keepalives) or at least 3s (RFC 4271 §4.2)");
      }
      if (bs.hold_time != 0 && (bs.keepalive <= 0 || bs.keepalive >= bs.hold_time)) {
        problems.Add("/routing/bgp/keepalive", "the keepalive interval must be above zero and below hold_time (one third is usual)");
      }
      if (bs.connect_retry <= 0) problems.Add("/routing/bgp/connect_retry", "connect_retry must be longer than zero");
    }
    if (rs.hello_interval <= 0) problems.Add("/routing/hello_interval", "the hello interval must be longer than zero");
    if (rs.dead_interval <= rs.hello_interval) {
      problems.Add("/routing/dead_interval", "the dead interval must be longer than hello_interval (RFC 2328 uses 4x)");
    }
  }

  auto ids_of_kind = [&](const std::string& kind) {
    std::vector<std::string> ids;
    for (const auto& d : sc->devices) {
      if (kind.empty() || d.kind == kind) ids.push_back(d.id);
      if (ids.size() == 10) { ids.push_back("..."); break; }
    }
    return JoinStrings(ids);
  };
  auto device_of_kind = [&](const std::string& pointer, const std::string& id, const std::string& kind) {
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      problems.Add(pointer, "\"" + id + "\" is not a device of the topology; " +
                                (kind.empty() ? "devices" : kind + "s") + ": " + ids_of_kind(kind));
      return false;
    }
    if (!kind.empty() && it->second->kind != kind) {
      problems.Add(pointer, "\"" + id + "\" is a " + it->second->kind + "; this needs a " + kind + " (" + ids_of_kind(kind) + ")");
      return false;
    }
    return true;
  };

  if (doc.contains("workloads")) {
    Topology t(sc->devices, sc->links);
    for (size_t i = 0; i < doc["workloads"].size(); ++i) {
      const json& w = doc["workloads"][i];
      std::string at = "/workloads/" + std::to_string(i);
      WorkloadSpec ws;
      ws.id = w.value("id", "w" + std::to_string(i + 1));
      ws.protocol = w.value("protocol", "udp");
      ws.client = w["client"];
      ws.server = w["server"];
      ws.rate_pps = *ParsePacketRate(w["rate"].get<std::string>()).value;
      if (w.contains("request_size")) ws.request_bytes = *ParseBytes(w["request_size"].get<std::string>()).value;
      if (w.contains("response_size")) ws.response_bytes = *ParseBytes(w["response_size"].get<std::string>()).value;
      if (w.contains("timeout")) ws.timeout = Dur(w["timeout"]);
      if (w.contains("start")) ws.start = Dur(w["start"]);
      if (w.contains("stop")) ws.stop = Dur(w["stop"]);
      bool ok = device_of_kind(at + "/client", ws.client, "host") & device_of_kind(at + "/server", ws.server, "host");
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
      for (const auto& other : sc->workloads) {
        if (other.id == ws.id) problems.Add(at + "/id", "duplicate workload id \"" + ws.id + "\"");
      }
      ws.port = static_cast<uint16_t>(7000 + i);
      sc->workloads.push_back(ws);
    }
  }

  std::set<std::string> link_ids;
  for (const auto& l : sc->links) link_ids.insert(l.id);
  if (doc.contains("faults")) {
    for (size_t i = 0; i < doc["faults"].size(); ++i) {
      const json& f = doc["faults"][i];
      std::string at = "/faults/" + std::to_string(i);
      FaultSpec fs;
      fs.pointer = at;
      fs.at = Dur(f["at"]);
      if (f.contains("until")) fs.until = Dur(f["until"]);
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
          device_of_kind(at + "/target", fs.target, "router");
        } else if (kind->target == "device") {
          bool is_station = sc->management.enabled && fs.target == sc->management.station;
          if (!is_station) {
            auto it = by_id.find(fs.target);
            if (it == by_id.end()) {
              problems.Add(at + "/target", "\"" + fs.target + "\" is neither a device nor the monitoring station");
            } else if (it->second->kind != "router" || !it->second->managed) {
              problems.Add(at + "/target", "\"" + fs.target + "\" has no out-of-band management path (only managed routers and the station have one)");
            }
          }
          if (!sc->management.enabled) problems.Add(at, "the management network is disabled, so there is no OOB path to cut");
        } else if (kind->target == "any") {
          bool is_station = sc->management.enabled && fs.target == sc->management.station;
          if (!is_station) device_of_kind(at + "/target", fs.target, "");
        } else {
          device_of_kind(at + "/target", fs.target, kind->target);
        }
        // The params, as the kind declares them (fault_kinds.h): types, defaults, bounds, cross-checks, and a
        // refusal of any parameter it does not know.
        FaultProblems param_problems;
        fs.parsed = kind->parse(fs.params, param_problems);
        for (const auto& [name, message] : param_problems.items()) {
          problems.Add(at + "/params" + (name.empty() ? "" : "/" + JsonPointerEscape(name)), message);
        }
        // What only the topology can tell.
        if (const auto* p = std::any_cast<StorePartitionParams>(&fs.parsed)) {
          for (const auto& member : p->from) device_of_kind(at + "/params/from", member, "store-member");
        }
        if ((fs.kind == "bgp-session-flap" || fs.kind == "bgp-daemon-crash") && sc->routing.protocol != "bgp") {
          problems.Add(at + "/kind", "fault \"" + fs.kind + "\" needs BGP: set \"routing\": {\"protocol\": \"bgp\"}");
        }
        if (const auto* p = std::any_cast<BgpSessionFlapParams>(&fs.parsed)) {
          if (!p->peer.empty()) device_of_kind(at + "/params/peer", p->peer, "router");
        }
        if (const auto* p = std::any_cast<PlaneCrashParams>(&fs.parsed)) {
          // The plane must be one the target has: its kind's, and a router's management plane only when it is
          // managed in a scenario with a management network.
          std::string kind_name;
          bool is_station = sc->management.enabled && fs.target == sc->management.station;
          auto it = by_id.find(fs.target);
          if (is_station) kind_name = "monitor";
          else if (it != by_id.end()) kind_name = it->second->kind;
          std::vector<std::string> planes;
          if (const DeviceKindDoc* dk = FindDeviceKind(kind_name)) planes = dk->planes;
          if (kind_name == "router" && !(it->second->managed && sc->management.enabled)) {
            planes.erase(std::remove(planes.begin(), planes.end(), "management"), planes.end());
          }
          if (!kind_name.empty() && std::find(planes.begin(), planes.end(), p->plane) == planes.end()) {
            problems.Add(at + "/params/plane", "\"" + fs.target + "\" (" + (is_station ? "the station" : "a " + kind_name) +
                                                   ") has no " + p->plane + " plane; its planes: " + JoinStrings(planes) +
                                                   (kind_name == "router" ? " (a router has a management plane when "
                                                                            "it is managed and the scenario has a "
                                                                            "management network)"
                                                                          : ""));
          }
        }
      }
      if (fs.at >= sc->duration) problems.Add(at + "/at", "the fault starts at or after the end of the run (" + FormatDuration(sc->duration) + ")");
      if (fs.until && *fs.until <= fs.at) problems.Add(at + "/until", "until must come after at");
      sc->faults.push_back(fs);
    }
  }

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
      if (e.contains("from")) es.from = Dur(e["from"]);
      if (e.contains("to")) es.to = Dur(e["to"]);
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
        else if (device_of_kind(at + "/device", es.device, "")) members.push_back(es.device);
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
        if (!KindHasMetric(kind, es.plane, es.metric)) {
          std::vector<std::string> names = {"health.actual", "health.reported"};
          if (const DeviceKindDoc* k = FindDeviceKind(kind)) {
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

}  // namespace

Scenario ParseScenarioText(const std::string& text, const std::string& path) {
  Problems problems(path, text);
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw ScenarioError({{path, 0, "", "the file is empty; a scenario is a JSON object such as "
                                       "scenarios/incidents/dead-asic.json"}});
  }
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
  }
  if (!doc.is_object()) {
    throw ScenarioError({{path, 1, "", "a scenario is a JSON object {\"name\": ..., \"duration\": ..., \"topology\": ...}; "
                                       "this file holds " + TypeName(doc)}});
  }
  CheckSchema(doc, problems);
  Scenario sc;
  sc.path = path;
  sc.text = text;
  Translate(doc, &sc, problems);
  problems.ThrowIfAny();
  return sc;
}

Scenario LoadScenarioFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ScenarioError({{path, 0, "", "is a folder; give a scenario file such as " + path +
                                           (path.empty() || path.back() == '/' ? "" : "/") + "<name>.json"}});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ScenarioError({{path, 0, "", "cannot open the file: check the path (planelab validate takes scenario files, e.g. scenarios/incidents/dead-asic.json)"}});
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return ParseScenarioText(buf.str(), path);
}

}  // namespace planelab
