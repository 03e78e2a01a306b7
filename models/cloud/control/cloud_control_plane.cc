#include "models/cloud/control/cloud_control_plane.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "models/cloud/cloud_services_metrics.h"
#include "models/cloud/control/cloud_control_metrics.h"
#include "models/controller/control/cluster_bootstrap.h"
#include "models/node/node_device.h"
#include "sim/core/clock.h"
#include "sim/util/hash.h"

namespace planelab {

namespace {
// EC2 Auto Scaling checks its groups about every 10 s and retries failed launches with backoff.
constexpr SimTime kAsgPeriod = 10 * kSec;

std::string ApiOf(const std::string& resource_type) {
  if (resource_type == "instance") return "launch";
  if (resource_type == "iam-role") return "iam";
  if (resource_type == "lb-target") return "lb";
  return "volume";
}
}  // namespace

bool CloudServicesUsed(const Scenario& sc, const std::string& cloud_device) {
  const CloudSpec& c = sc.families.Get<ClusterSpec>().cloud;
  if (c.health_checks || !c.iam_changes.empty() || !c.iam_callers.empty() || !c.iac_runs.empty() || c.volumes > 0 ||
      !c.volume_attaches.empty() || c.requests_per_instance > 0) {
    return true;
  }
  for (const auto& f : sc.faults) {
    if (f.target == cloud_device &&
        (f.kind == "cloud-control-plane-outage" || f.kind == "iam-propagation-slow" || f.kind == "lb-data-plane-drop" ||
         f.kind == "volume-io-errors")) {
      return true;
    }
  }
  return false;
}

CloudControlPlane::CloudControlPlane(RunContext& ctx, const std::string& device, const ClusterSpec& spec,
                                     Ports to_data, bool services)
    : PlaneActor(ctx, device, Plane::kControl), spec_(spec), to_data_(to_data), services_(services),
      desired_(spec.nodes), iam_(spec.cloud.iam, ctx.seed ^ Fnv1a64(device + "/iam")) {
  const CloudControlMetrics& m = CloudControlMetrics::Get();
  launches_ = AddCounter(m.launches);
  launch_failures_ = AddCounter(m.launch_failures);
  retirements_ = AddCounter(m.retirements);
  api_latency_ = AddHistogram(m.api_latency);
  running_ = AddGauge(m.instances_running);
  running_->BindReader([this]() {
    double n = 0;
    for (const auto& [k, s] : slots_) n += s.state == Slot::kRunning ? 1 : 0;
    return n;
  });
  if (services_) {
    const CloudServicesControlMetrics& s = CloudServicesControlMetrics::Get();
    for (const auto& api : CloudApiNames()) {
      api_requests_[api] = AddCounter(s.api_requests.Instance(api));
      api_errors_[api] = AddCounter(s.api_errors.Instance(api));
      api_call_latency_[api] = AddHistogram(s.api_call_latency.Instance(api));
    }
    iam_effective_ = AddCounter(s.iam_changes_effective);
    iam_latency_ = AddHistogram(s.iam_change_latency);
    iam_pending_gauge_ = AddGauge(s.iam_changes_pending);
    iac_ok_ = AddCounter(s.iac_runs_succeeded);
    iac_failed_ = AddCounter(s.iac_runs_failed);
    iac_duration_ = AddHistogram(s.iac_run_duration);
    registered_gauge_ = AddGauge(s.targets_registered);
    registered_gauge_->BindReader([this]() { return static_cast<double>(registered_.size()); });
    desired_gauge_ = AddGauge(s.desired_instances);
    desired_gauge_->BindReader([this]() { return static_cast<double>(desired_); });
    volumes_gauge_ = AddGauge(s.volumes_attached);
    volumes_gauge_->BindReader([this]() { return static_cast<double>(volumes_.size()); });
  }
  for (uint32_t i = 1; i <= spec.nodes + spec.spare_slots; ++i) {
    std::string name = NodeSlotName(i);
    order_.push_back(name);
    Instance in;
    if (i <= spec.nodes) {
      in.state = Slot::kRunning;
      registered_.insert(name);  // registered with the load balancer before the run
      // Instances were launched at different times before the run: their retirements are spread evenly.
      if (spec.node_lifetime > 0) in.retire_at = spec.node_lifetime * static_cast<SimTime>(i) / spec.nodes;
    }
    slots_[name] = in;
  }
  for (uint32_t v = 1; v <= spec.cloud.volumes; ++v) volumes_.insert("vol-" + std::to_string(v));
  // The operators' and the pipeline's calls happen on their clock.
  for (const IamChangeSpec& ch : spec.cloud.iam_changes) {
    Clock::After(ch.at, [this, ch]() { if (running()) AskIam(ch, Clock::Now()); });
  }
  for (const IacRunSpec& run : spec.cloud.iac_runs) {
    Clock::After(run.at, [this, run]() { if (running()) StartIacRun(run); });
  }
  for (const VolumeAttachSpec& a : spec.cloud.volume_attaches) {
    Clock::After(a.at, [this, a]() { if (running()) Attach(a.volume); });
  }
}

void CloudControlPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  for (const auto& [name, in] : slots_) {
    if (in.retire_at >= 0 && in.state == Slot::kRunning) {
      std::string n = name;
      // After a restart, a retirement that fell in the outage happens at once.
      After(std::max<SimTime>(0, in.retire_at - Clock::Now()), [this, n]() { Retire(n); });
    }
  }
  PublishTargets();
  After(kAsgPeriod, [this]() { Reconcile(); });
}

void CloudControlPlane::HandleCrash() {
  // Launches in flight are lost with the process that tracked them: their slots are empty again.
  for (auto& [name, in] : slots_) {
    if (in.state == Slot::kBooting) in.state = Slot::kEmpty;
  }
}

void CloudControlPlane::PublishTargets() {
  LbTargets t;
  for (const auto& name : order_) {
    if (registered_.count(name)) t.nodes.push_back(name);
  }
  to_data_.targets.Send(std::move(t));
}

void CloudControlPlane::Call(const std::string& api, SimTime timeout, std::function<void(bool)> done) {
  api_requests_.at(api)->Add();
  auto it = outage_.find(api);
  bool fail = it != outage_.end();
  SimTime latency = spec_.cloud_api_latency;
  if (fail && it->second == "timeouts") latency = std::min(timeout, spec_.cloud.api_timeout);
  After(latency, [this, api, fail, latency, done]() {
    api_call_latency_.at(api)->Observe(ToSeconds(latency));
    ++interval_calls_;
    if (fail) {
      ++interval_failed_;
      api_errors_.at(api)->Add();
    }
    done(!fail);
  });
}

void CloudControlPlane::Register(const std::string& slot, bool on) {
  if (!services_) {
    // Without the services modelled, registration is the instance API's side effect, as before.
    if (on) registered_.insert(slot); else registered_.erase(slot);
    PublishTargets();
    return;
  }
  // RegisterTargets / DeregisterTargets through the load balancer's API; the group retries a failed call.
  Call("lb", spec_.cloud.api_timeout, [this, slot, on](bool ok) {
    bool want = slots_[slot].state == Slot::kRunning;
    if (want != on) return;  // overtaken by a later change of the instance
    if (!ok) {
      Emit(on ? "lb.register-failed" : "lb.deregister-failed", nlohmann::json({{"instance", slot}}).dump());
      After(spec_.cloud.retry_interval, [this, slot, on]() { Register(slot, on); });
      return;
    }
    if (on) registered_.insert(slot); else registered_.erase(slot);
    PublishTargets();
  });
}

void CloudControlPlane::Retire(const std::string& slot) {
  Instance& in = slots_[slot];
  if (in.state != Slot::kRunning) return;
  in.state = Slot::kEmpty;
  retirements_->Add();
  Emit("instance.retired", "{\"instance\":\"" + slot + "\"}");
  InstancePower::For(ctx()).Set(slot, false);
  Register(slot, false);
}

void CloudControlPlane::OnLoad(const LbLoad& l) {
  if (spec_.cloud.requests_per_instance <= 0) return;
  // Target tracking (ALBRequestCountPerTarget): as many instances as keep each at the target, within the group.
  double want = std::ceil(l.rps / spec_.cloud.requests_per_instance);
  uint32_t max = spec_.nodes + spec_.spare_slots;
  desired_ = static_cast<uint32_t>(std::min<double>(max, std::max<double>(spec_.nodes, want)));
}

void CloudControlPlane::Reconcile() {
  After(kAsgPeriod, [this]() { Reconcile(); });
  uint32_t live = 0;
  for (const auto& [k, s] : slots_) live += s.state != Slot::kEmpty ? 1 : 0;
  if (live >= desired_) return;
  for (const auto& name : order_) {
    if (slots_[name].state == Slot::kEmpty) {
      Launch(name);
      return;  // one launch per period, as a group scales out step by step
    }
  }
}

void CloudControlPlane::Launch(const std::string& slot) {
  // A call is counted with its outcome, in the interval it ends in (with the services modelled; the instance API
  // alone keeps its earlier accounting, at the call, so the scenarios recorded before stay as they were).
  if (!services_) ++interval_calls_;
  SimTime latency = spec_.cloud_api_latency + extra_latency_;
  std::uniform_real_distribution<double> u(0, 1);
  bool fails = u(rng()) < error_rate_;
  auto out = outage_.find("launch");
  if (out != outage_.end()) {
    fails = true;
    if (out->second == "timeouts") latency = spec_.cloud.api_timeout;
  }
  if (services_) api_requests_.at("launch")->Add();
  slots_[slot].state = Slot::kBooting;
  After(latency, [this, slot, fails, latency]() {
    api_latency_->Observe(ToSeconds(latency));
    if (services_) {
      ++interval_calls_;
      api_call_latency_.at("launch")->Observe(ToSeconds(latency));
    }
    if (fails) {
      slots_[slot].state = Slot::kEmpty;
      launch_failures_->Add();
      if (services_) api_errors_.at("launch")->Add();
      ++interval_failed_;
      Emit("instance.launch-failed", "{\"instance\":\"" + slot + "\"}");
      return;
    }
    launches_->Add();
    Emit("instance.launched", "{\"instance\":\"" + slot + "\"}");
    After(spec_.instance_boot, [this, slot]() {
      Instance& in = slots_[slot];
      if (in.state != Slot::kBooting) return;
      in.state = Slot::kRunning;
      if (spec_.node_lifetime > 0) {
        in.retire_at = Clock::Now() + spec_.node_lifetime;
        After(spec_.node_lifetime, [this, slot]() { Retire(slot); });
      }
      InstancePower::For(ctx()).Set(slot, true);
      Register(slot, true);
    });
  });
}

void CloudControlPlane::AskIam(IamChangeSpec ch, SimTime first_asked) {
  if (first_asked == Clock::Now()) {
    ++iam_pending_;
    iam_pending_gauge_->Set(iam_pending_);
  }
  Call("iam", spec_.cloud.api_timeout, [this, ch, first_asked](bool ok) {
    if (!ok) {
      // The operator (or the deploy script) tries again.
      After(spec_.cloud.retry_interval, [this, ch, first_asked]() { AskIam(ch, first_asked); });
      return;
    }
    SimTime now = Clock::Now();
    SimTime at = ch.grant ? iam_.Grant(ch.role, now) : iam_.Revoke(ch.role, now);
    Emit("iam.change-accepted", nlohmann::json({{"role", ch.role}, {"action", ch.grant ? "grant" : "revoke"},
                                                {"effective_in_s", ToSeconds(at - now)}}).dump());
    // Distribution to the replicas is IAM's own machinery: it goes on whatever this process does.
    Clock::After(at - now, [this, ch, first_asked]() {
      to_data_.iam.Send({ch.role, ch.grant});
      iam_effective_->Add();
      iam_latency_->Observe(ToSeconds(Clock::Now() - first_asked));
      --iam_pending_;
      iam_pending_gauge_->Set(iam_pending_);
    });
  });
}

void CloudControlPlane::StartIacRun(const IacRunSpec& run) {
  SimTime now = Clock::Now();
  if (iac_ && iac_->outcome() == cloud::ApplyRun::Outcome::kRunning) {
    // Terraform: "Error acquiring the state lock" - the run before still holds it.
    iac_failed_->Add();
    Emit("iac.run", nlohmann::json({{"outcome", "failed"}, {"why", "state locked by the run before"}}).dump());
    return;
  }
  std::vector<cloud::Action> plan = cloud::Plan(run.resources, managed_);
  nlohmann::json actions = nlohmann::json::array();
  for (const auto& a : plan) actions.push_back(std::string(cloud::ToString(a.kind)) + " " + a.resource.type + "." + a.resource.name);
  Emit("iac.plan", nlohmann::json({{"actions", actions}}).dump());
  iac_.reset(new cloud::ApplyRun(std::move(plan), spec_.cloud.iac, now));
  iac_started_ = now;
  After(spec_.cloud.iac.run_timeout, [this]() { DriveIac(); });
  DriveIac();
}

void CloudControlPlane::DriveIac() {
  if (!iac_) return;
  SimTime now = Clock::Now();
  SimTime wait = -1;
  const cloud::Action* a = iac_->Next(now, &wait);
  if (a) {
    cloud::Action act = *a;
    Call(ApiOf(act.resource.type), spec_.cloud.iac.call_timeout, [this, act](bool ok) {
      if (!iac_) return;
      if (ok) {
        auto same = [&](const cloud::Resource& r) { return r.type == act.resource.type && r.name == act.resource.name; };
        managed_.erase(std::remove_if(managed_.begin(), managed_.end(), same), managed_.end());
        if (act.kind != cloud::Action::Kind::kDelete) managed_.push_back(act.resource);
        if (act.kind == cloud::Action::Kind::kCreate && act.resource.type == "volume") {
          volumes_.insert(act.resource.name);
          to_data_.volumes.Send({act.resource.name, true});
        }
        if (act.kind == cloud::Action::Kind::kCreate && act.resource.type == "iam-role") {
          SimTime at = iam_.Grant(act.resource.name, Clock::Now());
          std::string role = act.resource.name;
          Clock::After(at - Clock::Now(), [this, role]() { to_data_.iam.Send({role, true}); });
        }
      }
      iac_->Result(ok, Clock::Now());
      DriveIac();
    });
    return;
  }
  if (iac_->outcome() != cloud::ApplyRun::Outcome::kRunning) {
    bool ok = iac_->outcome() == cloud::ApplyRun::Outcome::kSucceeded;
    (ok ? iac_ok_ : iac_failed_)->Add();
    iac_duration_->Observe(ToSeconds(now - iac_started_));
    Emit("iac.run", nlohmann::json({{"outcome", ok ? "succeeded" : "failed"}, {"why", iac_->why()},
                                    {"actions_done", iac_->done()}, {"failed_calls", iac_->failed_calls()}}).dump());
    iac_.reset();
    return;
  }
  if (wait > now) After(wait - now, [this]() { DriveIac(); });
}

void CloudControlPlane::Attach(const std::string& volume) {
  Call("volume", spec_.cloud.api_timeout, [this, volume](bool ok) {
    if (!ok) {
      After(spec_.cloud.retry_interval, [this, volume]() { Attach(volume); });
      return;
    }
    volumes_.insert(volume);
    to_data_.volumes.Send({volume, true});
  });
}

void CloudControlPlane::SetDegraded(double error_rate, SimTime extra_latency) {
  error_rate_ = error_rate;
  extra_latency_ = extra_latency;
}

void CloudControlPlane::SetOutage(const std::vector<std::string>& apis, const std::string& mode, bool on) {
  std::vector<std::string> which = apis.empty() ? CloudApiNames() : apis;
  for (const auto& a : which) {
    if (on) outage_[a] = mode; else outage_.erase(a);
  }
}

Health CloudControlPlane::MeasureHealth() {
  Health h = HealthFromFailures(static_cast<double>(interval_failed_), static_cast<double>(interval_calls_));
  interval_calls_ = interval_failed_ = 0;
  return WithLifecycle(h);
}

}  // namespace planelab
