#include "sim/cli/runner.h"

#include <ns3/core-module.h>

#include <chrono>
#include <csignal>
#include <memory>

#include "models/models.h"
#include "sim/cli/run_folder.h"
#include "sim/cli/run_summary.h"
#include "sim/core/device.h"
#include "sim/core/message_socket.h"
#include "sim/core/network.h"
#include "sim/fault/fault_injector.h"
#include "sim/probe/convergence_probe.h"
#include "sim/probe/health_probe.h"
#include "sim/probe/recorder.h"
#include "sim/trace/run_reader.h"
#include "sim/trace/run_store.h"
#include "sim/util/hash.h"

namespace planelab {

namespace {

void CheckPcapDevices(const Scenario& sc, const std::vector<std::string>& pcap_devices) {
  for (const auto& d : pcap_devices) {
    bool known = (sc.management.enabled && d == sc.management.station);
    for (const auto& dev : sc.devices) known |= dev.id == d;
    if (!known) throw UsageError("--pcap " + d + ": no such device in " + sc.path + "; use a device id of the topology");
  }
}

/// The devices a run builds: the scenario's, and the monitoring station when there is a management network.
std::vector<DeviceSpec> DevicesOf(const Scenario& sc) {
  std::vector<DeviceSpec> all = sc.devices;
  if (sc.management.enabled) {
    DeviceSpec station;
    station.id = sc.management.station;
    station.kind = "monitor";
    all.push_back(station);
  }
  return all;
}

void WriteRunMeta(RunStoreWriter& store, const Scenario& sc) {
  store.PutMeta("scenario", sc.name);
  store.PutMeta("scenario_path", sc.path);
  store.PutMeta("scenario_hash", "fnv1a64:" + Fnv1a64Hex(sc.text));
  store.PutMeta("seed", std::to_string(sc.seed));
  store.PutMeta("duration_s", std::to_string(ToSeconds(sc.duration)));
  store.PutMeta("sample_interval_s", std::to_string(ToSeconds(sc.sample_interval)));
  store.PutMeta("planelab_version", PLANELAB_VERSION);
}

/// The sampling clock: health first (it closes each actor's interval), then every metric. The last
/// interval may be shorter when the duration is not a multiple of the interval.
void ScheduleSampling(const Scenario& sc, HealthProbe& health, Recorder* recorder) {
  auto sample = std::make_shared<std::function<void()>>();
  std::weak_ptr<std::function<void()>> self = sample;
  SimTime interval = sc.sample_interval, end = sc.duration;
  *sample = [&health, recorder, interval, end, self]() {
    SimTime now = Clock::Now();
    health.Sample(now);
    if (recorder) recorder->SampleMetrics(now);
    SimTime next = std::min(now + interval, end);
    if (next > now) {
      if (auto s = self.lock()) Clock::After(next - now, [s]() { (*s)(); });
    }
  };
  Clock::After(std::min(interval, end), [sample]() { (*sample)(); });
}

/// Progress events are part of every run, so a terminal or not never changes the event sequence.
void ScheduleProgress(const Scenario& sc, const std::function<void(double)>& progress) {
  const int kSteps = 100;
  for (int i = 1; i <= kSteps; ++i) {
    double frac = static_cast<double>(i) / kSteps;
    Clock::After(static_cast<SimTime>(static_cast<double>(sc.duration) * frac) - 1, [&progress, frac]() {
      if (progress) progress(frac);
    });
  }
}

}  // namespace

std::string SignalName(int sig) {
  switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "signal-" + std::to_string(sig);
  }
}

RunOutcome RunScenario(Scenario sc, const RunOptions& opts) {
  auto wall_start = std::chrono::steady_clock::now();
  if (opts.seed) sc.seed = *opts.seed;
  CheckPcapDevices(sc, opts.pcap_devices);
  RunFolder folder(opts.out_dir, opts.force, sc.name, sc.seed, opts.record);

  // The kernel, fresh: a process may run several scenarios (benchmarks).
  ns3::Names::Clear();
  ResetMessagesInFlight();
  Clock::Configure(sc.seed, opts.scheduler);
  // Real TCP over Ethernet-sized segments rather than ns-3's 536-byte default.
  ns3::Config::SetDefault("ns3::TcpSocket::SegmentSize", ns3::UintegerValue(1448));

  // Recording: the run store and the recorder that decides what is kept.
  RunContext ctx;
  ctx.seed = sc.seed;
  std::unique_ptr<RunStoreWriter> store;
  std::unique_ptr<Recorder> recorder;
  if (opts.record) {
    store.reset(new RunStoreWriter(folder.Partial("run.sqlite").string()));
    recorder.reset(new Recorder(*store, ctx));
    WriteRunMeta(*store, sc);
    recorder->WriteTopology(sc);
  }

  // The world: the network, its fault hooks, the devices and their planes, the probes watching them.
  ConvergenceProbe convergence(ctx.events);
  Network net(sc);
  FaultInjector faults(ctx.events);
  net.RegisterFaultHooks(faults);
  const DeviceRegistry& registry = BuiltinModels().devices;
  std::vector<std::unique_ptr<Device>> devices;
  const std::vector<DeviceSpec> all = DevicesOf(sc);
  HealthProbe health;
  for (const auto& spec : all) {
    const DeviceFactory* f = registry.Find(spec.kind);
    if (!f) throw std::runtime_error("no model for device kind \"" + spec.kind + "\"");
    DeviceEnv env{sc, spec, net, ctx, faults};
    devices.push_back((*f)(env));
    for (PlaneActor* a : devices.back()->planes()) health.Watch(spec.id, a);
    RegisterCrashFaults(faults, spec.id, spec.kind, devices.back()->planes());
    if (const ReportedHealthSource* d = devices.back()->dashboard()) health.SetDashboard(d);
  }
  net.DeclareLinkMetrics(ctx.metrics);
  if (recorder) {
    recorder->WriteSeries();
    Recorder* rec = recorder.get();
    health.SetSink([rec](SimTime t, const std::string& dev, Plane p, Health a, Health r) { rec->WriteHealth(t, dev, p, a, r); });
  }
  if (opts.record && !opts.pcap_devices.empty()) {
    std::filesystem::create_directories(folder.Partial("pcap"));
    for (const auto& d : opts.pcap_devices) net.EnablePcap(d, folder.Partial("pcap").string());
  }

  // The timeline: faults, the planes' start, sampling, progress; then run.
  faults.Schedule(sc.faults);
  Clock::After(0, [&devices]() {
    for (auto& d : devices) {
      for (PlaneActor* a : d->planes()) a->Start();
    }
  });
  ScheduleSampling(sc, health, recorder.get());
  ScheduleProgress(sc, opts.progress);
  Clock::RunUntil(sc.duration + 1);

  RunOutcome outcome;
  // Stopped (SIGINT/SIGTERM in the CLI) before the end: the store is finished as far as the run got and marked
  // incomplete, the partial folder is kept with its INTERRUPTED file, and there is no summary. A stop that
  // comes once every sample is taken (t > duration) lets the run complete.
  if (int sig = Clock::StopRequested(); sig != 0 && Clock::Now() <= sc.duration) {
    SimTime reached = Clock::Now();
    health.Finish(reached);
    outcome.events = Clock::EventCount();
    outcome.trace_events = ctx.events.emitted();
    outcome.interrupted = sig;
    outcome.interrupted_at_s = ToSeconds(reached);
    if (opts.record) {
      store->PutMeta("kernel_events", std::to_string(outcome.events));
      store->PutMeta("complete", "false");
      store->PutMeta("interrupted_at_s", std::to_string(outcome.interrupted_at_s));
      store->Finish();
      store.reset();
    }
    ns3::Simulator::Destroy();
    devices.clear();
    if (opts.record) folder.KeepInterrupted(SignalName(sig), outcome.interrupted_at_s);
    outcome.out_dir = folder.partial_dir().string();
    outcome.all_passed = false;
    outcome.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    return outcome;
  }
  health.Finish(sc.duration);

  outcome.events = Clock::EventCount();
  outcome.trace_events = ctx.events.emitted();
  outcome.summary = RunSummary(sc, all, health, convergence);
  if (opts.record) {
    store->PutMeta("kernel_events", std::to_string(outcome.events));
    store->PutMeta("complete", "true");
    store->Finish();
    store.reset();
    RunStoreReader reader(folder.Partial("run.sqlite").string());
    outcome.all_passed = AddExpectations(sc, reader, outcome.summary);
    AddIncidents(sc, reader, outcome.summary);
  }
  ns3::Simulator::Destroy();
  devices.clear();

  if (opts.record) folder.Commit(sc.name, sc.path, sc.seed, sc.text, outcome.summary.dump(2) + "\n");
  outcome.out_dir = folder.final_dir().string();
  outcome.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return outcome;
}

}  // namespace planelab
