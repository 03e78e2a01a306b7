#include "models/cloud/control/cloud_control_plane.h"

#include "models/cloud/control/cloud_control_metrics.h"
#include "models/controller/control/cluster_bootstrap.h"
#include "models/node/node_device.h"
#include "sim/core/clock.h"

namespace planelab {

namespace {
// EC2 Auto Scaling checks its groups about every 10 s and retries failed launches with backoff.
constexpr SimTime kAsgPeriod = 10 * kSec;
}  // namespace

CloudControlPlane::CloudControlPlane(RunContext& ctx, const std::string& device, const ClusterSpec& spec,
                                     Port<LbTargets>& to_data)
    : PlaneActor(ctx, device, Plane::kControl), spec_(spec), to_data_(to_data) {
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
  for (uint32_t i = 1; i <= spec.nodes + spec.spare_slots; ++i) {
    std::string name = NodeSlotName(i);
    order_.push_back(name);
    Instance in;
    if (i <= spec.nodes) {
      in.state = Slot::kRunning;
      // Instances were launched at different times before the run: their retirements are spread evenly.
      if (spec.node_lifetime > 0) in.retire_at = spec.node_lifetime * static_cast<SimTime>(i) / spec.nodes;
    }
    slots_[name] = in;
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
    if (slots_[name].state == Slot::kRunning) t.nodes.push_back(name);
  }
  to_data_.Send(std::move(t));
}

void CloudControlPlane::Retire(const std::string& slot) {
  Instance& in = slots_[slot];
  if (in.state != Slot::kRunning) return;
  in.state = Slot::kEmpty;
  retirements_->Add();
  Emit("instance.retired", "{\"instance\":\"" + slot + "\"}");
  InstancePower::For(ctx()).Set(slot, false);
  PublishTargets();
}

void CloudControlPlane::Reconcile() {
  After(kAsgPeriod, [this]() { Reconcile(); });
  uint32_t live = 0;
  for (const auto& [k, s] : slots_) live += s.state != Slot::kEmpty ? 1 : 0;
  if (live >= spec_.nodes) return;
  for (const auto& name : order_) {
    if (slots_[name].state == Slot::kEmpty) {
      Launch(name);
      return;  // one launch per period, as a group scales out step by step
    }
  }
}

void CloudControlPlane::Launch(const std::string& slot) {
  ++interval_calls_;
  SimTime latency = spec_.cloud_api_latency + extra_latency_;
  std::uniform_real_distribution<double> u(0, 1);
  bool fails = u(rng()) < error_rate_;
  slots_[slot].state = Slot::kBooting;
  After(latency, [this, slot, fails, latency]() {
    api_latency_->Observe(ToSeconds(latency));
    if (fails) {
      slots_[slot].state = Slot::kEmpty;
      launch_failures_->Add();
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
      PublishTargets();
    });
  });
}

void CloudControlPlane::SetDegraded(double error_rate, SimTime extra_latency) {
  error_rate_ = error_rate;
  extra_latency_ = extra_latency;
}

Health CloudControlPlane::MeasureHealth() {
  Health h = HealthFromFailures(static_cast<double>(interval_failed_), static_cast<double>(interval_calls_));
  interval_calls_ = interval_failed_ = 0;
  return WithLifecycle(h);
}

}  // namespace planelab
