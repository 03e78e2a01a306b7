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

}  // namespace planelab
