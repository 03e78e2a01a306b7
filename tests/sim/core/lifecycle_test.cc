// Issue 13: crash and restart are lifecycle operations of every plane actor, and the crash kinds are served by
// them for any device (plane-crash, and the per-daemon kinds as crashes of named planes).
#include <gtest/gtest.h>
#include <ns3/simulator.h>

#include <string>
#include <vector>

#include "sim/core/clock.h"
#include "sim/core/plane_actor.h"
#include "sim/fault/fault_catalog.h"
#include "sim/fault/fault_injector.h"

namespace planelab {

namespace {

/// A plane of a family that knows nothing of faults: a periodic timer, a HandleCrash that logs.
class Toy : public PlaneActor {
 public:
  Toy(RunContext& ctx, Plane p, std::vector<std::string>* log) : PlaneActor(ctx, "d1", p), log_(log) {}
  void Start() override {
    SetLifecycle(Lifecycle::kUp, "start");
    log_->push_back(std::string("start ") + ToString(plane()));
    Tick();
  }
  Health MeasureHealth() override { return WithLifecycle(Health::kUp); }
  int ticks = 0;

 protected:
  void HandleCrash() override { log_->push_back(std::string("crash ") + ToString(plane())); }

 private:
  void Tick() {
    After(1 * kSec, [this]() {
      ++ticks;
      Tick();
    });
  }
  std::vector<std::string>* log_;
};

FaultSpec Fault(const std::string& kind, SimTime at, SimTime until, FaultParamText params = {}) {
  FaultSpec f;
  f.at = at;
  f.until = until;
  f.target = "d1";
  f.kind = kind;
  f.params = std::move(params);
  return f;
}

}  // namespace

TEST(Lifecycle, CrashVoidsTimersAndRestartStartsAgain) {
  Clock::Configure(1);
  RunContext ctx;
  std::vector<std::string> log;
  std::vector<std::string> reasons;
  ctx.events.Subscribe([&reasons](const TraceEvent& e) {
    if (e.kind == "lifecycle") reasons.push_back(e.detail);
  });
  Toy a(ctx, Plane::kControl, &log);
  Clock::After(0, [&]() { a.Start(); });
  Clock::After(2500 * kMs, [&]() { a.Crash("plane-crash"); });
  Health during = Health::kUp;
  Clock::After(3 * kSec, [&]() {
    during = a.MeasureHealth();
    a.Crash("again");  // already crashed: nothing
  });
  Clock::After(5 * kSec, [&]() {
    a.Restart();
    a.Restart();  // running again: nothing
  });
  Clock::RunUntil(7500 * kMs);
  ns3::Simulator::Destroy();
  EXPECT_EQ(during, Health::kDown);
  EXPECT_EQ(a.lifecycle(), Lifecycle::kUp);
  // Ticks at 1 and 2 s; none while crashed; then at 6 and 7 s.
  EXPECT_EQ(a.ticks, 4);
  EXPECT_EQ(log, (std::vector<std::string>{"start control", "crash control", "start control"}));
  ASSERT_EQ(reasons.size(), 3u);
  EXPECT_NE(reasons[1].find("\"reason\":\"plane-crash\""), std::string::npos) << reasons[1];
}

TEST(Lifecycle, AnActorThatIsNotRunningIsNotCrashed) {
  Clock::Configure(1);
  RunContext ctx;
  std::vector<std::string> log;
  Toy a(ctx, Plane::kData, &log);
  a.Start();
  a.SetLifecycle(Lifecycle::kAbsent, "no instance");
  a.Crash("plane-crash");
  a.Restart();
  ns3::Simulator::Destroy();
  EXPECT_EQ(a.lifecycle(), Lifecycle::kAbsent);
  EXPECT_EQ(log, (std::vector<std::string>{"start data"}));
}

// plane-crash reaches a family with no fault hook of its own; only the plane it names.
TEST(Lifecycle, PlaneCrashServesAnyDeviceThroughItsPlanes) {
  Clock::Configure(1);
  RunContext ctx;
  std::vector<std::string> log;
  Toy data(ctx, Plane::kData, &log), control(ctx, Plane::kControl, &log);
  FaultInjector faults(ctx.events);
  RegisterCrashFaults(faults, "d1", "new-family", {&data, &control});
  EXPECT_TRUE(faults.Has("d1", "plane-crash"));
  EXPECT_FALSE(faults.Has("d1", "store-member-crash"));  // a crash kind of another device kind
  // Built in code, not loaded: the injector parses the params itself.
  faults.Schedule({Fault("plane-crash", 2 * kSec, 4 * kSec, {{"plane", "control"}})});
  Clock::After(0, [&]() {
    data.Start();
    control.Start();
  });
  Clock::RunUntil(5 * kSec);
  ns3::Simulator::Destroy();
  EXPECT_EQ(log, (std::vector<std::string>{"start data", "start control", "crash control", "start control"}));
}

// The per-daemon kinds are the same path: store-member-crash crashes control then data, restarts data first.
TEST(Lifecycle, CrashKindsOfTheCatalogueCrashTheirPlanesInOrder) {
  Clock::Configure(1);
  RunContext ctx;
  std::vector<std::string> log;
  std::vector<std::string> reasons;
  ctx.events.Subscribe([&reasons](const TraceEvent& e) {
    if (e.kind == "lifecycle" && e.detail.find("crashed\"}") != std::string::npos) reasons.push_back(e.detail);
  });
  Toy data(ctx, Plane::kData, &log), control(ctx, Plane::kControl, &log);
  FaultInjector faults(ctx.events);
  RegisterCrashFaults(faults, "d1", "store-member", {&data, &control});
  faults.Schedule({Fault("store-member-crash", 2 * kSec, 4 * kSec)});
  Clock::After(0, [&]() {
    data.Start();
    control.Start();
  });
  Clock::RunUntil(5 * kSec);
  ns3::Simulator::Destroy();
  EXPECT_EQ(log, (std::vector<std::string>{"start data", "start control", "crash control", "crash data", "start data",
                                           "start control"}));
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_NE(reasons[0].find("\"reason\":\"store-member-crash\""), std::string::npos) << reasons[0];
}

TEST(Lifecycle, ParamsThatDoNotParseStopTheSchedule) {
  Clock::Configure(1);
  RunContext ctx;
  std::vector<std::string> log;
  Toy data(ctx, Plane::kData, &log);
  FaultInjector faults(ctx.events);
  RegisterCrashFaults(faults, "d1", "new-family", {&data});
  EXPECT_THROW(faults.Schedule({Fault("plane-crash", kSec, 2 * kSec, {{"plane", "ctrl"}})}), std::runtime_error);
  ns3::Simulator::Destroy();
}

}  // namespace planelab
