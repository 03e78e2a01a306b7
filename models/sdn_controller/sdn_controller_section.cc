#include "models/sdn_controller/sdn_controller_section.h"

#include <map>

#include "models/sdn_controller/sdn_controller_schema.h"

namespace planelab {

using nlohmann::json;

namespace {

void ReadU16(SectionContext& c, const char* key, uint32_t* out) {
  if (!c.value.contains(key)) return;
  const json& v = c.value[key];
  if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 65535) {
    c.Problem(std::string("/") + key, "an integer from 0 to 65535 (OpenFlow's 16-bit field)");
    return;
  }
  *out = v.get<uint32_t>();
}

void ParseSdnController(SectionContext& c) {
  SdnControllerSpec& s = c.scenario.families.Mutable<SdnControllerSpec>();
  s.forwarding = c.value.value("forwarding", s.forwarding);
  for (const char* k : {"reactive_idle_timeout", "reactive_hard_timeout", "reactive_priority", "proactive_idle_timeout",
                        "proactive_hard_timeout", "proactive_priority", "intent_priority", "acl_priority",
                        "intent_idle_timeout", "intent_hard_timeout"}) {
    std::map<std::string, uint32_t*> m = {
        {"reactive_idle_timeout", &s.reactive_idle_timeout}, {"reactive_hard_timeout", &s.reactive_hard_timeout},
        {"reactive_priority", &s.reactive_priority}, {"proactive_idle_timeout", &s.proactive_idle_timeout},
        {"proactive_hard_timeout", &s.proactive_hard_timeout}, {"proactive_priority", &s.proactive_priority},
        {"intent_priority", &s.intent_priority}, {"acl_priority", &s.acl_priority},
        {"intent_idle_timeout", &s.intent_idle_timeout}, {"intent_hard_timeout", &s.intent_hard_timeout}};
    ReadU16(c, k, m[k]);
  }
  c.ReadDuration("/lldp_interval", &s.lldp_interval, 100 * kMs);
  c.ReadDuration("/link_stale", &s.link_stale, 100 * kMs);
  c.ReadDuration("/raft_heartbeat", &s.raft_heartbeat, 1 * kMs);
  c.ReadDuration("/failure_timeout", &s.failure_timeout, 10 * kMs);
  c.ReadDuration("/inactivity_probe", &s.inactivity_probe, 100 * kMs);
  c.ReadDuration("/intent_timeout", &s.intent_timeout, 1 * kMs);
  s.election_ticks = c.value.value("election_ticks", s.election_ticks);
  if (s.election_ticks < 2) c.Problem("/election_ticks", "the election timeout must be longer than the heartbeat (etcd: at least 2 ticks)");
  if (s.link_stale <= s.lldp_interval) c.Problem("/link_stale", "links must outlive at least one probe interval");
  if (c.value.contains("intents")) {
    const json& list = c.value["intents"];
    for (size_t i = 0; i < list.size(); ++i) {
      const json& j = list[i];
      std::string at = "/intents/" + std::to_string(i);
      IntentSpec in;
      c.ReadDuration(at + "/at", &in.at);
      in.id = j.value("id", "intent-" + std::to_string(i + 1));
      in.kind = j.value("kind", in.kind);
      in.a = j.value("a", "");
      in.b = j.value("b", "");
      in.avoid = j.value("avoid", "");
      in.via = j.value("via", "");
      if (in.kind == "avoid" && in.avoid.empty()) c.Problem(at + "/avoid", "an \"avoid\" intent names the switch to avoid");
      s.intents.push_back(in);
    }
  }
}

/// Intents name hosts, switches and controllers of the topology.
void CheckSdnController(const Scenario& sc, Problems& problems) {
  const SdnControllerSpec& s = sc.families.Get<SdnControllerSpec>();
  std::map<std::string, std::string> kinds;
  for (const auto& d : sc.devices) kinds[d.id] = d.kind;
  auto need = [&](const std::string& at, const std::string& id, const std::string& kind) {
    auto it = kinds.find(id);
    if (it == kinds.end() || it->second != kind) {
      problems.Add(at, "\"" + id + "\" is not a device of kind \"" + kind + "\"");
    }
  };
  size_t members = 0;
  for (const auto& d : sc.devices) members += d.kind == "sdn-controller" ? 1 : 0;
  // Raft: an even cluster tolerates no more failures than one member fewer (ONOS and etcd advise 3 or 5).
  if (members % 2 == 0 && members > 0) {
    problems.Add("/topology/devices", "the SDN controller cluster has " + std::to_string(members) +
                                          " members; use an odd number (3 or 5): an even one tolerates no more "
                                          "failures than one member fewer");
  }
  for (size_t i = 0; i < s.intents.size(); ++i) {
    std::string at = "/sdn_controller/intents/" + std::to_string(i);
    const IntentSpec& in = s.intents[i];
    need(at + "/a", in.a, "host");
    need(at + "/b", in.b, "host");
    if (!in.avoid.empty()) need(at + "/avoid", in.avoid, "switch");
    if (!in.via.empty()) need(at + "/via", in.via, "sdn-controller");
    if (in.at >= sc.duration) problems.Add(at + "/at", "the intent is asked at or after the end of the run");
  }
}

}  // namespace

ScenarioSection SdnControllerSection() {
  ScenarioSection s;
  s.key = "sdn_controller";
  s.help = "the SDN controller cluster: forwarding mode, flow timeouts and priorities, discovery and Raft timers, "
           "the operators' intents";
  s.stage = ScenarioSection::Stage::kSettings;
  s.schema = kSdnControllerSchemaText;
  s.parse = ParseSdnController;
  s.check = CheckSdnController;
  return s;
}

}  // namespace planelab
