#include "sim/core/control_cpu.h"

#include <gtest/gtest.h>
#include <ns3/simulator.h>

namespace planelab {

TEST(ControlCpu, FifoServiceAndWaits) {
  Clock::Configure(1);
  ControlCpu cpu;
  std::vector<SimTime> done;
  for (int i = 0; i < 3; ++i) cpu.Submit(10 * kMs, [&]() { done.push_back(Clock::Now()); });
  double max_wait = -1;
  Clock::After(100 * kMs, [&]() { max_wait = cpu.TakeMaxWait(); });
  Clock::RunUntil(1 * kSec);
  ns3::Simulator::Destroy();
  EXPECT_EQ(done, (std::vector<SimTime>{10 * kMs, 20 * kMs, 30 * kMs}));
  EXPECT_DOUBLE_EQ(max_wait, 0.02);
}

TEST(ControlCpu, HogStretchesWorkAndShowsInUtilisation) {
  Clock::Configure(1);
  ControlCpu cpu;
  double util_idle = -1, util_hog = -1;
  SimTime finished = -1;
  Clock::After(1 * kSec, [&]() { util_idle = cpu.TakeUtilization(); });
  Clock::After(1 * kSec, [&]() {
    cpu.SetBackgroundLoad(0.9);
    cpu.Submit(10 * kMs, [&]() { finished = Clock::Now(); });
  });
  Clock::After(2 * kSec, [&]() { util_hog = cpu.TakeUtilization(); });
  Clock::RunUntil(3 * kSec);
  ns3::Simulator::Destroy();
  EXPECT_DOUBLE_EQ(util_idle, 0.0);
  // 10 ms of work at a tenth of the CPU takes 100 ms.
  EXPECT_EQ(finished, 1 * kSec + 100 * kMs);
  // Hog 0.9 all second, plus our share (0.1) for 100 ms.
  EXPECT_NEAR(util_hog, 0.9 + 0.1 * 0.1, 1e-9);
}

// Issue 12.2: an item started during a saturation must not keep its stretched service time once
// the saturation ends. 45 ms of work at load 0.999 would take 45 s; the load drops after 1 s, by
// which time 1 ms of work is done (1 s at a thousandth of the CPU), so the rest takes 44 ms.
TEST(ControlCpu, LoadChangeRetimesTheItemInService) {
  Clock::Configure(1);
  ControlCpu cpu;
  SimTime finished = -1;
  cpu.SetBackgroundLoad(0.999);
  cpu.Submit(45 * kMs, [&]() { finished = Clock::Now(); });
  Clock::After(1 * kSec, [&]() { cpu.SetBackgroundLoad(0.0); });
  Clock::RunUntil(60 * kSec);
  ns3::Simulator::Destroy();
  EXPECT_NEAR(ToSeconds(finished), 1.044, 1e-6);
}

// A load that rises mid-item slows only the rest of it: 10 ms of work, 5 ms done idle, the other
// 5 ms at half the CPU take 10 ms, so it ends at 15 ms.
TEST(ControlCpu, LoadRiseSlowsOnlyTheRemainingWork) {
  Clock::Configure(1);
  ControlCpu cpu;
  SimTime finished = -1;
  cpu.Submit(10 * kMs, [&]() { finished = Clock::Now(); });
  Clock::After(5 * kMs, [&]() { cpu.SetBackgroundLoad(0.5); });
  Clock::RunUntil(1 * kSec);
  ns3::Simulator::Destroy();
  EXPECT_EQ(finished, 15 * kMs);
}

// A crash abandons the item in service even if the load changes afterwards.
TEST(ControlCpu, FlushAbandonsRetimedWork) {
  Clock::Configure(1);
  ControlCpu cpu;
  int ran = 0;
  cpu.SetBackgroundLoad(0.9);
  cpu.Submit(10 * kMs, [&]() { ++ran; });
  Clock::After(20 * kMs, [&]() { cpu.Flush(); cpu.SetBackgroundLoad(0.0); });
  Clock::RunUntil(1 * kSec);
  ns3::Simulator::Destroy();
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(cpu.depth(), 0u);
}

}  // namespace planelab
