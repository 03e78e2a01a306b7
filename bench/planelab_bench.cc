// Benchmarks: the same event pattern through raw ns3::Simulator::Schedule and through PlaneLab's
// Clock / actor timer path; and a packet workload with the recorder on and off.
// Run: build/bench/planelab_bench   (bench/run.sh prints the ratios)
#include <benchmark/benchmark.h>
#include <ns3/core-module.h>

#include <filesystem>

#include "sim/cli/runner.h"
#include "sim/core/clock.h"
#include "sim/core/plane_actor.h"
#include "sim/scenario/scenario_loader.h"

using namespace planelab;

namespace {

constexpr int kChains = 64;       // concurrent timer chains, like many actors' timers
constexpr int kEventsPerChain = 4000;

struct RawChain {
  int left = kEventsPerChain;
  static void Fire(RawChain* c) {
    if (--c->left > 0) ns3::Simulator::Schedule(ns3::MicroSeconds(10), &RawChain::Fire, c);
  }
};

void BM_RawNs3Schedule(benchmark::State& state) {
  for (auto _ : state) {
    Clock::Configure(1, state.range(0) ? "ns3::PriorityQueueScheduler" : "ns3::MapScheduler");
    std::vector<RawChain> chains(kChains);
    for (int i = 0; i < kChains; ++i) ns3::Simulator::Schedule(ns3::NanoSeconds(i), &RawChain::Fire, &chains[i]);
    ns3::Simulator::Run();
    ns3::Simulator::Destroy();
  }
  state.SetItemsProcessed(state.iterations() * kChains * kEventsPerChain);
  state.SetLabel(state.range(0) ? "PriorityQueueScheduler" : "MapScheduler");
}
BENCHMARK(BM_RawNs3Schedule)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

class TimerActor : public PlaneActor {
 public:
  using PlaneActor::PlaneActor;
  Health MeasureHealth() override { return Health::kUp; }
  void Chain(int left) {
    if (left > 0) After(10 * kUs, [this, left]() { Chain(left - 1); });
  }
};

void BM_PlaneActorTimers(benchmark::State& state) {
  for (auto _ : state) {
    Clock::Configure(1);
    RunContext ctx;
    std::vector<std::unique_ptr<TimerActor>> actors;
    for (int i = 0; i < kChains; ++i) {
      actors.emplace_back(new TimerActor(ctx, "r" + std::to_string(i), Plane::kControl));
      actors.back()->Start();
    }
    for (int i = 0; i < kChains; ++i) {
      TimerActor* a = actors[i].get();
      Clock::After(i, [a]() { a->Chain(kEventsPerChain - 1); });
    }
    ns3::Simulator::Run();
    ns3::Simulator::Destroy();
  }
  state.SetItemsProcessed(state.iterations() * kChains * kEventsPerChain);
}
BENCHMARK(BM_PlaneActorTimers)->Unit(benchmark::kMillisecond);

void BM_PacketWorkload(benchmark::State& state) {
  Scenario sc = LoadScenarioFile(PLANELAB_SOURCE_DIR "/scenarios/basics/link-failure-reroute.json");
  uint64_t events = 0;
  std::string out = std::filesystem::temp_directory_path().string() + "/planelab-bench-run";
  for (auto _ : state) {
    RunOptions opts;
    opts.record = state.range(0) != 0;
    opts.out_dir = out;
    opts.force = true;
    std::filesystem::remove_all(out);
    RunOutcome o = RunScenario(sc, opts);
    events += o.events;
  }
  std::filesystem::remove_all(out);
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.SetLabel(state.range(0) ? "recorder on" : "recorder off");
}
BENCHMARK(BM_PacketWorkload)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
