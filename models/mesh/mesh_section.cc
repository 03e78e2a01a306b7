#include "models/mesh/mesh_section.h"

#include <functional>
#include <map>
#include <set>

#include "models/cluster/cluster_section.h"
#include "models/mesh/mesh_schema.h"
#include "sim/topology/topology.h"
#include "sim/util/json_locate.h"

namespace planelab {

using nlohmann::json;

namespace {

void ParseMesh(SectionContext& c) {
  MeshSpec& m = c.scenario.families.Mutable<MeshSpec>();
  const ClusterSpec& cs = c.scenario.families.Get<ClusterSpec>();
  if (!cs.enabled) {
    c.Problem("", "the mesh runs on the orchestrated cluster: add a \"cluster\" section");
    return;
  }
  m.enabled = true;
  c.ReadDuration("/debounce_after", &m.debounce.after, 1 * kMs, 60 * kSec);
  c.ReadDuration("/debounce_max", &m.debounce.max, 1 * kMs, 3600 * kSec);
  if (m.debounce.max < m.debounce.after) {
    c.Problem("/debounce_max", "debounce_max must not be shorter than debounce_after (istiod: 10s and 100ms)");
  }
  m.push_throttle = c.value.value("push_throttle", m.push_throttle);
  m.tcp = c.value.value("transport", std::string("datagram")) == "tcp";
  if (c.value.contains("connection_pool")) {
    const json& cp = c.value["connection_pool"];
    m.max_requests_per_connection = cp.value("max_requests_per_connection", m.max_requests_per_connection);
    c.ReadDuration("/connection_pool/idle_timeout", &m.idle_timeout, 1 * kSec, 24 * 3600 * kSec);
  }
  c.ReadDuration("/push_cost", &m.push_cost, 0, 10 * kSec);
  c.ReadDuration("/push_cost_per_endpoint", &m.push_cost_per_endpoint, 0, 1 * kSec);
  m.istiod_cpus = c.value.value("istiod_cpus", m.istiod_cpus);
  c.ReadDuration("/initial_fetch_timeout", &m.initial_fetch_timeout, 0, 3600 * kSec);
  c.ReadDuration("/keepalive_interval", &m.keepalive_interval, 1 * kSec, 3600 * kSec);
  c.ReadDuration("/keepalive_timeout", &m.keepalive_timeout, 100 * kMs, 3600 * kSec);
  if (c.value.contains("certificates")) {
    const json& ce = c.value["certificates"];
    c.ReadDuration("/certificates/ttl", &m.cert.ttl, 10 * kSec, 8760 * 3600 * kSec);
    m.cert.grace_ratio = ce.value("grace_period_ratio", m.cert.grace_ratio);
    m.cert.grace_jitter = ce.value("grace_period_ratio_jitter", m.cert.grace_jitter);
    if (m.cert.grace_jitter >= m.cert.grace_ratio || m.cert.grace_ratio + m.cert.grace_jitter >= 1) {
      c.Problem("/certificates/grace_period_ratio_jitter",
                "the jittered ratio must stay within (0, 1): ratio - jitter > 0 and ratio + jitter < 1 "
                "(Istio: 0.5 and 0.01)");
    }
  }
  if (c.value.contains("outlier_detection")) {
    const json& o = c.value["outlier_detection"];
    m.outlier.enabled = o.value("enabled", m.outlier.enabled);
    m.outlier.consecutive_5xx = o.value("consecutive_5xx", m.outlier.consecutive_5xx);
    c.ReadDuration("/outlier_detection/interval", &m.outlier.interval, 1 * kMs, 3600 * kSec);
    c.ReadDuration("/outlier_detection/base_ejection_time", &m.outlier.base_ejection_time, 1 * kMs, 3600 * kSec);
    m.outlier.max_ejection_percent = o.value("max_ejection_percent", m.outlier.max_ejection_percent);
  }
  if (c.value.contains("circuit_breakers")) {
    const json& b = c.value["circuit_breakers"];
    m.breakers.max_connections = b.value("max_connections", m.breakers.max_connections);
    m.breakers.max_pending_requests = b.value("max_pending_requests", m.breakers.max_pending_requests);
    m.breakers.max_requests = b.value("max_requests", m.breakers.max_requests);
  }
  std::set<std::string> deployments;
  for (const auto& d : cs.deployments) deployments.insert(d.name);
  auto list = [&]() {
    std::string s;
    for (const auto& n : deployments) s += (s.empty() ? "" : ", ") + n;
    return s.empty() ? std::string("none declared") : s;
  };
  if (c.value.contains("virtual_services")) {
    const json& vs = c.value["virtual_services"];
    for (size_t i = 0; i < vs.size(); ++i) {
      const std::string at = "/virtual_services/" + std::to_string(i);
      VirtualServiceSpec v;
      v.pointer = c.pointer + at;
      c.ReadDuration(at + "/at", &v.at);
      c.ReadDuration(at + "/timeout", &v.timeout, 0, 3600 * kSec);
      v.host = vs[i]["host"];
      v.retry_attempts = vs[i].value("retries", v.retry_attempts);
      if (!deployments.count(v.host)) {
        c.Problem(at + "/host", "\"" + v.host + "\" is not a service of the cluster (" + list() + ")");
      }
      uint32_t total = 0;
      const json& routes = vs[i]["routes"];
      for (size_t k = 0; k < routes.size(); ++k) {
        envoy::WeightedCluster w;
        w.cluster = routes[k]["deployment"];
        w.weight = routes[k]["weight"];
        total += w.weight;
        if (!deployments.count(w.cluster)) {
          c.Problem(at + "/routes/" + std::to_string(k) + "/deployment",
                    "\"" + w.cluster + "\" is not a deployment of the cluster (" + list() + ")");
        }
        v.routes.push_back(w);
      }
      // Istio refuses a VirtualService whose weights do not add up to 100 (its validation webhook).
      if (total != 100) c.Problem(at + "/routes", "the weights add up to " + std::to_string(total) + "; Istio requires 100");
      if (v.at > c.scenario.duration) {
        c.Problem(at + "/at", "the change is after the end of the run (" + FormatDuration(c.scenario.duration) + ")");
      }
      m.virtual_services.push_back(v);
    }
  }
  if (c.value.contains("services")) {
    for (const auto& [svc, body] : c.value["services"].items()) {
      const std::string at = "/services/" + JsonPointerEscape(svc);
      if (!deployments.count(svc)) {
        c.Problem(at, "\"" + svc + "\" is not a service of the cluster (" + list() + ")");
        continue;
      }
      if (!body.contains("calls")) continue;
      const json& calls = body["calls"];
      for (size_t i = 0; i < calls.size(); ++i) {
        const std::string ci = at + "/calls/" + std::to_string(i);
        MeshCallSpec call;
        call.service = calls[i]["service"];
        call.per_request = calls[i].value("per_request", call.per_request);
        call.request_bytes = calls[i].value("request_bytes", call.request_bytes);
        call.response_bytes = calls[i].value("response_bytes", call.response_bytes);
        c.ReadDuration(ci + "/timeout", &call.timeout, 1 * kMs, 3600 * kSec);
        if (!deployments.count(call.service)) {
          c.Problem(ci + "/service", "\"" + call.service + "\" is not a service of the cluster (" + list() + ")");
          continue;
        }
        m.calls[svc].push_back(call);
      }
    }
    // A request must end: the call graph has no cycle (a service calling itself, or back through others).
    std::map<std::string, int> state;  // 1: on the path, 2: done
    std::function<bool(const std::string&)> cyclic = [&](const std::string& s) {
      if (state[s] == 1) return true;
      if (state[s] == 2) return false;
      state[s] = 1;
      auto it = m.calls.find(s);
      if (it != m.calls.end()) {
        for (const auto& call : it->second) {
          if (cyclic(call.service)) return true;
        }
      }
      state[s] = 2;
      return false;
    };
    for (const auto& [svc, calls] : m.calls) {
      if (cyclic(svc)) {
        c.Problem("/services/" + JsonPointerEscape(svc) + "/calls",
                  "the calls form a cycle through \"" + svc + "\": every request would call on forever");
        break;
      }
    }
  }
  std::string too_large = TopologyLimitProblem({c.scenario.devices.size(), c.scenario.links.size()}, {1, 1}, "istiod");
  if (!too_large.empty()) {
    c.Problem("", too_large);
    return;
  }
  AddDevice(&c.scenario.devices, &c.scenario.groups, "istiod", "istiod", {"control-plane", "mesh"});
  AddLink(&c.scenario.links, cs.link, "istiod", "rack-cp");
}

}  // namespace

ScenarioSection MeshSection() {
  ScenarioSection s;
  s.key = "mesh";
  s.help = "a service mesh on the cluster: istiod (xDS, CA) and an Envoy sidecar in every pod and service client";
  s.stage = ScenarioSection::Stage::kTopology;
  s.schema = kMeshSchemaText;
  s.parse = ParseMesh;
  return s;
}

}  // namespace planelab
