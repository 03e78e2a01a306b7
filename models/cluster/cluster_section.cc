#include "models/cluster/cluster_section.h"

#include <algorithm>
#include <limits>
#include <set>

#include "models/cluster/cluster_schema.h"
#include "sim/topology/topology.h"

namespace planelab {

using nlohmann::json;

namespace {

/// The cloud's services under "cloud": health checks, IAM, IaC, volumes, scale-out (models/cloud/cloud_spec.h).
void ReadCloudServices(SectionContext& ctx, const json& c, ClusterSpec& cs) {
  if (!c.contains("cloud")) return;
  const json& cl = c["cloud"];
  CloudSpec& k = cs.cloud;
  auto count = [&](const json& obj, const std::string& at, const char* key, uint32_t* out, int64_t lo, int64_t hi) {
    if (!obj.contains(key)) return;
    const json& v = obj[key];
    if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi) {
      ctx.problems.Add("/cluster/cloud" + at + "/" + key, "an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
      return;
    }
    *out = v.get<uint32_t>();
  };
  if (cl.contains("load_balancer")) {
    const json& lb = cl["load_balancer"];
    k.health_checks = lb.value("health_checks", k.health_checks);
    ctx.ReadDuration("/cloud/load_balancer/interval", &k.health_check.interval, 1 * kSec, 300 * kSec);
    ctx.ReadDuration("/cloud/load_balancer/timeout", &k.health_check.timeout, 1 * kSec, 120 * kSec);
    count(lb, "/load_balancer", "unhealthy_threshold", &k.health_check.unhealthy_threshold, 2, 10);
    count(lb, "/load_balancer", "healthy_threshold", &k.health_check.healthy_threshold, 2, 10);
    ctx.ReadDuration("/cloud/load_balancer/deregistration_delay", &k.health_check.deregistration_delay, 0, 3600 * kSec);
    // ELB: the timeout must be smaller than the interval.
    if (k.health_check.timeout >= k.health_check.interval) {
      ctx.problems.Add("/cluster/cloud/load_balancer/timeout",
                       "the health-check timeout must be shorter than the interval (ELB refuses it)");
    }
  }
  ctx.ReadDuration("/cloud/api_timeout", &k.api_timeout, 1 * kSec);
  ctx.ReadDuration("/cloud/retry_interval", &k.retry_interval, 100 * kMs);
  if (cl.contains("iam")) {
    const json& iam = cl["iam"];
    ctx.ReadDuration("/cloud/iam/propagation_median", &k.iam.median, 0);
    k.iam.sigma = iam.value("propagation_sigma", k.iam.sigma);
    if (k.iam.sigma < 0 || k.iam.sigma > 3) ctx.problems.Add("/cluster/cloud/iam/propagation_sigma", "from 0 to 3");
    if (iam.contains("changes")) {
      for (size_t i = 0; i < iam["changes"].size(); ++i) {
        const json& j = iam["changes"][i];
        IamChangeSpec ch;
        ctx.ReadDuration("/cloud/iam/changes/" + std::to_string(i) + "/at", &ch.at);
        ch.role = j.value("role", "");
        ch.grant = j.value("action", std::string("grant")) != "revoke";
        k.iam_changes.push_back(ch);
      }
    }
    if (iam.contains("callers")) {
      for (size_t i = 0; i < iam["callers"].size(); ++i) {
        const json& j = iam["callers"][i];
        IamCallerSpec cc;
        cc.role = j.value("role", "");
        cc.rate = j.value("rate", cc.rate);
        if (cc.rate <= 0 || cc.rate > 10000) {
          ctx.problems.Add("/cluster/cloud/iam/callers/" + std::to_string(i) + "/rate", "above 0, at most 10000 requests per second");
        }
        ctx.ReadDuration("/cloud/iam/callers/" + std::to_string(i) + "/start", &cc.start);
        k.iam_callers.push_back(cc);
      }
    }
  }
  if (cl.contains("iac")) {
    const json& iac = cl["iac"];
    count(iac, "/iac", "max_attempts", &k.iac.max_attempts, 1, 100);
    ctx.ReadDuration("/cloud/iac/backoff", &k.iac.backoff, 0);
    ctx.ReadDuration("/cloud/iac/call_timeout", &k.iac.call_timeout, 100 * kMs);
    ctx.ReadDuration("/cloud/iac/run_timeout", &k.iac.run_timeout, 1 * kSec);
    if (iac.contains("runs")) {
      for (size_t i = 0; i < iac["runs"].size(); ++i) {
        const json& j = iac["runs"][i];
        IacRunSpec run;
        ctx.ReadDuration("/cloud/iac/runs/" + std::to_string(i) + "/at", &run.at);
        if (j.contains("resources")) {
          for (size_t r = 0; r < j["resources"].size(); ++r) {
            const json& rj = j["resources"][r];
            cloud::Resource res;
            res.type = rj.value("type", "");
            res.name = rj.value("name", "");
            res.version = rj.value("version", 1u);
            run.resources.push_back(res);
          }
        }
        k.iac_runs.push_back(run);
      }
    }
  }
  if (cl.contains("volumes")) {
    const json& v = cl["volumes"];
    count(v, "/volumes", "attached", &k.volumes, 0, 1000);
    k.volume_iops = v.value("iops", k.volume_iops);
    if (k.volume_iops < 0 || k.volume_iops > 16000) {
      ctx.problems.Add("/cluster/cloud/volumes/iops", "from 0 to 16000 operations per second (gp3's ceiling)");
    }
    ctx.ReadDuration("/cloud/volumes/io_timeout", &k.volume_io_timeout, 1 * kMs);
    if (v.contains("attach")) {
      for (size_t i = 0; i < v["attach"].size(); ++i) {
        VolumeAttachSpec a;
        ctx.ReadDuration("/cloud/volumes/attach/" + std::to_string(i) + "/at", &a.at);
        a.volume = v["attach"][i].value("volume", "");
        k.volume_attaches.push_back(a);
      }
    }
  }
  if (cl.contains("scale_out")) {
    k.requests_per_instance = cl["scale_out"].value("requests_per_instance", 0.0);
    if (k.requests_per_instance < 0) {
      ctx.problems.Add("/cluster/cloud/scale_out/requests_per_instance", "at least 0 (0: off)");
    }
  }
}

void ParseCluster(SectionContext& ctx) {
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
  ctx.ReadLinkParams("/link", &cs.link);
  if (c.contains("store")) {
    const json& st = c["store"];
    ctx.ReadDuration("/store/heartbeat_interval", &cs.store_heartbeat);
    ctx.ReadDuration("/store/election_timeout", &cs.store_election);
    cs.snapshot_count = st.value("snapshot_count", cs.snapshot_count);
    cs.disk_iops = st.value("disk_iops", cs.disk_iops);
    ctx.ReadDuration("/store/disk_fsync_median", &cs.disk_fsync_median);
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
    ctx.ReadDuration("/api_server/request_timeout", &cs.api_request_timeout);
  }
  if (c.contains("timers")) {
    ctx.ReadDuration("/timers/lease_duration", &cs.lease_duration);
    ctx.ReadDuration("/timers/lease_renew", &cs.lease_renew);
    ctx.ReadDuration("/timers/node_monitor_grace_period", &cs.node_monitor_grace);
    ctx.ReadDuration("/timers/pod_eviction_timeout", &cs.pod_eviction_timeout);
    ctx.ReadDuration("/timers/termination_grace_period", &cs.termination_grace);
    ctx.ReadDuration("/timers/pod_startup", &cs.pod_startup);
    ctx.ReadDuration("/timers/readiness_delay", &cs.readiness_delay);
    ctx.ReadDuration("/timers/pod_drain", &cs.pod_drain);
    ctx.ReadDuration("/timers/hpa_sync_period", &cs.hpa_sync);
    if (cs.lease_renew <= 0 || cs.lease_renew >= cs.lease_duration) {
      ctx.problems.Add("/cluster/timers/lease_renew", "the lease renew interval must be above zero and below lease_duration "
                                                  "(the kubelet renews every quarter of it: 10s of 40s)");
    }
    if (cs.hpa_sync <= 0) ctx.problems.Add("/cluster/timers/hpa_sync_period", "the HPA sync period must be longer than zero");
  }
  ctx.ReadDuration("/cloud/node_lifetime", &cs.node_lifetime);
  ctx.ReadDuration("/cloud/instance_boot", &cs.instance_boot);
  ctx.ReadDuration("/cloud/api_latency", &cs.cloud_api_latency);
  ReadCloudServices(ctx, c, cs);
  std::set<std::string> deployment_names;
  if (c.contains("deployments")) {
    for (size_t i = 0; i < c["deployments"].size(); ++i) {
      const json& d = c["deployments"][i];
      DeploymentSpec ds;
      ds.pointer = "/cluster/deployments/" + std::to_string(i);
      ds.name = d["name"];
      ds.replicas = d["replicas"];
      ctx.ReadPacketRate("/deployments/" + std::to_string(i) + "/pod_capacity", &ds.pod_capacity_rps);
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
      const std::string at = "/service_clients/" + std::to_string(i);
      ctx.ReadPacketRate(at + "/rate", &ws.rate_pps);
      // As a host's workload: a request carries its 16-byte header; a response fits what a client reads at once.
      ctx.ReadBytes(at + "/request_size", &ws.request_bytes, 16, 65000);
      ctx.ReadBytes(at + "/response_size", &ws.response_bytes, 16, 10000000);
      ctx.ReadDuration(at + "/timeout", &ws.timeout);
      ctx.ReadDuration(at + "/start", &ws.start);
      if (w.contains("rate_steps")) {
        for (size_t k = 0; k < w["rate_steps"].size(); ++k) {
          std::pair<SimTime, double> step{0, ws.rate_pps};
          ctx.ReadDuration(at + "/rate_steps/" + std::to_string(k) + "/at", &step.first);
          ctx.ReadPacketRate(at + "/rate_steps/" + std::to_string(k) + "/rate", &step.second);
          ws.rate_steps.push_back(step);
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
      ctx.ReadDuration("/rollouts/" + std::to_string(i) + "/at", &r.at);
      r.deployment = c["rollouts"][i]["deployment"];
      known_deployment(r.pointer + "/deployment", r.deployment);
      if (r.at > ctx.scenario.duration) ctx.problems.Add(r.pointer + "/at", "the rollout is after the end of the run (" + FormatDuration(ctx.scenario.duration) + ")");
      cs.rollouts.push_back(r);
    }
  }
  if (cs.clients == 0 && !cs.service_clients.empty()) {
    ctx.problems.Add("/cluster/clients", "service_clients need at least one client device; set \"clients\" to 1 or more");
  }
  // The size is known from the numbers: a cluster too large is refused before it is expanded.
  std::string too_large = TopologyLimitProblem({ctx.scenario.devices.size(), ctx.scenario.links.size()},
                                               ClusterSize(cs), "this cluster");
  if (!too_large.empty()) {
    ctx.problems.Add("/cluster", too_large);
    return;
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

TopologySize ClusterSize(const ClusterSpec& c) {
  // core, rack-cp, the store members, the API server, the controllers, the cloud, the clients; then a rack router
  // per nodes_per_rack slots and the slots' nodes. Every device but the core has one link up.
  const uint64_t slots = uint64_t{c.nodes} + c.spare_slots, per = std::max<uint32_t>(1, c.nodes_per_rack);
  const uint64_t racks = (slots + per - 1) / per;
  TopologySize s;
  s.devices = 2 + uint64_t{c.store_members} + 3 + c.clients + racks + slots;
  s.links = s.devices - 1;
  return s;
}

namespace {

/// Declares the /metrics endpoint the device's process serves, as a kubeadm cluster's Prometheus scrapes it:
/// etcd on --listen-metrics-urls (http://:2381), kube-apiserver on its secure port 6443, kube-controller-manager
/// on 10257, the kubelet on 10250 (Kubernetes "Ports and Protocols"; kubeadm's etcd static pod manifest).
void ServesMetrics(std::vector<DeviceSpec>* devices, uint16_t port, const char* job) {
  devices->back().metrics_port = port;
  devices->back().metrics_job = job;
}

}  // namespace

void ExpandCluster(const ClusterSpec& c, std::vector<DeviceSpec>* devices, std::vector<LinkSpec>* links,
                   std::map<std::string, std::vector<std::string>>* groups) {
  AddDevice(devices, groups, "core", "router", {"routers", "core"});
  AddDevice(devices, groups, "rack-cp", "router", {"routers", "racks"});
  AddLink(links, c.link, "rack-cp", "core");
  for (uint32_t i = 1; i <= c.store_members; ++i) {
    std::string id = "etcd-" + std::to_string(i);
    AddDevice(devices, groups, id, "store-member", {"store", "control-plane"});
    ServesMetrics(devices, 2381, "etcd");
    AddLink(links, c.link, id, "rack-cp");
  }
  AddDevice(devices, groups, "apiserver", "api-server", {"control-plane"});
  ServesMetrics(devices, 6443, "apiserver");
  AddLink(links, c.link, "apiserver", "rack-cp");
  AddDevice(devices, groups, "controllers", "controller-manager", {"control-plane"});
  ServesMetrics(devices, 10257, "kube-controller-manager");
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
      ServesMetrics(devices, 10250, "kubelet");
      AddLink(links, c.link, id, rack);
    }
  }
}

}  // namespace planelab
