#include "sim/core/clock.h"

#include <gtest/gtest.h>
#include <ns3/simulator.h>

#include <vector>

#include "sim/core/plane_actor.h"

namespace planelab {

TEST(Clock, TiesRunInSchedulingOrder) {
  Clock::Configure(1);
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) Clock::After(10 * kMs, [&order, i]() { order.push_back(i); });
  Clock::After(5 * kMs, [&order]() { order.push_back(-1); });
  Clock::RunUntil(1 * kSec);
  ns3::Simulator::Destroy();
  EXPECT_EQ(order, (std::vector<int>{-1, 0, 1, 2, 3, 4}));
}

TEST(Clock, TimerRearmAndCancelNeverFireStale) {
  Clock::Configure(1);
  int fired = 0;
  SimTime at = -1;
  Timer t;
  t.Arm(10 * kMs, [&]() { ++fired; });
  Clock::After(5 * kMs, [&]() { t.Arm(20 * kMs, [&]() { ++fired; at = Clock::Now(); }); });
  Timer c;
  c.Arm(1 * kMs, [&]() { fired += 100; });
  c.Cancel();
  Clock::RunUntil(1 * kSec);
  ns3::Simulator::Destroy();
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(at, 25 * kMs);
}

namespace {
class Probe : public PlaneActor {
 public:
  using PlaneActor::PlaneActor;
  Health MeasureHealth() override { return WithLifecycle(Health::kUp); }
  void Later(SimTime d, std::function<void()> fn) { After(d, std::move(fn)); }
};
}  // namespace

TEST(PlaneActor, CrashDropsPendingTimersAndPortsLoseMessages) {
  Clock::Configure(1);
  RunContext ctx;
  Probe a(ctx, "r1", Plane::kControl), b(ctx, "r1", Plane::kData);
  a.Start();
  b.Start();
  int timer_fired = 0, delivered = 0;
  a.Later(10 * kMs, [&]() { ++timer_fired; });
  Port<int> port("a->b", 1 * kMs);
  port.Connect(&b, [&](const int& v) { delivered += v; });
  port.Send(1);
  Clock::After(5 * kMs, [&]() {
    a.SetLifecycle(Lifecycle::kCrashed, "test");
    b.SetLifecycle(Lifecycle::kDown, "test");
    port.Send(10);
  });
  Clock::RunUntil(1 * kSec);
  ns3::Simulator::Destroy();
  EXPECT_EQ(timer_fired, 0);
  EXPECT_EQ(delivered, 1);
  EXPECT_EQ(port.lost(), 1u);
  EXPECT_EQ(a.MeasureHealth(), Health::kDown);
}

TEST(PlaneActor, StreamsDependOnSeedAndNameOnly) {
  auto a = MakeStream(7, "r1/control"), b = MakeStream(7, "r1/control"), c = MakeStream(8, "r1/control"),
       d = MakeStream(7, "r2/control");
  uint64_t va = a(), vb = b(), vc = c(), vd = d();
  EXPECT_EQ(va, vb);
  EXPECT_NE(va, vc);
  EXPECT_NE(va, vd);
}

}  // namespace planelab
