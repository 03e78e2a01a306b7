#include "models/apiserver/mgmt/kubectl_mgmt_plane.h"

#include "models/apiserver/mgmt/kubectl_metrics.h"
#include "models/client/api_client.h"
#include "sim/core/clock.h"

namespace planelab {

namespace {
// How often the operator's terminal refreshes `kubectl get nodes` (a `watch -n 10`).
constexpr SimTime kRefresh = 10 * kSec;
// kubectl's own request timeout is unset by default; operators give up and retry after about this long.
constexpr SimTime kPatience = 30 * kSec;
constexpr SimTime kRetry = 5 * kSec;
// A dashboard that has not refreshed for this long no longer says anything.
constexpr SimTime kStale = 30 * kSec;
}  // namespace

KubectlMgmtPlane::KubectlMgmtPlane(RunContext& ctx, const std::string& device, const ClusterSpec& spec, Network& net,
                                   const MeshSpec& mesh)
    : PlaneActor(ctx, device, Plane::kManagement), spec_(spec), net_(net), mesh_(mesh),
      rule_applied_(mesh.virtual_services.size(), false), rule_asked_(mesh.virtual_services.size(), false) {
  const KubectlMgmtMetrics& m = KubectlMgmtMetrics::Get();
  requests_ = AddCounter(m.kubectl_requests);
  errors_ = AddCounter(m.kubectl_errors);
  latency_ = AddHistogram(m.kubectl_latency);
  nodes_ready_ = AddGauge(m.nodes_ready);
  rollouts_in_progress_ = AddGauge(m.rollouts_in_progress);
  rollout_seconds_ = AddGauge(m.rollout_duration);
  for (const auto& r : spec.rollouts) rollouts_.push_back({&r});
  rollouts_in_progress_->BindReader([this]() {
    double n = 0;
    for (const auto& r : rollouts_) n += (r.requested >= 0 && r.done < 0) ? 1 : 0;
    return n;
  });
}

KubectlMgmtPlane::~KubectlMgmtPlane() = default;

void KubectlMgmtPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  api_.reset(new ApiClient(net_, device(), device(), 5, 10, [this]() { return running(); }));
  After(kRefresh, [this]() { GetNodes(); });
  for (size_t i = 0; i < rule_applied_.size(); ++i) {
    if (rule_applied_[i]) continue;
    SimTime wait = rule_asked_[i] ? 0 : std::max<SimTime>(0, mesh_.virtual_services[i].at - Clock::Now());
    After(wait, [this, i]() {
      if (!rule_asked_[i]) {
        rule_asked_[i] = true;
        Emit("kubectl.apply", "{\"virtualservice\":\"" + mesh_.virtual_services[i].host + "\",\"rule\":" +
                                  std::to_string(i) + "}");
      }
      ApplyRule(i);
    });
  }
  for (size_t i = 0; i < rollouts_.size(); ++i) {
    // After a restart: a rollout already asked for is taken up where it was, one still to come waits its time.
    const Rollout& ro = rollouts_[i];
    if (ro.requested >= 0) {
      if (ro.accepted < 0) After(0, [this, i]() { TryRollout(i); });
      else if (ro.done < 0) After(0, [this, i]() { CheckRollout(i); });
      continue;
    }
    After(std::max<SimTime>(0, ro.spec->at - Clock::Now()), [this, i]() {
      rollouts_[i].requested = Clock::Now();
      Emit("rollout.requested", "{\"deployment\":\"" + rollouts_[i].spec->deployment + "\"}");
      TryRollout(i);
    });
  }
}

void KubectlMgmtPlane::HandleCrash() {
  api_.reset();
  nodes_.clear();
  nodes_seen_ = -1;
  api_ok_ = true;
}

void KubectlMgmtPlane::Observe(const ApiResponse& r, SimTime started) {
  requests_->Add();
  ++interval_requests_;
  latency_->Observe(ToSeconds(Clock::Now() - started));
  bool bad = r.code == 429 || r.code >= 500;
  api_ok_ = !bad;
  if (bad) {
    errors_->Add();
    ++interval_errors_;
  }
}

void KubectlMgmtPlane::Kubectl(ApiRequest req, std::function<void(const ApiResponse&)> then) {
  SimTime started = Clock::Now();
  api_->Call(std::move(req), kPatience, [this, started, then](const ApiResponse& r) {
    Observe(r, started);
    then(r);
  });
}

void KubectlMgmtPlane::GetDeployment(size_t i, std::function<void(const ApiResponse&)> then) {
  ApiRequest get;
  get.verb = Verb::kGet;
  get.kind = ObjectKind::kDeployment;
  get.name = rollouts_[i].spec->deployment;
  Kubectl(std::move(get), std::move(then));
}

void KubectlMgmtPlane::GetNodes() {
  ApiRequest req;
  req.verb = Verb::kList;
  req.kind = ObjectKind::kNode;
  Kubectl(std::move(req), [this](const ApiResponse& r) {
    if (r.code != 200) return;
    nodes_.clear();
    uint32_t ready = 0;
    for (const auto& [o, rv] : r.items) {
      nodes_[o->name] = o->node_ready;
      ready += o->node_ready ? 1 : 0;
    }
    nodes_ready_->Set(ready);
    nodes_seen_ = Clock::Now();
  });
  After(kRefresh, [this]() { GetNodes(); });
}

void KubectlMgmtPlane::ApplyRule(size_t i) {
  const VirtualServiceSpec& v = mesh_.virtual_services[i];
  ApiRequest get;
  get.verb = Verb::kGet;
  get.kind = ObjectKind::kVirtualService;
  get.name = v.host;
  Kubectl(std::move(get), [this, i](const ApiResponse& r) {
    const VirtualServiceSpec& v = mesh_.virtual_services[i];
    if (r.code != 200 && r.code != 404) {
      After(kRetry, [this, i]() { ApplyRule(i); });
      return;
    }
    auto o = std::make_shared<ApiObject>();
    o->kind = ObjectKind::kVirtualService;
    o->name = v.host;
    for (const auto& w : v.routes) o->routes.emplace_back(w.cluster, w.weight);
    o->route_timeout = v.timeout;
    o->retry_attempts = v.retry_attempts;
    o->created = Clock::Now();
    ApiRequest put;
    put.verb = r.code == 200 ? Verb::kUpdate : Verb::kCreate;
    put.kind = ObjectKind::kVirtualService;
    put.name = v.host;
    put.obj = o;
    put.resource_version = r.code == 200 ? r.resource_version : 0;
    Kubectl(std::move(put), [this, i](const ApiResponse& r2) {
      if (r2.code != 200 && r2.code != 201) {
        After(kRetry, [this, i]() { ApplyRule(i); });
        return;
      }
      rule_applied_[i] = true;
      Emit("kubectl.applied", "{\"virtualservice\":\"" + mesh_.virtual_services[i].host + "\",\"rule\":" +
                                  std::to_string(i) + "}");
    });
  });
}

void KubectlMgmtPlane::TryRollout(size_t i) {
  // `kubectl set image` reads the deployment and writes it back with a new template (a new revision).
  GetDeployment(i, [this, i](const ApiResponse& r) {
    if (r.code != 200 || !r.obj) {
      After(kRetry, [this, i]() { TryRollout(i); });
      return;
    }
    auto d = std::make_shared<ApiObject>(*r.obj);
    d->revision += 1;
    d->revision_changed = Clock::Now();
    d->updated_replicas = 0;
    ApiRequest up;
    up.verb = Verb::kUpdate;
    up.kind = ObjectKind::kDeployment;
    up.name = d->name;
    up.obj = d;
    up.resource_version = r.resource_version;
    uint32_t revision = d->revision;
    Kubectl(std::move(up), [this, i, revision](const ApiResponse& r2) {
      if (r2.code != 200) {
        After(kRetry, [this, i]() { TryRollout(i); });
        return;
      }
      rollouts_[i].accepted = Clock::Now();
      rollouts_[i].revision = revision;
      Emit("rollout.accepted", "{\"deployment\":\"" + rollouts_[i].spec->deployment + "\",\"revision\":" +
                                   std::to_string(revision) + "}");
      After(kRetry, [this, i]() { CheckRollout(i); });
    });
  });
}

void KubectlMgmtPlane::CheckRollout(size_t i) {
  // `kubectl rollout status`: done when every replica is of the new revision and ready.
  GetDeployment(i, [this, i](const ApiResponse& r) {
    Rollout& ro = rollouts_[i];
    if (r.code == 200 && r.obj && r.obj->revision == ro.revision && r.obj->updated_replicas == r.obj->replicas &&
        r.obj->ready_replicas == r.obj->replicas) {
      ro.done = Clock::Now();
      rollout_seconds_->Set(ToSeconds(ro.done - ro.requested));
      Emit("rollout.complete", "{\"deployment\":\"" + ro.spec->deployment + "\",\"seconds\":" +
                                   std::to_string(ToSeconds(ro.done - ro.requested)) + "}");
      return;
    }
    After(kRetry, [this, i]() { CheckRollout(i); });
  });
}

Health KubectlMgmtPlane::MeasureHealth() {
  // Operators notice a single failed kubectl call: any failure degrades.
  Health h = HealthFromFailures(static_cast<double>(interval_errors_), static_cast<double>(interval_requests_), 0.0);
  interval_requests_ = interval_errors_ = 0;
  return WithLifecycle(h);
}

Health KubectlMgmtPlane::Reported(const std::string& device, Plane plane) const {
  if (nodes_seen_ < 0 || Clock::Now() - nodes_seen_ > kStale) return Health::kUnknown;
  auto it = nodes_.find(device);
  if (it != nodes_.end()) return it->second ? Health::kUp : Health::kDown;
  if (device == this->device() && plane == Plane::kControl) return api_ok_ ? Health::kUp : Health::kDown;
  return Health::kUnknown;
}

}  // namespace planelab
