#include "models/node/control/kubelet_control_plane.h"

#include <algorithm>
#include <set>

#include "models/client/api_client.h"
#include "models/node/control/kubelet_metrics.h"
#include "sim/core/clock.h"
#include "sim/core/message_socket.h"
#include "sim/core/metrics_endpoint.h"
#include "sim/core/network.h"

namespace planelab {

namespace {
constexpr SimTime kRetry = 1 * kSec;
constexpr SimTime kCallTimeout = 10 * kSec;
// kube-proxy coalesces endpoint changes before it rewrites the rules (--iptables-min-sync-period 1s).
constexpr SimTime kProxySync = 1 * kSec;
}  // namespace

KubeletControlPlane::KubeletControlPlane(RunContext& ctx, const std::string& device, const ClusterSpec& spec,
                                         Network& net, bool registered_at_start, Port<NodeProgram>& to_data)
    : PlaneActor(ctx, device, Plane::kControl),
      spec_(spec),
      net_(net),
      registered_at_start_(registered_at_start),
      to_data_(to_data),
      adopt_(registered_at_start) {
  for (const auto& d : spec.deployments) capacity_of_[d.name] = d.pod_capacity_rps;
  const KubeletMetrics& m = KubeletMetrics::Get();
  lease_renewals_ = AddCounter(m.lease_renewals);
  lease_failures_ = AddCounter(m.lease_renew_failures);
  pods_started_ = AddCounter(m.pods_started);
  pods_running_ = AddGauge(m.pods_running);
  pods_running_->BindReader([this]() { return static_cast<double>(pods_.size()); });
}

KubeletControlPlane::~KubeletControlPlane() = default;

void KubeletControlPlane::Start() {
  if (!registered_at_start_) {
    // An empty slot: no instance runs here until the cloud launches one.
    SetLifecycle(Lifecycle::kAbsent, "no instance");
    return;
  }
  PowerOn();
}

void KubeletControlPlane::PowerOn() { Up("instance running"); }

void KubeletControlPlane::OnPodStats(const PodStats& s) {
  if (s.resync) {
    PushPods();
    PushEndpoints();
    return;
  }
  stats_ = s;
}

void KubeletControlPlane::HandleCrash() {
  api_.reset();
  metrics_sock_.reset();
  metrics_endpoint_.reset();
  stats_ = PodStats();
  pods_.clear();
  service_pods_.clear();
  posting_ready_.clear();
  endpoints_armed_ = false;
  adopt_ = true;  // its containers survive: the restarted kubelet finds them running
}

void KubeletControlPlane::Up(const char* reason) {
  SetLifecycle(Lifecycle::kUp, reason);
  // The kubelet's QPS/burst defaults: 50 / 100 (KubeletConfiguration kubeAPIQPS, kubeAPIBurst).
  api_.reset(new ApiClient(net_, device(), "apiserver", 50, 100, [this]() { return running(); }));
  pods_.clear();
  service_pods_.clear();
  metrics_sock_.reset(new MessageSocket(net_, device(), kKubeletPort));
  metrics_endpoint_ = OpenMetricsEndpoint(net_, ctx().metrics, device(), kKubeletPort);
  metrics_sock_->OnReceive([this](uint32_t addr, uint16_t port, std::shared_ptr<const void> msg) {
    if (!running()) return;
    auto reply = std::make_shared<MetricsReply>();
    reply->id = std::static_pointer_cast<const MetricsScrape>(msg)->id;
    for (const auto& [pod, u] : stats_.utilization) {
      auto it = pods_.find(pod);
      if (it != pods_.end()) reply->pods.push_back({pod, it->second.obj->deployment, u});
    }
    metrics_sock_->Send(addr, port, reply->Bytes(), reply);
  });
  // At the start of a run every kubelet reconnects; they do so spread over a few seconds (after the network has
  // converged), as a running cluster's connections were not all made at one instant.
  SimTime connect = Clock::Now() == 0 ? std::uniform_int_distribution<SimTime>(500 * kMs, 3 * kSec)(rng()) : 0;
  After(connect, [this]() {
    api_->Watch(ObjectKind::kPod, device(), [this](const std::vector<ApiWatchBatch::Event>& ev, bool relist) {
      OnPods(ev, relist);
    });
    std::set<std::string> services;
    for (const auto& c : spec_.service_clients) services.insert(c.service);
    for (const auto& s : services) {
      api_->Watch(ObjectKind::kPod, OwnerFilter(s),
                  [this, s](const std::vector<ApiWatchBatch::Event>& ev, bool relist) { OnEndpoints(s, ev, relist); });
    }
  });
  if (Clock::Now() > 0 || !registered_at_start_) Register();
  // Kubelets renew at their own phase; spread the first renewal over one interval.
  std::uniform_int_distribution<SimTime> phase(500 * kMs, spec_.lease_renew - 1);
  After(phase(rng()), [this]() { RenewLease(); });
}

void KubeletControlPlane::PowerOff() {
  adopt_ = false;
  SetLifecycle(Lifecycle::kAbsent, "instance terminated");
  api_.reset();
  metrics_sock_.reset();
  metrics_endpoint_.reset();
  stats_ = PodStats();
  pods_.clear();
  service_pods_.clear();
  NodeProgram p;
  p.has_pods = p.has_endpoints = true;
  to_data_.Send(p);
}

void KubeletControlPlane::Register() {
  auto n = std::make_shared<ApiObject>();
  n->kind = ObjectKind::kNode;
  n->name = device();
  n->node_ready = true;
  n->max_pods = spec_.max_pods;
  n->ready_since = Clock::Now();
  ApiRequest req;
  req.verb = Verb::kCreate;
  req.kind = ObjectKind::kNode;
  req.obj = n;
  api_->Call(req, kCallTimeout, [this, n](const ApiResponse& r) {
    if (r.code == 201) {
      Emit("node.registered", "{}");
      return;
    }
    if (r.code == 409 && r.obj) {
      // A node of this name exists from an earlier instance: take it over, Ready.
      auto o = std::make_shared<ApiObject>(*r.obj);
      o->node_ready = true;
      o->unschedulable = false;
      o->ready_since = Clock::Now();
      ApiRequest up;
      up.verb = Verb::kUpdate;
      up.kind = ObjectKind::kNode;
      up.obj = o;
      up.resource_version = r.resource_version;
      api_->Call(up, kCallTimeout, [this](const ApiResponse& r2) {
        if (r2.code == 200) Emit("node.registered", "{}");
        else After(5 * kSec, [this]() { Register(); });
      });
      return;
    }
    After(5 * kSec, [this]() { Register(); });
  });
}

void KubeletControlPlane::RenewLease() {
  After(spec_.lease_renew, [this]() { RenewLease(); });
  auto l = std::make_shared<ApiObject>();
  l->kind = ObjectKind::kLease;
  l->name = device();
  l->renew_time = Clock::Now();
  ApiRequest req;
  req.verb = Verb::kUpdate;
  req.kind = ObjectKind::kLease;
  req.obj = l;
  ++interval_renewals_;
  // A renewal that takes longer than the renew interval is abandoned (the next one is due).
  api_->Call(req, spec_.lease_renew, [this](const ApiResponse& r) {
    if (r.code == 200 || r.code == 201) {
      lease_renewals_->Add();
    } else {
      lease_failures_->Add();
      ++interval_renew_failures_;
    }
  });
}

void KubeletControlPlane::OnPods(const std::vector<ApiWatchBatch::Event>& events, bool relist) {
  std::set<std::string> seen;
  for (const auto& e : events) {
    const std::string& name = e.obj->name;
    seen.insert(name);
    if (e.deleted) {
      if (pods_.erase(name)) PushPods();
      continue;
    }
    Running& r = pods_[name];
    r.obj = e.obj;
    r.rv = e.resource_version;
    // The run starts on a cluster that is already up: on its first list, the first instance of a slot finds its
    // pods running and ready (the containers survived the kubelet's reconnect).
    if (adopt_ && !r.started && e.obj->phase == PodPhase::kRunning && e.obj->pod_ready) {
      r.started = r.ready = true;
    }
    SyncPod(name);
    // The status manager: the API says not ready (the node-lifecycle controller marked it so while the node's
    // lease could not be renewed) but the probe says ready, so the kubelet posts Ready again.
    if (r.ready && !r.stopping && !e.obj->pod_ready && !e.obj->terminating && !posting_ready_.count(name)) {
      posting_ready_.insert(name);
      UpdatePod(name, [this, name](ApiObject& o) {
        o.pod_ready = true;
        posting_ready_.erase(name);
      });
    }
  }
  if (relist) adopt_ = false;
  if (relist) {
    bool changed = false;
    for (auto it = pods_.begin(); it != pods_.end();) {
      if (!seen.count(it->first)) { it = pods_.erase(it); changed = true; }
      else ++it;
    }
    if (changed) PushPods();
  }
  PushPods();
}

void KubeletControlPlane::SyncPod(const std::string& name) {
  auto it = pods_.find(name);
  if (it == pods_.end()) return;
  Running& r = it->second;
  if (r.obj->terminating) {
    if (r.stopping) return;
    r.stopping = true;
    // The pod keeps serving through its preStop drain, so kube-proxies everywhere drop the endpoint before
    // it goes away; then SIGTERM, and the container exits within terminationGracePeriodSeconds.
    SimTime exit = std::min<SimTime>(spec_.pod_drain + 1 * kSec, spec_.termination_grace);
    After(std::min(spec_.pod_drain, exit), [this, name]() {
      auto p = pods_.find(name);
      if (p == pods_.end()) return;
      p->second.ready = false;
      PushPods();
    });
    After(exit, [this, name]() {
      auto attempt = std::make_shared<std::function<void()>>();
      *attempt = [this, name, attempt]() {
        if (!pods_.count(name)) return;
        ApiRequest req;
        req.verb = Verb::kDelete;
        req.kind = ObjectKind::kPod;
        req.name = name;
        api_->Call(req, kCallTimeout, [this, name, attempt](const ApiResponse& r) {
          if (r.code == 200 || r.code == 404) {
            if (pods_.erase(name)) PushPods();
          } else {
            After(kRetry, [attempt]() { (*attempt)(); });
          }
        });
      };
      (*attempt)();
    });
    return;
  }
  if (r.started) return;
  r.started = true;
  pods_started_->Add();
  After(spec_.pod_startup, [this, name]() {
    if (!pods_.count(name)) return;
    UpdatePod(name, [](ApiObject& o) { o.phase = PodPhase::kRunning; });
    After(spec_.readiness_delay, [this, name]() {
      auto it = pods_.find(name);
      if (it == pods_.end() || it->second.stopping) return;
      it->second.ready = true;
      PushPods();
      UpdatePod(name, [](ApiObject& o) { o.pod_ready = true; });
    });
  });
}

void KubeletControlPlane::UpdatePod(const std::string& name, std::function<void(ApiObject&)> change) {
  auto it = pods_.find(name);
  if (it == pods_.end() || it->second.obj->terminating) return;
  auto o = std::make_shared<ApiObject>(*it->second.obj);
  change(*o);
  ApiRequest req;
  req.verb = Verb::kUpdate;
  req.kind = ObjectKind::kPod;
  req.obj = o;
  req.resource_version = it->second.rv;
  api_->Call(req, kCallTimeout, [this, name, change](const ApiResponse& r) {
    if (r.code == 200) {
      auto it2 = pods_.find(name);
      if (it2 != pods_.end() && r.resource_version > it2->second.rv) {
        it2->second.obj = r.obj;
        it2->second.rv = r.resource_version;
      }
      return;
    }
    if (r.code == 404) return;
    // A conflict or an error: the status is posted again with the newest object the watch brought.
    After(kRetry, [this, name, change]() { UpdatePod(name, change); });
  });
}

void KubeletControlPlane::OnEndpoints(const std::string& service, const std::vector<ApiWatchBatch::Event>& events,
                                      bool relist) {
  auto& pods = service_pods_[service];
  if (relist) pods.clear();  // a fresh list replaces the service's view, even when it is empty
  for (const auto& e : events) {
    if (e.deleted) pods.erase(e.obj->name);
    else pods[e.obj->name] = e.obj;
  }
  if (!endpoints_armed_) {
    endpoints_armed_ = true;
    After(kProxySync, [this]() { endpoints_armed_ = false; PushEndpoints(); });
  }
}

void KubeletControlPlane::PushPods() {
  NodeProgram p;
  p.has_pods = true;
  for (const auto& [name, r] : pods_) {
    if (!r.ready) continue;
    auto c = capacity_of_.find(r.obj->deployment);
    p.pods.push_back({name, r.obj->deployment, c == capacity_of_.end() ? 100.0 : c->second});
  }
  to_data_.Send(std::move(p));
}

void KubeletControlPlane::PushEndpoints() {
  NodeProgram p;
  p.has_endpoints = true;
  for (const auto& [service, pods] : service_pods_) {
    auto& list = p.endpoints[service];
    for (const auto& [name, o] : pods) {
      if (o->pod_ready && !o->terminating && !o->node.empty()) list.emplace_back(name, o->node);
    }
  }
  to_data_.Send(std::move(p));
}

Health KubeletControlPlane::MeasureHealth() {
  Health h = Health::kUp;
  if (interval_renewals_ > 0 && interval_renew_failures_ > 0) {
    h = interval_renew_failures_ >= interval_renewals_ ? Health::kDown : Health::kDegraded;
  }
  interval_renewals_ = interval_renew_failures_ = 0;
  return WithLifecycle(h);
}

}  // namespace planelab
