#include "models/controller/control/controller_manager_control_plane.h"

#include <algorithm>

#include "models/client/api_client.h"
#include "models/controller/control/controller_manager_metrics.h"
#include "models/controller/control/deployment_reconciler.h"
#include "models/controller/control/pod_autoscaler.h"
#include "models/controller/control/pod_scheduler.h"
#include "sim/core/clock.h"
#include "sim/core/message_socket.h"
#include "sim/core/metrics_endpoint.h"
#include "sim/core/network.h"

namespace planelab {

namespace {
constexpr SimTime kLoop = 1 * kSec;
// --node-monitor-period 5s.
constexpr SimTime kNodeMonitorPeriod = 5 * kSec;
// client-go's default per-item rate limiter: 5 ms doubling up to 1000 s.
constexpr SimTime kBackoffBase = 5 * kMs;
constexpr SimTime kBackoffMax = 1000 * kSec;
// ControllerExpectations time out after 5 minutes.
constexpr SimTime kExpectationTimeout = 5 * 60 * kSec;
constexpr SimTime kWriteTimeout = 30 * kSec;
// --unhealthy-zone-threshold 0.55: with more nodes than this NotReady, eviction stops (full disruption).
constexpr double kUnhealthyZone = 0.55;
}  // namespace

ControllerManagerControlPlane::ControllerManagerControlPlane(RunContext& ctx, const std::string& device,
                                                             const ClusterSpec& spec, Network& net)
    : PlaneActor(ctx, device, Plane::kControl),
      spec_(spec),
      net_(net),
      lifecycle_(spec.node_monitor_grace, spec.pod_eviction_timeout) {
  const ControllerManagerMetrics& m = ControllerManagerMetrics::Get();
  writes_ = AddCounter(m.api_writes);
  failures_ = AddCounter(m.reconcile_failures);
  pods_scheduled_ = AddCounter(m.pods_scheduled);
  pods_created_ = AddCounter(m.pods_created);
  evictions_ = AddCounter(m.pod_evictions);
  queue_depth_ = AddGauge(m.workqueue_depth);
  queue_depth_->BindReader([this]() {
    return api_ ? static_cast<double>(api_->throttled() + api_->in_flight() + sched_api_->throttled() +
                                      sched_api_->in_flight())
                : 0.0;
  });
  pending_pods_ = AddGauge(m.pending_pods);
  pending_pods_->BindReader([this]() {
    double n = 0;
    for (const auto& [k, p] : pods_) n += p.first->node.empty() && !p.first->terminating ? 1 : 0;
    return n;
  });
  rollout_duration_ = AddHistogram(m.rollout_duration);
  schedule_latency_ = AddHistogram(m.schedule_latency);
  hpa_scale_ups_ = AddCounter(m.hpa_scale_ups);
  hpa_scale_downs_ = AddCounter(m.hpa_scale_downs);
  hpa_write_failures_ = AddCounter(m.hpa_write_failures);
  hpa_utilization_ = AddGauge(m.hpa_utilization);
}

ControllerManagerControlPlane::~ControllerManagerControlPlane() = default;

void ControllerManagerControlPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  auto alive = [this]() { return running(); };
  api_.reset(new ApiClient(net_, device(), "apiserver", 20, 30, alive));
  sched_api_.reset(new ApiClient(net_, device(), "apiserver", 50, 100, alive));
  Cache* caches[4] = {&nodes_, &leases_, &pods_, &deployments_};
  ObjectKind kinds[4] = {ObjectKind::kNode, ObjectKind::kLease, ObjectKind::kPod, ObjectKind::kDeployment};
  // The informers connect once the network has converged (the run starts on a running cluster).
  After(500 * kMs, [this, caches, kinds]() {
    for (int i = 0; i < 4; ++i) {
      Cache* c = caches[i];
      api_->Watch(kinds[i], "", [this, c, i](const std::vector<ApiWatchBatch::Event>& ev, bool relist) {
        OnEvents(*c, ev, relist);
        synced_[i] = true;
      });
    }
  });
  metrics_endpoint_ = OpenMetricsEndpoint(net_, ctx().metrics, device(), kControllerManagerPort);
  After(kLoop, [this]() { Loop(); });
  After(kNodeMonitorPeriod, [this]() { NodeLifecycleLoop(); });
  bool any_hpa = false;
  for (const auto& d : spec_.deployments) any_hpa |= d.autoscale;
  if (any_hpa) {
    metrics_sock_.reset(new MessageSocket(net_, device(), 0));
    metrics_sock_->OnReceive([this](uint32_t, uint16_t, std::shared_ptr<const void> msg) {
      auto r = std::static_pointer_cast<const MetricsReply>(msg);
      if (r->id != scrape_round_) return;  // a late answer to an earlier round
      scraped_.insert(scraped_.end(), r->pods.begin(), r->pods.end());
    });
    After(spec_.hpa_sync, [this]() { AutoscaleLoop(); });
  }
}

void ControllerManagerControlPlane::HandleCrash() {
  api_.reset();
  sched_api_.reset();
  metrics_sock_.reset();
  metrics_endpoint_.reset();
  for (Cache* c : {&nodes_, &leases_, &pods_, &deployments_}) c->clear();
  for (bool& s : synced_) s = false;
  expecting_.clear();
  assumed_.clear();
  backoff_.clear();
  not_ready_since_.clear();
  lease_seen_.clear();
  scraped_.clear();
  recommendations_.clear();
  dirty_ = true;
}

void ControllerManagerControlPlane::AutoscaleLoop() {
  After(spec_.hpa_sync, [this]() { AutoscaleLoop(); });
  if (!synced_[2] || !synced_[3]) return;
  // metrics-server scrapes the kubelets that run pods of autoscaled deployments.
  std::set<std::string> nodes;
  for (const auto& d : spec_.deployments) {
    if (!d.autoscale) continue;
    for (const auto& [name, p] : pods_) {
      if (p.first->deployment == d.name && !p.first->node.empty()) nodes.insert(p.first->node);
    }
  }
  uint64_t round = ++scrape_round_;
  scraped_.clear();
  for (const auto& n : nodes) {
    auto m = std::make_shared<MetricsScrape>();
    m->id = round;
    metrics_sock_->Send(net_.ServiceAddress(n), kKubeletPort, 100, m);
  }
  // metrics-server's scrape timeout is 10 s; answers come within milliseconds on a healthy network.
  After(2 * kSec, [this, round]() { Autoscale(round); });
}

void ControllerManagerControlPlane::Autoscale(uint64_t round) {
  if (round != scrape_round_) return;
  SimTime now = Clock::Now();
  double highest = 0;
  for (const auto& d : spec_.deployments) {
    if (!d.autoscale) continue;
    auto it = deployments_.find(d.name);
    if (it == deployments_.end()) continue;
    double sum = 0;
    int n = 0;
    for (const auto& m : scraped_) {
      if (m.deployment == d.name) { sum += m.utilization; ++n; }
    }
    if (n == 0) continue;  // no metrics: the HPA does nothing (FailedGetResourceMetric)
    double util = sum / n;
    highest = std::max(highest, util);
    const ApiObject& dep = *it->second.first;
    uint32_t desired = PodAutoscaler::Desired(dep.replicas, util, d.target_utilization, d.min_replicas, d.max_replicas);
    // Scale-down stabilization (300 s): scale down only to the highest recommendation of the window.
    auto& recs = recommendations_[d.name];
    // The autoscaler has been running before the scenario starts: its history holds the current scale.
    if (recs.empty()) recs.emplace_back(now, dep.replicas);
    recs.emplace_back(now, desired);
    while (!recs.empty() && now - recs.front().first > 300 * kSec) recs.pop_front();
    if (desired < dep.replicas) {
      for (const auto& [t, r] : recs) desired = std::max(desired, r);
      desired = std::min(desired, dep.replicas);
    }
    if (desired == dep.replicas) continue;
    auto o = std::make_shared<ApiObject>(dep);
    bool up = desired > dep.replicas;
    o->replicas = desired;
    ApiRequest req;
    req.verb = Verb::kUpdate;
    req.kind = ObjectKind::kDeployment;
    req.obj = o;
    req.resource_version = it->second.second;
    std::string name = d.name;
    uint32_t from = dep.replicas;
    Write("hpa/" + name, "dep:" + name + "/status", req,
          [this, up, name, from, desired](const ApiResponse&) {
            (up ? hpa_scale_ups_ : hpa_scale_downs_)->Add();
            Emit("hpa.scaled", "{\"deployment\":\"" + name + "\",\"from\":" + std::to_string(from) +
                                   ",\"to\":" + std::to_string(desired) + "}");
          },
          [this]() { hpa_write_failures_->Add(); });
  }
  hpa_utilization_->Set(highest);
}

void ControllerManagerControlPlane::OnEvents(Cache& cache, const std::vector<ApiWatchBatch::Event>& events,
                                             bool relist) {
  SimTime now = Clock::Now();
  if (relist) cache.clear();
  // Lease renewals (most of the traffic) matter only to the node lifecycle loop, which runs on its own period.
  if (&cache != &leases_) dirty_ = true;
  for (const auto& e : events) {
    const std::string& name = e.obj->name;
    if (e.obj->kind == ObjectKind::kLease) {
      auto it = cache.find(name);
      if (it == cache.end() || it->second.first->renew_time != e.obj->renew_time || relist) {
        // The lifecycle controller times leases by when it sees them change, not by the kubelet's clock.
        if (!relist || !lease_seen_.count(name)) lease_seen_[name] = now;
      }
    }
    if (e.deleted) cache.erase(name);
    else cache[name] = {e.obj, e.resource_version};
    expecting_.erase(KeyOf(e.obj->kind, name));
    if (e.obj->kind == ObjectKind::kPod) expecting_.erase("dep:" + e.obj->deployment + "/" + name);
    // An informer event queues its item at once (workqueue Add), whatever the item's backoff (AddRateLimited):
    // the failure count stays for the next failure.
    for (const std::string& item : {"deployment/" + (e.obj->kind == ObjectKind::kPod ? e.obj->deployment : name),
                                    "schedule/" + name}) {
      auto b = backoff_.find(item);
      if (b != backoff_.end()) b->second.first = 0;
    }
    if (e.obj->kind == ObjectKind::kDeployment) expecting_.erase("dep:" + name + "/status");
    if (e.obj->kind == ObjectKind::kPod) {
      auto a = assumed_.find(name);
      if (a != assumed_.end() && (e.deleted || !e.obj->node.empty())) assumed_.erase(a);
    }
  }
}

bool ControllerManagerControlPlane::BackingOff(const std::string& item) const {
  auto it = backoff_.find(item);
  return it != backoff_.end() && Clock::Now() < it->second.first;
}

void ControllerManagerControlPlane::Write(const std::string& item, const std::string& expect, ApiRequest req,
                                          std::function<void(const ApiResponse&)> ok, std::function<void()> fail) {
  writes_->Add();
  ++interval_writes_;
  ApiClient* client = item.rfind("schedule/", 0) == 0 ? sched_api_.get() : api_.get();
  expecting_[expect] = Clock::Now();
  client->Call(std::move(req), kWriteTimeout, [this, item, expect, ok, fail](const ApiResponse& r) {
    if (r.code >= 200 && r.code < 300) {
      backoff_.erase(item);
      if (ok) ok(r);
      return;
    }
    expecting_.erase(expect);
    if (fail) fail();
    failures_->Add();
    ++interval_failures_;
    auto& b = backoff_[item];
    b.second = std::min(b.second + 1, 40);
    SimTime delay = kBackoffBase;
    for (int i = 1; i < b.second && delay < kBackoffMax; ++i) delay *= 2;
    b.first = Clock::Now() + std::min(delay, kBackoffMax);
  });
}

void ControllerManagerControlPlane::Loop() {
  After(kLoop, [this]() { Loop(); });
  SimTime now = Clock::Now();
  for (auto it = expecting_.begin(); it != expecting_.end();) {
    it = now - it->second > kExpectationTimeout ? expecting_.erase(it) : std::next(it);
  }
  if (!(synced_[0] && synced_[2] && synced_[3])) return;
  // Level-triggered, but only when something changed, a retry came due, or every 10 s as a resync.
  bool due = !backoff_.empty() || now - last_full_loop_ >= 10 * kSec;
  if (!dirty_ && !due) return;
  dirty_ = false;
  last_full_loop_ = now;
  Schedule();
  ReconcileDeployments();
}

void ControllerManagerControlPlane::Schedule() {
  std::map<std::string, NodeLoad> loads;
  for (const auto& [name, n] : nodes_) loads[name].node = n.first;
  auto count = [&](const std::string& node, const std::string& dep) {
    auto it = loads.find(node);
    if (it == loads.end()) return;
    ++it->second.pods;
    ++it->second.per_deployment[dep];
  };
  std::vector<std::pair<ObjectPtr, int64_t>> pending;
  for (const auto& [name, p] : pods_) {
    auto a = assumed_.find(name);
    if (!p.first->node.empty()) count(p.first->node, p.first->deployment);
    else if (a != assumed_.end()) count(a->second, p.first->deployment);
    else if (!p.first->terminating) pending.push_back(p);
  }
  std::vector<NodeLoad*> order;
  order.reserve(loads.size());
  for (auto& [name, l] : loads) order.push_back(&l);
  for (const auto& [pod, rv] : pending) {
    std::string item = "schedule/" + pod->name;
    if (BackingOff(item) || expecting_.count(KeyOf(ObjectKind::kPod, pod->name))) continue;
    NodeLoad* chosen = PodScheduler::PickSampled(*pod, order, &schedule_start_);
    if (!chosen) continue;  // "0/N nodes are available": stays Pending until something changes
    std::string node = chosen->node->name;
    count(node, pod->deployment);
    assumed_[pod->name] = node;
    auto bound = std::make_shared<ApiObject>(*pod);
    bound->node = node;
    ApiRequest req;
    req.verb = Verb::kUpdate;
    req.kind = ObjectKind::kPod;
    req.obj = bound;
    req.resource_version = rv;
    SimTime created = pod->created;
    std::string name = pod->name;
    Write(item, KeyOf(ObjectKind::kPod, name), req,
          [this, created](const ApiResponse&) {
            pods_scheduled_->Add();
            schedule_latency_->Observe(ToSeconds(Clock::Now() - created));
          },
          // A failed bind forgets the assumption, so the pod is scheduled again after its backoff.
          [this, name]() { assumed_.erase(name); });
  }
  for (auto it = assumed_.begin(); it != assumed_.end();) {
    it = (!expecting_.count(KeyOf(ObjectKind::kPod, it->first)) && !expecting_.count("schedule/" + it->first))
             ? assumed_.erase(it) : std::next(it);
  }
}

void ControllerManagerControlPlane::ReconcileDeployments() {
  std::map<std::string, std::vector<ObjectPtr>> by_deployment;
  for (const auto& [name, p] : pods_) {
    if (!p.first->terminating) by_deployment[p.first->deployment].push_back(p.first);
  }
  SimTime now = Clock::Now();
  // Deployments with writes the watch has not shown yet wait for them (ControllerExpectations).
  std::set<std::string> waiting;
  for (auto it = expecting_.lower_bound("dep:"); it != expecting_.end() && it->first.compare(0, 4, "dep:") == 0; ++it) {
    waiting.insert(it->first.substr(4, it->first.find('/') - 4));
  }
  for (const auto& [name, entry] : deployments_) {
    const ApiObject& d = *entry.first;
    std::string item = "deployment/" + name;
    if (waiting.count(name) || BackingOff(item)) continue;
    DeploymentActions a = DeploymentReconciler::Reconcile(d, by_deployment[name]);
    for (uint32_t i = 0; i < a.create; ++i) {
      auto p = std::make_shared<ApiObject>();
      p->kind = ObjectKind::kPod;
      p->name = name + "-" + std::to_string(d.revision) + "-" + std::to_string(++pod_counter_) + "x";
      p->deployment = name;
      p->revision = d.revision;
      p->created = now;
      ApiRequest req;
      req.verb = Verb::kCreate;
      req.kind = ObjectKind::kPod;
      req.obj = p;
      Write(item, "dep:" + name + "/" + p->name, req, [this](const ApiResponse&) { pods_created_->Add(); });
    }
    for (const auto& pod_name : a.remove) {
      auto it = pods_.find(pod_name);
      if (it == pods_.end()) continue;
      // Graceful deletion: set the deletion timestamp; the kubelet stops the pod and removes the object.
      auto t = std::make_shared<ApiObject>(*it->second.first);
      t->terminating = true;
      t->pod_ready = false;
      ApiRequest req;
      req.verb = t->node.empty() ? Verb::kDelete : Verb::kUpdate;
      req.kind = ObjectKind::kPod;
      req.name = pod_name;
      req.obj = t;
      req.resource_version = it->second.second;
      Write(item, "dep:" + name + "/" + pod_name, req);
    }
    if (a.updated != d.updated_replicas || a.ready_updated != d.ready_replicas) {
      auto s = std::make_shared<ApiObject>(d);
      s->updated_replicas = a.updated;
      s->ready_replicas = a.ready_updated;
      ApiRequest req;
      req.verb = Verb::kUpdate;
      req.kind = ObjectKind::kDeployment;
      req.obj = s;
      req.resource_version = entry.second;
      Write(item, "dep:" + name + "/status", req);
    }
    if (a.complete && d.revision > 1 && rolled_out_[name] != d.revision) {
      rolled_out_[name] = d.revision;
      rollout_duration_->Observe(ToSeconds(now - d.revision_changed));
      Emit("deployment.rolled-out", "{\"deployment\":\"" + name + "\",\"revision\":" + std::to_string(d.revision) +
                                        ",\"seconds\":" + std::to_string(ToSeconds(now - d.revision_changed)) + "}");
    }
  }
}

void ControllerManagerControlPlane::NodeLifecycleLoop() {
  After(kNodeMonitorPeriod, [this]() { NodeLifecycleLoop(); });
  if (!(synced_[0] && synced_[1] && synced_[2])) return;
  SimTime now = Clock::Now();
  size_t not_ready = 0;
  for (const auto& [name, n] : nodes_) not_ready += n.first->node_ready ? 0 : 1;
  bool full_disruption = !nodes_.empty() && static_cast<double>(not_ready) / nodes_.size() > kUnhealthyZone;
  for (const auto& [name, n] : nodes_) {
    auto seen = lease_seen_.find(name);
    SimTime renewed = seen == lease_seen_.end() ? 0 : seen->second;
    auto since = not_ready_since_.find(name);
    NodeVerdict v = lifecycle_.Judge(now, renewed, since == not_ready_since_.end() ? -1 : since->second);
    std::string item = "node/" + name;
    if (BackingOff(item) || expecting_.count(KeyOf(ObjectKind::kNode, name))) continue;
    if (v.ready != n.first->node_ready) {
      auto o = std::make_shared<ApiObject>(*n.first);
      o->node_ready = v.ready;
      ApiRequest req;
      req.verb = Verb::kUpdate;
      req.kind = ObjectKind::kNode;
      req.obj = o;
      req.resource_version = n.second;
      bool ready = v.ready;
      Write(item, KeyOf(ObjectKind::kNode, name), req, [this, ready, name](const ApiResponse&) {
        Emit(ready ? "node.ready" : "node.not-ready", "{\"node\":\"" + name + "\"}");
      });
      if (!v.ready) {
        // MarkPodsNotReady (nodelifecycle controller): the node's pods leave the service endpoints at once.
        for (const auto& [pname, p] : pods_) {
          if (p.first->node != name || !p.first->pod_ready) continue;
          auto q = std::make_shared<ApiObject>(*p.first);
          q->pod_ready = false;
          ApiRequest preq;
          preq.verb = Verb::kUpdate;
          preq.kind = ObjectKind::kPod;
          preq.obj = q;
          preq.resource_version = p.second;
          Write("notready/" + pname, KeyOf(ObjectKind::kPod, pname), preq);
        }
      }
    }
    if (v.ready) not_ready_since_.erase(name);
    else if (!n.first->node_ready && !not_ready_since_.count(name)) not_ready_since_[name] = now;
    if (v.evict && !full_disruption) {
      for (const auto& [pname, p] : pods_) {
        if (p.first->node != name) continue;
        std::string pitem = "evict/" + pname;
        if (BackingOff(pitem) || expecting_.count(KeyOf(ObjectKind::kPod, pname))) continue;
        // The kubelet is gone and cannot finish a graceful delete: the pod object is removed outright.
        ApiRequest req;
        req.verb = Verb::kDelete;
        req.kind = ObjectKind::kPod;
        req.name = pname;
        Write(pitem, KeyOf(ObjectKind::kPod, pname), req, [this](const ApiResponse&) { evictions_->Add(); });
      }
    }
  }
}

Health ControllerManagerControlPlane::MeasureHealth() {
  // Failures without any write (answers to earlier writes) count as a fully failed interval.
  double writes = static_cast<double>(std::max(interval_writes_, interval_failures_));
  Health h = HealthFromFailures(static_cast<double>(interval_failures_), writes);
  interval_writes_ = interval_failures_ = 0;
  return WithLifecycle(h);
}

}  // namespace planelab
