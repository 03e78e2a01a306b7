// The fault timeline's sample rule: a change at t applies just after the sample taken at t.
#include <gtest/gtest.h>
#include <ns3/simulator.h>

#include <memory>

#include "sim/core/clock.h"
#include "sim/fault/fault_injector.h"

namespace planelab {

namespace {

// Samples `state` every second from 1 s, as the runner's sampling clock does (each sample
// schedules the next), and returns the sample times that saw it true.
std::vector<int> SamplesWhere(const bool& state, SimTime end) {
  auto seen = std::make_shared<std::vector<int>>();
  auto sample = std::make_shared<std::function<void()>>();
  *sample = [&state, seen, sample, end]() {
    SimTime now = Clock::Now();
    if (state) seen->push_back(static_cast<int>(now / kSec));
    if (now + kSec <= end) Clock::After(kSec, *sample);
  };
  Clock::After(kSec, *sample);
  Clock::RunUntil(end + 1);
  ns3::Simulator::Destroy();
  *sample = nullptr;
  return *seen;
}

}  // namespace

// Issue 12.5: a flap every 10 s from 20 s, down for 2 s. By the documented rule each down and each
// up lands just after the sample at its time, so the samples that see the link down are t+1 and
// t+2 of every period. Before the fix the repetitions applied before their sample (30, 31, ...).
TEST(FaultTiming, EveryRepetitionOfAPeriodicFaultFollowsTheSampleRule) {
  Clock::Configure(1);
  EventBus bus;
  FaultInjector faults(bus);
  bool down = false;
  auto gen = std::make_shared<uint64_t>(0);
  faults.Register("l", "link-flap", [&down, gen](const FaultSpec&, bool on) {
    uint64_t g = ++*gen;
    if (!on) { down = false; return; }
    RepeatWhileCurrent(10 * kSec, gen, [&down, gen, g]() {
      down = true;
      Clock::After(2 * kSec, [&down, gen, g]() {
        AfterSamplesDueNow([&down, gen, g]() { if (g == *gen) down = false; });
      });
    });
  });
  FaultSpec f;
  f.at = 20 * kSec;
  f.until = 60 * kSec;
  f.target = "l";
  f.kind = "link-flap";
  faults.Schedule({f});
  EXPECT_EQ(SamplesWhere(down, 70 * kSec), (std::vector<int>{21, 22, 31, 32, 41, 42, 51, 52}));
}

}  // namespace planelab
