#include "sim/cli/runner.h"

#include <ns3/core-module.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>

#include "models/models.h"
#include "sim/core/device.h"
#include "sim/core/message_socket.h"
#include "sim/core/network.h"
#include "sim/fault/fault_catalog.h"
#include "sim/fault/fault_injector.h"
#include "sim/probe/convergence_probe.h"
#include "sim/probe/expectations.h"
#include "sim/probe/health_probe.h"
#include "sim/probe/recorder.h"
#include "sim/trace/run_reader.h"
#include "sim/trace/run_store.h"
#include "sim/util/hash.h"

namespace planelab {

namespace fs = std::filesystem;

namespace {

std::string ChooseOutDir(const Scenario& sc, const RunOptions& opts) {
  if (!opts.out_dir.empty()) {
    fs::path p(opts.out_dir);
    if (fs::exists(p) && !(fs::is_directory(p) && fs::is_empty(p))) {
      bool is_run = fs::exists(p / "manifest.json") && fs::exists(p / "run.sqlite");
      if (!opts.force) {
        throw UsageError("--out " + opts.out_dir + ": the folder exists and is not empty; nothing was overwritten. "
                         "Choose another folder" + std::string(is_run ? ", or add --force to replace that earlier run" : ""));
      }
      if (!is_run) {
        throw UsageError("--out " + opts.out_dir + ": the folder is not a PlaneLab run folder, so --force will not "
                         "replace it; choose another folder");
      }
    }
    return opts.out_dir;
  }
  std::string base = "runs/" + sc.name + "-s" + std::to_string(sc.seed);
  std::string dir = base;
  for (int i = 2; fs::exists(dir); ++i) dir = base + "-" + std::to_string(i);
  return dir;
}

void WriteFile(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace

RunOutcome RunScenario(Scenario sc, const RunOptions& opts) {
  auto wall_start = std::chrono::steady_clock::now();
  if (opts.seed) sc.seed = *opts.seed;
  for (const auto& d : opts.pcap_devices) {
    bool known = (sc.management.enabled && d == sc.management.station);
    for (const auto& dev : sc.devices) known |= dev.id == d;
    if (!known) throw UsageError("--pcap " + d + ": no such device in " + sc.path + "; use a device id of the topology");
  }
  RunOutcome outcome;
  fs::path final_dir = ChooseOutDir(sc, opts);
  fs::path tmp = final_dir.string() + ".partial-" + std::to_string(::getpid());
  if (opts.record) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp, ec);
    if (ec) {
      throw UsageError("cannot create the run folder next to " + final_dir.string() + " (" + ec.message() +
                       "); choose a writable place with --out");
    }
  }
  struct Cleanup {
    fs::path p;
    bool armed = true;
    ~Cleanup() { if (armed && !p.empty()) { std::error_code ec; fs::remove_all(p, ec); } }
  } cleanup{opts.record ? tmp : fs::path()};

  ns3::Names::Clear();  // a process may run several scenarios (benchmarks)
  ResetMessagesInFlight();
  Clock::Configure(sc.seed, opts.scheduler);
  // Real TCP over Ethernet-sized segments rather than ns-3's 536-byte default.
  ns3::Config::SetDefault("ns3::TcpSocket::SegmentSize", ns3::UintegerValue(1448));

  RunContext ctx;
  ctx.seed = sc.seed;
  std::unique_ptr<RunStoreWriter> store;
  std::unique_ptr<Recorder> recorder;
  if (opts.record) {
    store.reset(new RunStoreWriter((tmp / "run.sqlite").string()));
    recorder.reset(new Recorder(*store, ctx));
    store->PutMeta("scenario", sc.name);
    store->PutMeta("scenario_path", sc.path);
    store->PutMeta("scenario_hash", "fnv1a64:" + Fnv1a64Hex(sc.text));
    store->PutMeta("seed", std::to_string(sc.seed));
    store->PutMeta("duration_s", std::to_string(ToSeconds(sc.duration)));
    store->PutMeta("sample_interval_s", std::to_string(ToSeconds(sc.sample_interval)));
    store->PutMeta("planelab_version", PLANELAB_VERSION);
    recorder->WriteTopology(sc);
  }

  ConvergenceProbe convergence(ctx.events);
  Network net(sc);
  FaultInjector faults(ctx.events);
  for (const auto& l : sc.links) {
    std::string id = l.id;
    faults.Register(id, "link-down", [&net, id](const FaultSpec&, bool on) { net.SetLinkUp(id, !on); });
    auto flap_gen = std::make_shared<uint64_t>(0);
    faults.Register(id, "link-flap", [&net, id, flap_gen](const FaultSpec& f, bool on) {
      uint64_t gen = ++*flap_gen;
      if (!on) {
        net.SetLinkUp(id, true);
        return;
      }
      const FaultKind* k = FindFaultKind("link-flap");
      SimTime period = *ParseDuration(FaultParamOr(*k, f.params, "period")).value;
      SimTime down = *ParseDuration(FaultParamOr(*k, f.params, "down_for")).value;
      RepeatWhileCurrent(period, flap_gen, [&net, id, flap_gen, gen, down]() {
        net.SetLinkUp(id, false);
        Clock::After(down, [&net, id, flap_gen, gen]() {
          AfterSamplesDueNow([&net, id, flap_gen, gen]() { if (gen == *flap_gen) net.SetLinkUp(id, true); });
        });
      });
    });
    faults.Register(id, "link-degrade", [&net, id](const FaultSpec& f, bool on) {
      if (!on) { net.RestoreLink(id); return; }
      const FaultKind* k = FindFaultKind("link-degrade");
      double loss = std::strtod(FaultParamOr(*k, f.params, "loss").c_str(), nullptr);
      SimTime delay = *ParseDuration(FaultParamOr(*k, f.params, "extra_delay")).value;
      std::string rate = FaultParamOr(*k, f.params, "rate");
      net.DegradeLink(id, loss, delay, rate.empty() ? 0 : *ParseBitRate(rate).value);
    });
  }
  if (sc.management.enabled) {
    std::vector<std::string> oob_links;
    for (const auto& d : sc.devices) {
      std::string oob = net.OobLinkOf(d.id);
      if (oob.empty()) continue;
      oob_links.push_back(oob);
      faults.Register(d.id, "mgmt-oob-down", [&net, oob](const FaultSpec&, bool on) { net.SetLinkUp(oob, !on); });
    }
    faults.Register(sc.management.station, "mgmt-oob-down", [&net, oob_links](const FaultSpec&, bool on) {
      for (const auto& l : oob_links) net.SetLinkUp(l, !on);
    });
  }

  DeviceRegistry registry;
  RegisterBuiltinModels(registry);
  std::vector<std::unique_ptr<Device>> devices;
  std::vector<DeviceSpec> all = sc.devices;
  if (sc.management.enabled) {
    DeviceSpec station;
    station.id = sc.management.station;
    station.kind = "monitor";
    all.push_back(station);
  }
  HealthProbe health;
  for (const auto& spec : all) {
    const DeviceFactory* f = registry.Find(spec.kind);
    if (!f) throw std::runtime_error("no model for device kind \"" + spec.kind + "\"");
    DeviceEnv env{sc, spec, net, ctx, faults};
    devices.push_back((*f)(env));
    for (PlaneActor* a : devices.back()->planes()) health.Watch(spec.id, a);
    if (const ReportedHealthSource* d = devices.back()->dashboard()) health.SetDashboard(d);
  }
  // Link utilisation: per data link, the busier direction's share of the link rate in each interval.
  for (const auto& l : sc.links) {
    struct State {
      uint64_t a = 0, b = 0;
      SimTime at = 0;
    };
    auto state = std::make_shared<State>();
    Gauge* g = ctx.metrics.AddGauge(l.id, Plane::kData, "utilization", "1",
                                    "busier direction's share of the link rate in the interval");
    std::string id = l.id;
    g->BindReader([&net, id, state]() {
      auto [a, b] = net.LinkTxBytes(id);
      SimTime now = Clock::Now();
      double secs = ToSeconds(now - state->at);
      uint64_t busiest = std::max(a - state->a, b - state->b);
      *state = {a, b, now};
      return secs > 0 ? 8.0 * static_cast<double>(busiest) / secs / static_cast<double>(net.LinkRate(id)) : 0.0;
    });
  }
  if (recorder) {
    recorder->WriteSeries();
    Recorder* rec = recorder.get();
    health.SetSink([rec](SimTime t, const std::string& dev, Plane p, Health a, Health r) { rec->WriteHealth(t, dev, p, a, r); });
  }
  faults.Schedule(sc.faults);
  if (opts.record) {
    fs::create_directories(tmp / "pcap");
    for (const auto& d : opts.pcap_devices) net.EnablePcap(d, (tmp / "pcap").string());
    if (opts.pcap_devices.empty()) fs::remove(tmp / "pcap");
  }

  Clock::After(0, [&devices]() {
    for (auto& d : devices) {
      for (PlaneActor* a : d->planes()) a->Start();
    }
  });
  // The sampling clock: health first (it closes each actor's interval), then every metric.
  std::function<void()> sample;
  sample = [&]() {
    SimTime now = Clock::Now();
    health.Sample(now);
    if (recorder) recorder->SampleMetrics(now);
    // The last interval may be shorter when the duration is not a multiple of the interval.
    SimTime next = std::min(now + sc.sample_interval, sc.duration);
    if (next > now) Clock::After(next - now, sample);
  };
  Clock::After(std::min(sc.sample_interval, sc.duration), sample);
  // Progress events are part of every run, so a terminal or not never changes the event sequence.
  const int kSteps = 100;
  for (int i = 1; i <= kSteps; ++i) {
    double frac = static_cast<double>(i) / kSteps;
    Clock::After(static_cast<SimTime>(static_cast<double>(sc.duration) * frac) - 1, [&opts, frac]() {
      if (opts.progress) opts.progress(frac);
    });
  }
  Clock::RunUntil(sc.duration + 1);
  health.Finish(sc.duration);
  outcome.events = Clock::EventCount();
  outcome.trace_events = ctx.events.emitted();

  // The summary: per device and plane, the intervals of actual vs reported health.
  nlohmann::ordered_json summary;
  summary["schema"] = "planelab.summary/1";
  summary["scenario"] = sc.name;
  summary["seed"] = sc.seed;
  summary["sim_time_s"] = ToSeconds(sc.duration);
  summary["expectations"] = nlohmann::ordered_json::array();
  nlohmann::ordered_json devs = nlohmann::ordered_json::object();
  for (const auto& spec : all) {
    nlohmann::ordered_json planes = nlohmann::ordered_json::object();
    auto it = health.timeline().find(spec.id);
    for (Plane p : {Plane::kData, Plane::kControl, Plane::kManagement}) {
      if (it == health.timeline().end() || !it->second.count(p)) continue;
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const auto& iv : it->second.at(p)) {
        list.push_back({{"from_s", ToSeconds(iv.from)}, {"to_s", ToSeconds(iv.to)}, {"actual", ToString(iv.actual)},
                        {"reported", ToString(iv.reported)}});
      }
      planes[ToString(p)] = list;
    }
    devs[spec.id] = planes;
  }
  if (opts.record) {
    store->PutMeta("kernel_events", std::to_string(outcome.events));
    store->Finish();
    store.reset();
    RunStoreReader reader((tmp / "run.sqlite").string());
    for (const auto& r : EvaluateExpectations(sc, reader)) {
      nlohmann::ordered_json e;
      e["id"] = r.id;
      e["passed"] = r.passed;
      e["observed"] = r.has_observed ? nlohmann::ordered_json(r.observed) : nlohmann::ordered_json(nullptr);
      e["bound"] = r.bound;
      e["detail"] = r.detail;
      summary["expectations"].push_back(e);
      outcome.all_passed &= r.passed;
    }
  }
  // Network-wide convergence: from each trigger to the last FIB programmed anywhere.
  nlohmann::ordered_json conv = nlohmann::ordered_json::array();
  for (const auto& ep : convergence.episodes()) {
    nlohmann::ordered_json c;
    c["trigger"] = ep.trigger;
    c["at_s"] = ToSeconds(ep.at);
    c["converged_after_s"] = ep.last_change < 0 ? nlohmann::ordered_json(nullptr)
                                                : nlohmann::ordered_json(ToSeconds(ep.last_change - ep.at));
    c["rib_changes"] = ep.rib_changes;
    c["routers_changed"] = ep.routers.size();
    conv.push_back(c);
  }
  summary["convergence"] = conv;
  summary["devices"] = devs;
  ns3::Simulator::Destroy();
  devices.clear();

  outcome.summary = summary;
  if (opts.record) {
    std::string summary_text = summary.dump(2) + "\n";
    WriteFile(tmp / "summary.json", summary_text);
    WriteFile(tmp / "scenario.json", sc.text);
    nlohmann::ordered_json manifest;
    manifest["schema"] = "planelab.manifest/1";
    manifest["planelab_version"] = PLANELAB_VERSION;
    manifest["scenario"] = sc.name;
    manifest["scenario_path"] = sc.path;
    manifest["seed"] = sc.seed;
    manifest["run_store_schema"] = kRunStoreSchema;
    manifest["files"] = {{"scenario.json", "fnv1a64:" + Fnv1a64Hex(sc.text)},
                         {"summary.json", "fnv1a64:" + Fnv1a64Hex(summary_text)}};
    WriteFile(tmp / "manifest.json", manifest.dump(2) + "\n");
    if (fs::exists(final_dir)) fs::remove_all(final_dir);  // only an empty folder, or a run replaced with --force
    if (final_dir.has_parent_path()) fs::create_directories(final_dir.parent_path());
    fs::rename(tmp, final_dir);
    cleanup.armed = false;
  }
  outcome.out_dir = final_dir.string();
  outcome.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return outcome;
}

}  // namespace planelab
