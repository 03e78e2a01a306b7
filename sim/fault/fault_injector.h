// Applies the scenario's fault timeline, only through hooks that devices and links register.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/event_bus.h"
#include "sim/scenario/scenario.h"

namespace planelab {

/// Schedules each fault's start and end and calls the hook registered for (target, kind).
/// Models register hooks on their own ports and lifecycles; the injector never reaches inside.
class FaultInjector {
 public:
  /// `on` is true at `at` and false at `until`.
  using Hook = std::function<void(const FaultSpec& fault, bool on)>;

  explicit FaultInjector(EventBus& events) : events_(events) {}
  /// A second hook for the same (target, kind) runs after the first.
  void Register(const std::string& target, const std::string& kind, Hook hook);
  /// Registers the hook of kind P::kKind (P: its parameter struct, fault_kinds.h): the hook gets the params the
  /// loader parsed, never their text.
  template <class P>
  void On(const std::string& target, std::function<void(const P& params, bool on)> hook) {
    Register(target, P::kKind, [hook = std::move(hook)](const FaultSpec& f, bool on) {
      const P* p = std::any_cast<P>(&f.parsed);
      if (!p) throw std::logic_error("fault \"" + f.kind + "\" on \"" + f.target + "\" reached its hook unparsed");
      hook(*p, on);
    });
  }
  bool Has(const std::string& target, const std::string& kind) const;
  /// Schedules every fault; throws std::runtime_error if a fault has no hook (a model gap) or if params the loader
  /// did not parse (a fault built in code) do not parse.
  void Schedule(std::vector<FaultSpec> faults);

 private:
  void Apply(const FaultSpec& f, bool on);
  EventBus& events_;
  std::map<std::pair<std::string, std::string>, Hook> hooks_;
};

class PlaneActor;

/// The crash kinds of one device, served by its plane actors' lifecycle operations (PlaneActor::Crash at `at`,
/// Restart at `until`), so every device kind has them without a hook of its own: plane-crash (the plane its
/// `plane` param names) and each kind the catalogue declares as a crash of planes of `device_kind`
/// (bgp-daemon-crash, store-member-crash), which crashes them in its order and restarts them in reverse.
void RegisterCrashFaults(FaultInjector& faults, const std::string& device, const std::string& device_kind,
                         std::vector<PlaneActor*> planes);

/// Runs `fn` now but behind every event already due at this instant, among them the sample that closes
/// the interval ending now: a fault change at t belongs to the interval after t (docs/scenarios.md).
void AfterSamplesDueNow(std::function<void()> fn);

/// For periodic faults (flaps): runs `tick` now and then every `period` while `*generation` keeps the
/// value it has now; the fault's hook bumps the generation when the fault starts again or ends.
void RepeatWhileCurrent(SimTime period, std::shared_ptr<const uint64_t> generation, std::function<void()> tick);

}  // namespace planelab
