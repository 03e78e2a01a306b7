// Benchmarks: the same event pattern through raw ns3::Simulator::Schedule and through PlaneLab's
// Clock / actor timer path; and a packet workload with the recorder on and off.
// Run: build/bench/planelab_bench   (bench/run.sh prints the ratios)
#include <benchmark/benchmark.h>
#include <ns3/applications-module.h>
#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>
#include <ns3/traffic-control-module.h>

#include <filesystem>

#include "models/models.h"
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
  Scenario sc = LoadScenarioFile(PLANELAB_SOURCE_DIR "/scenarios/basics/link-failure-reroute.json", BuiltinModels());
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

// The same UDP request/response traffic as bench/scenarios/udp-line.json, in plain ns-3: UdpEchoClient
// and UdpEchoServer, static routes from GlobalRouting, the same FIFO queue discs. No actors, no probes.
void BM_RawNs3PacketWorkload(benchmark::State& state) {
  uint64_t events = 0;
  for (auto _ : state) {
    Clock::Configure(1);
    using namespace ns3;
    NodeContainer nodes;
    nodes.Create(5);  // h1 r1 r2 r3 h3
    InternetStackHelper stack;
    stack.SetIpv6StackInstall(false);
    stack.Install(nodes);
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue("1Gbps"));
    p2p.SetChannelAttribute("Delay", StringValue("1ms"));
    p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", QueueSizeValue(QueueSize("10p")));
    TrafficControlHelper tch;
    tch.SetRootQueueDisc("ns3::FifoQueueDisc", "MaxSize", QueueSizeValue(QueueSize("100p")));
    Ipv4AddressHelper addr;
    Ipv4InterfaceContainer last;
    for (uint32_t i = 0; i < 4; ++i) {
      NetDeviceContainer d = p2p.Install(nodes.Get(i), nodes.Get(i + 1));
      tch.Install(d);
      addr.SetBase(Ipv4Address((10u << 24) + 4 * i), "255.255.255.252");
      last = addr.Assign(d);
    }
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    UdpEchoServerHelper server(7000);
    server.Install(nodes.Get(4)).Start(Seconds(0));
    UdpEchoClientHelper client(last.GetAddress(1), 7000);
    client.SetAttribute("MaxPackets", UintegerValue(1u << 30));
    client.SetAttribute("Interval", TimeValue(MicroSeconds(500)));
    client.SetAttribute("PacketSize", UintegerValue(200));
    ApplicationContainer c = client.Install(nodes.Get(0));
    c.Start(Seconds(1));
    Simulator::Stop(Seconds(60));
    Simulator::Run();
    events += Simulator::GetEventCount();
    Simulator::Destroy();
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.counters["sim_s_per_wall_s"] = benchmark::Counter(60.0 * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RawNs3PacketWorkload)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_PlaneLabPacketWorkload(benchmark::State& state) {
  Scenario sc = LoadScenarioFile(PLANELAB_SOURCE_DIR "/bench/scenarios/udp-line.json", BuiltinModels());
  uint64_t events = 0;
  for (auto _ : state) {
    RunOptions opts;
    opts.record = false;
    RunOutcome o = RunScenario(sc, opts);
    events += o.events;
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.counters["sim_s_per_wall_s"] = benchmark::Counter(60.0 * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PlaneLabPacketWorkload)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
