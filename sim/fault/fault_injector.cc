#include "sim/fault/fault_injector.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "sim/core/clock.h"
#include "sim/core/plane_actor.h"
#include "sim/fault/fault_catalog.h"

namespace planelab {

void FaultInjector::Register(const std::string& target, const std::string& kind, Hook hook) {
  // A fault two models take part in (backbone-routing-outage: the router's crash and the station's in-band path)
  // has one hook per model, run in the order they registered.
  auto it = hooks_.find({target, kind});
  if (it == hooks_.end()) {
    hooks_[{target, kind}] = std::move(hook);
    return;
  }
  it->second = [first = std::move(it->second), second = std::move(hook)](const FaultSpec& f, bool on) {
    first(f, on);
    second(f, on);
  };
}

bool FaultInjector::Has(const std::string& target, const std::string& kind) const {
  return hooks_.count({target, kind}) > 0;
}

void FaultInjector::Schedule(std::vector<FaultSpec> faults) {
  for (auto& f : faults) {
    if (!Has(f.target, f.kind)) {
      throw std::runtime_error("no device or link \"" + f.target + "\" accepts fault \"" + f.kind + "\"");
    }
    const FaultKind* kind = FindFaultKind(f.kind);
    if (kind && !f.parsed.has_value()) {
      FaultProblems problems;
      f.parsed = kind->parse(f.params, problems);
      for (const auto& [param, message] : problems.items()) {
        throw std::runtime_error("fault \"" + f.kind + "\" on \"" + f.target + "\": " + message);
      }
    }
  }
  // A sample taken at t describes the interval ending at t, so a fault at t must apply after that
  // sample: the second, zero-delay hop queues it behind every event already due at t.
  for (const auto& f : faults) {
    Clock::After(f.at, [this, f]() { AfterSamplesDueNow([this, f]() { Apply(f, true); }); });
    if (f.until) Clock::After(*f.until, [this, f]() { AfterSamplesDueNow([this, f]() { Apply(f, false); }); });
  }
}

void FaultInjector::Apply(const FaultSpec& f, bool on) {
  const FaultKind* kind = FindFaultKind(f.kind);
  nlohmann::json d = {{"kind", f.kind}, {"target", f.target}};
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : f.params) params[k] = v;
  d["params"] = params;
  if (f.until) d["until_s"] = ToSeconds(*f.until);
  // A kind without a plane of its own (plane-crash) hits the one its `plane` param names.
  std::string plane = kind ? kind->plane : "";
  if (kind && plane.empty() && f.params.count("plane")) plane = f.params.at("plane");
  events_.Emit(f.target, plane, on ? "fault.start" : "fault.end", d.dump());
  hooks_.at({f.target, f.kind})(f, on);
}

void RegisterCrashFaults(FaultInjector& faults, const std::string& device, const std::string& device_kind,
                         std::vector<PlaneActor*> planes) {
  auto apply = [planes](const std::vector<std::string>& which, bool on, const std::string& reason) {
    std::vector<PlaneActor*> hit;
    for (const auto& name : which) {
      for (PlaneActor* a : planes) {
        if (ToString(a->plane()) == name) hit.push_back(a);
      }
    }
    if (on) {
      for (PlaneActor* a : hit) a->Crash(reason);
    } else {
      for (auto it = hit.rbegin(); it != hit.rend(); ++it) (*it)->Restart();
    }
  };
  faults.On<PlaneCrashParams>(device, [apply](const PlaneCrashParams& p, bool on) {
    apply({p.plane}, on, PlaneCrashParams::kKind);
  });
  for (const FaultKind& k : FaultCatalog()) {
    if (k.crashes.empty() || k.target != device_kind) continue;
    std::vector<std::string> which = k.crashes;
    std::string reason = k.name;  // the lifecycle event names the kind, as the daemons' own crashes did
    faults.Register(device, k.name, [apply, which, reason](const FaultSpec&, bool on) { apply(which, on, reason); });
  }
}

void AfterSamplesDueNow(std::function<void()> fn) { Clock::After(0, std::move(fn)); }

namespace {
void RepeatStep(SimTime period, std::shared_ptr<const uint64_t> generation, uint64_t gen,
                std::shared_ptr<const std::function<void()>> tick) {
  if (gen != *generation) return;
  (*tick)();
  // Every repetition follows the rule of the first change: it applies after the sample due at its time.
  Clock::After(period, [period, generation, gen, tick]() {
    AfterSamplesDueNow([period, generation, gen, tick]() { RepeatStep(period, generation, gen, tick); });
  });
}
}  // namespace

void RepeatWhileCurrent(SimTime period, std::shared_ptr<const uint64_t> generation, std::function<void()> tick) {
  uint64_t gen = *generation;
  RepeatStep(period, std::move(generation), gen, std::make_shared<const std::function<void()>>(std::move(tick)));
}

}  // namespace planelab
