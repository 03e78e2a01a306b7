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
  auto read_intent = [&](const json& j, const std::string& at, size_t i, IntentSpec& in) {
    in.id = j.value("id", "intent-" + std::to_string(i + 1));
    in.kind = j.value("kind", in.kind);
    in.a = j.value("a", "");
    in.b = j.value("b", "");
    in.avoid = j.value("avoid", "");
    if (in.kind == "avoid" && in.avoid.empty()) c.Problem(at + "/avoid", "an \"avoid\" intent names the switch to avoid");
  };
  if (c.value.contains("intents")) {
    const json& list = c.value["intents"];
    for (size_t i = 0; i < list.size(); ++i) {
      const json& j = list[i];
      std::string at = "/intents/" + std::to_string(i);
      IntentSpec in;
      c.ReadDuration(at + "/at", &in.at);
      read_intent(j, at, i, in);
      in.via = j.value("via", "");
      s.intents.push_back(in);
    }
  }
  if (c.value.contains("northbound")) {
    NorthboundSpec& nb = s.northbound;
    const json& v = c.value["northbound"];
    nb.enabled = true;
    nb.dashboard = v.value("dashboard", "");
    c.ReadDuration("/northbound/refresh", &nb.refresh, 100 * kMs);
    c.ReadDuration("/northbound/request_timeout", &nb.request_timeout, 10 * kMs);
    c.ReadDuration("/northbound/stale_after", &nb.stale_after, 100 * kMs);
    c.ReadDuration("/northbound/retry", &nb.retry, 100 * kMs);
    c.ReadDuration("/northbound/patience", &nb.patience);
    c.ReadDuration("/northbound/slow_after", &nb.slow_after, 1 * kMs);
    if (nb.stale_after < nb.refresh) c.Problem("/northbound/stale_after", "the dashboard cannot be stale before its first refresh is due: at least `refresh`");
    if (v.contains("calls")) {
      const json& list = v["calls"];
      for (size_t i = 0; i < list.size(); ++i) {
        const json& j = list[i];
        std::string at = "/northbound/calls/" + std::to_string(i);
        NorthboundCallSpec call;
        c.ReadDuration(at + "/at", &call.at);
        call.call = j.value("call", call.call);
        if (j.contains("intent")) read_intent(j["intent"], at + "/intent", i, call.intent);
        if (call.intent.id == "intent-" + std::to_string(i + 1)) call.intent.id = "operator-" + std::to_string(i + 1);
        call.intent.via = j.value("via", "");
        nb.calls.push_back(call);
      }
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
  const NorthboundSpec& nb = s.northbound;
  if (nb.enabled && !nb.dashboard.empty()) need("/sdn_controller/northbound/dashboard", nb.dashboard, "sdn-controller");
  if (nb.enabled && members == 0) problems.Add("/sdn_controller/northbound", "there is no device of kind \"sdn-controller\" to serve the northbound API");
  for (size_t i = 0; i < nb.calls.size(); ++i) {
    std::string at = "/sdn_controller/northbound/calls/" + std::to_string(i);
    const IntentSpec& in = nb.calls[i].intent;
    need(at + "/intent/a", in.a, "host");
    need(at + "/intent/b", in.b, "host");
    if (!in.avoid.empty()) need(at + "/intent/avoid", in.avoid, "switch");
    if (!in.via.empty()) need(at + "/via", in.via, "sdn-controller");
    if (nb.calls[i].at >= sc.duration) problems.Add(at + "/at", "the call is made at or after the end of the run");
  }
  // The API's fault needs the API: a controller without the northbound section has no management plane.
  for (const auto& f : sc.faults) {
    if (f.kind == "sdn-northbound-down" && !nb.enabled) {
      problems.Add(f.pointer.empty() ? "/faults" : f.pointer,
                   "fault \"sdn-northbound-down\" needs the controllers' northbound API: add \"northbound\": {} to "
                   "the \"sdn_controller\" section");
    }
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
