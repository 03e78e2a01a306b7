#include "models/cluster/cluster_section.h"

#include <algorithm>
#include <limits>
#include <set>

#include "models/cluster/cluster_schema.h"
#include "sim/topology/topology.h"

namespace planelab {

using nlohmann::json;

namespace {

void ParseCluster(SectionContext& ctx) {
  auto dur = &SectionContext::Duration;
  const json& c = ctx.value;
  ClusterSpec& cs = ctx.scenario.families.Mutable<ClusterSpec>();
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
  cs.link = ctx.WithLinkDefaults(cs.link);
  if (c.contains("link")) SectionContext::ApplyLinkParams(c["link"], &cs.link);
  if (c.contains("store")) {
    const json& st = c["store"];
    if (st.contains("heartbeat_interval")) cs.store_heartbeat = dur(st["heartbeat_interval"]);
    if (st.contains("election_timeout")) cs.store_election = dur(st["election_timeout"]);
    cs.snapshot_count = st.value("snapshot_count", cs.snapshot_count);
    cs.disk_iops = st.value("disk_iops", cs.disk_iops);
    if (st.contains("disk_fsync_median")) cs.disk_fsync_median = dur(st["disk_fsync_median"]);
    // etcd's tuning guide: the election timeout should be at least 10x the heartbeat (and 5x is the floor).
    if (cs.store_heartbeat <= 0) ctx.problems.Add("/cluster/store/heartbeat_interval", "the heartbeat interval must be longer than zero");
    else if (cs.store_election < 5 * cs.store_heartbeat) {
      ctx.problems.Add("/cluster/store/election_timeout", "the election timeout must be at least 5x the heartbeat interval "
                                                      "(etcd's tuning guide suggests 10x: 100ms / 1000ms)");
    } else {
      // Whatever else the Raft core requires of its configuration, it states itself (raft::Config::Validate).
      for (const auto& problem : StoreRaftConfig(cs, 1).Validate()) {
        ctx.problems.Add("/cluster/store", "the store's Raft configuration is not valid: " + problem);
      }
    }
  }
  if (c.contains("api_server")) {
    const json& a = c["api_server"];
    cs.api_max_inflight = a.value("max_requests_inflight", cs.api_max_inflight);
    cs.api_max_mutating_inflight = a.value("max_mutating_requests_inflight", cs.api_max_mutating_inflight);
    if (a.contains("request_timeout")) cs.api_request_timeout = dur(a["request_timeout"]);
  }
  if (c.contains("timers")) {
    const json& t = c["timers"];
    if (t.contains("lease_duration")) cs.lease_duration = dur(t["lease_duration"]);
    if (t.contains("lease_renew")) cs.lease_renew = dur(t["lease_renew"]);
    if (t.contains("node_monitor_grace_period")) cs.node_monitor_grace = dur(t["node_monitor_grace_period"]);
    if (t.contains("pod_eviction_timeout")) cs.pod_eviction_timeout = dur(t["pod_eviction_timeout"]);
    if (t.contains("termination_grace_period")) cs.termination_grace = dur(t["termination_grace_period"]);
    if (t.contains("pod_startup")) cs.pod_startup = dur(t["pod_startup"]);
    if (t.contains("readiness_delay")) cs.readiness_delay = dur(t["readiness_delay"]);
    if (t.contains("pod_drain")) cs.pod_drain = dur(t["pod_drain"]);
    if (t.contains("hpa_sync_period")) cs.hpa_sync = dur(t["hpa_sync_period"]);
    if (cs.lease_renew <= 0 || cs.lease_renew >= cs.lease_duration) {
      ctx.problems.Add("/cluster/timers/lease_renew", "the lease renew interval must be above zero and below lease_duration "
                                                  "(the kubelet renews every quarter of it: 10s of 40s)");
    }
    if (cs.hpa_sync <= 0) ctx.problems.Add("/cluster/timers/hpa_sync_period", "the HPA sync period must be longer than zero");
  }
  if (c.contains("cloud")) {
    const json& cl = c["cloud"];
    if (cl.contains("node_lifetime")) cs.node_lifetime = dur(cl["node_lifetime"]);
    if (cl.contains("instance_boot")) cs.instance_boot = dur(cl["instance_boot"]);
    if (cl.contains("api_latency")) cs.cloud_api_latency = dur(cl["api_latency"]);
  }
  std::set<std::string> deployment_names;
  if (c.contains("deployments")) {
    for (size_t i = 0; i < c["deployments"].size(); ++i) {
      const json& d = c["deployments"][i];
      DeploymentSpec ds;
      ds.pointer = "/cluster/deployments/" + std::to_string(i);
      ds.name = d["name"];
      ds.replicas = d["replicas"];
      if (d.contains("pod_capacity")) ds.pod_capacity_rps = SectionContext::PacketRate(d["pod_capacity"]);
      if (d.contains("autoscale")) {
        const json& a = d["autoscale"];
        ds.autoscale = true;
        ds.min_replicas = a.value("min_replicas", ds.min_replicas);
        ds.max_replicas = a.value("max_replicas", std::max(ds.replicas, ds.max_replicas));
        ds.target_utilization = a.value("target_utilization", ds.target_utilization);
        if (ds.min_replicas > ds.max_replicas) {
          ctx.problems.Add(ds.pointer + "/autoscale/min_replicas", "min_replicas is above max_replicas");
        }
      }
      if (!deployment_names.insert(ds.name).second) {
        ctx.problems.Add(ds.pointer + "/name", "a deployment \"" + ds.name + "\" is declared twice; give each a unique name");
      }
      if (ds.pod_capacity_rps <= 0) ctx.problems.Add(ds.pointer + "/pod_capacity", "the pod capacity must be above zero");
      cs.deployments.push_back(ds);
    }
  }
  uint64_t pods = 0;
  for (const auto& d : cs.deployments) pods += d.replicas;
  if (pods > uint64_t(cs.nodes) * cs.max_pods) {
    ctx.problems.Add("/cluster/deployments", std::to_string(pods) + " replicas do not fit on " + std::to_string(cs.nodes) +
                                             " nodes of max_pods " + std::to_string(cs.max_pods) +
                                             "; add nodes, raise max_pods or lower the replicas");
  }
  auto known_deployment = [&](const std::string& at, const std::string& name) {
    if (deployment_names.count(name)) return;
    std::string list;
    for (const auto& n : deployment_names) list += (list.empty() ? "" : ", ") + n;
    ctx.problems.Add(at, "\"" + name + "\" is not a deployment of the cluster (" + (list.empty() ? "none declared" : list) + ")");
  };
  if (c.contains("service_clients")) {
    for (size_t i = 0; i < c["service_clients"].size(); ++i) {
      const json& w = c["service_clients"][i];
      ServiceClientSpec ws;
      ws.pointer = "/cluster/service_clients/" + std::to_string(i);
      ws.id = w.value("id", "svc" + std::to_string(i + 1));
      ws.service = w["service"];
      known_deployment(ws.pointer + "/service", ws.service);
      ws.rate_pps = SectionContext::PacketRate(w["rate"]);
      if (w.contains("request_size")) ws.request_bytes = static_cast<uint32_t>(SectionContext::Bytes(w["request_size"]));
      if (w.contains("response_size")) ws.response_bytes = static_cast<uint32_t>(SectionContext::Bytes(w["response_size"]));
      if (w.contains("timeout")) ws.timeout = dur(w["timeout"]);
      if (w.contains("start")) ws.start = dur(w["start"]);
      if (w.contains("rate_steps")) {
        for (const auto& st : w["rate_steps"]) {
          ws.rate_steps.emplace_back(dur(st["at"]), SectionContext::PacketRate(st["rate"]));
        }
      }
      if (ws.rate_pps <= 0) ctx.problems.Add(ws.pointer + "/rate", "the rate must be above zero");
      cs.service_clients.push_back(ws);
    }
  }
  if (c.contains("rollouts")) {
    for (size_t i = 0; i < c["rollouts"].size(); ++i) {
      RolloutSpec r;
      r.pointer = "/cluster/rollouts/" + std::to_string(i);
      r.at = dur(c["rollouts"][i]["at"]);
      r.deployment = c["rollouts"][i]["deployment"];
      known_deployment(r.pointer + "/deployment", r.deployment);
      if (r.at > ctx.scenario.duration) ctx.problems.Add(r.pointer + "/at", "the rollout is after the end of the run (" + FormatDuration(ctx.scenario.duration) + ")");
      cs.rollouts.push_back(r);
    }
  }
  if (cs.clients == 0 && !cs.service_clients.empty()) {
    ctx.problems.Add("/cluster/clients", "service_clients need at least one client device; set \"clients\" to 1 or more");
  }
  ExpandCluster(cs, &ctx.scenario.devices, &ctx.scenario.links, &ctx.scenario.groups);
}

}  // namespace

raft::Config StoreRaftConfig(const ClusterSpec& cs, uint64_t member) {
  raft::Config cfg;
  cfg.id = member;
  for (uint64_t i = 1; i <= cs.store_members; ++i) cfg.peers.push_back(i);
  int64_t ticks = cs.store_heartbeat > 0 ? cs.store_election / cs.store_heartbeat : 0;
  cfg.election_tick = static_cast<int>(std::min<int64_t>(ticks, std::numeric_limits<int>::max()));
  cfg.heartbeat_tick = 1;
  return cfg;
}

ScenarioSection ClusterSection() {
  ScenarioSection s;
  s.key = "cluster";
  s.help = "an orchestrated cluster: etcd-like store, API server, controllers, worker nodes, cloud, service clients";
  s.stage = ScenarioSection::Stage::kTopology;
  s.schema = kClusterSchemaText;
  s.parse = ParseCluster;
  return s;
}

void ExpandCluster(const ClusterSpec& c, std::vector<DeviceSpec>* devices, std::vector<LinkSpec>* links,
                   std::map<std::string, std::vector<std::string>>* groups) {
  AddDevice(devices, groups, "core", "router", {"routers", "core"});
  AddDevice(devices, groups, "rack-cp", "router", {"routers", "racks"});
  AddLink(links, c.link, "rack-cp", "core");
  for (uint32_t i = 1; i <= c.store_members; ++i) {
    std::string id = "etcd-" + std::to_string(i);
    AddDevice(devices, groups, id, "store-member", {"store", "control-plane"});
    AddLink(links, c.link, id, "rack-cp");
  }
  AddDevice(devices, groups, "apiserver", "api-server", {"control-plane"});
  AddLink(links, c.link, "apiserver", "rack-cp");
  AddDevice(devices, groups, "controllers", "controller-manager", {"control-plane"});
  AddLink(links, c.link, "controllers", "rack-cp");
  AddDevice(devices, groups, "cloud", "cloud-api", {"cloud"});
  AddLink(links, c.link, "cloud", "rack-cp");
  for (uint32_t i = 1; i <= c.clients; ++i) {
    std::string id = "client-" + std::to_string(i);
    AddDevice(devices, groups, id, "service-client", {"clients"});
    AddLink(links, c.link, id, "rack-cp");
  }
  uint32_t slots = c.nodes + c.spare_slots;
  uint32_t per = std::max<uint32_t>(1, c.nodes_per_rack);
  for (uint32_t r = 0; r * per < slots; ++r) {
    std::string rack = "rack-" + std::to_string(r + 1);
    AddDevice(devices, groups, rack, "router", {"routers", "racks"});
    AddLink(links, c.link, rack, "core");
    for (uint32_t j = r * per; j < std::min(slots, (r + 1) * per); ++j) {
      std::string id = "node-" + std::to_string(j + 1);
      AddDevice(devices, groups, id, "node", {"nodes", j < c.nodes ? "initial-nodes" : "spare-slots"});
      AddLink(links, c.link, id, rack);
    }
  }
}

}  // namespace planelab
