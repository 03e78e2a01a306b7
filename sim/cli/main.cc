// planelab: run, validate and explain scenario files.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#if PLANELAB_MIMALLOC
#include <mimalloc.h>
#endif
#include <algorithm>
#include <cstdio>
#include <cerrno>
#include <filesystem>
#include <iostream>
#include <new>
#include <set>

#include "models/models.h"
#include "sim/core/clock.h"
#include "sim/cli/runner.h"
#include "sim/cli/story.h"
#include "sim/cli/classroom_cmd.h"
#include "sim/cli/regress.h"
#include "sim/cli/sweep.h"
#include "sim/experiment/overrides.h"
#include "sim/experiment/run_compare.h"
#include "sim/fault/fault_catalog.h"
#include "sim/scenario/scenario_loader.h"

using namespace planelab;

namespace {

constexpr int kExitBadInput = 2;
constexpr int kExitInternal = 3;

/// After "cannot open" from the loader: which command wanted the file, and what it takes.
void SayWhatTheCommandTakes(const std::string& file, const char* how) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) std::cerr << how << "\n";
}

/// SIGINT/SIGTERM stop the simulation at the next event boundary (the handler only sets Clock's flag); the
/// run then keeps what it recorded in its partial folder. The handler is reset on entry, so a second signal
/// ends the process at once. A signal the parent set to be ignored (a shell's background job) stays ignored.
void StopOnSignal(int sig) { Clock::RequestStop(sig); }

void InstallInterruptHandlers() {
  for (int sig : {SIGINT, SIGTERM}) {
    struct sigaction old {};
    if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    struct sigaction sa {};
    sa.sa_handler = StopOnSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_RESETHAND;
    sigaction(sig, &sa, nullptr);
  }
}

int ExitCodeOfSignal(int sig) { return 128 + sig; }

/// A progress bar on stderr, drawn only on a terminal and only once a run has taken a second.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  void Update(double frac) {
    if (!enabled_) return;
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (wall < 1.0 && frac < 1.0) return;
    if (wall < 1.0 && !drawn_) return;
    int width = 40, fill = static_cast<int>(frac * width);
    double eta = frac > 0 ? wall * (1 - frac) / frac : 0;
    std::fprintf(stderr, "\r  [%s%s] %3d%%  %.0fs elapsed, ~%.0fs left ", std::string(fill, '#').c_str(),
                 std::string(width - fill, '.').c_str(), static_cast<int>(frac * 100), wall, eta);
    drawn_ = true;
  }
  void Done() {
    if (drawn_) std::fprintf(stderr, "\r%80s\r", "");
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
};

/// The table of docs/scenarios.md's Faults section, from the same declarations (a test keeps the docs equal to it).
void PrintFaultsMarkdown() {
  std::cout << "| kind | plane | target | params | effect |\n|---|---|---|---|---|\n";
  for (const auto& k : FaultCatalog()) {
    std::string target = k.target == "link" ? "link id"
                         : k.target == "device" ? "managed router, or the station"
                         : k.target == "any" ? "any device, or the station"
                                             : k.target;
    std::string params;
    for (const auto& p : k.params) {
      params += (params.empty() ? "" : "; ") + ("`" + p.name + "` (" + p.type + ", ") +
                (p.required ? "required" : p.default_value.empty() ? "optional" : "default `" + p.default_value + "`") +
                "): " + p.help;
    }
    std::cout << "| `" << k.name << "` | " << (k.plane.empty() ? "the `plane` param's" : k.plane) << " | " << target
              << " | " << (params.empty() ? "none" : params) << " | " << k.summary << " |\n";
  }
}

int CmdFaults(bool json, bool markdown) {
  if (markdown) {
    PrintFaultsMarkdown();
    return 0;
  }
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& k : FaultCatalog()) {
      nlohmann::ordered_json params = nlohmann::ordered_json::array();
      for (const auto& p : k.params) {
        params.push_back({{"name", p.name}, {"type", p.type}, {"default", p.default_value}, {"help", p.help},
                          {"required", p.required}});
      }
      out.push_back({{"kind", k.name}, {"plane", k.plane}, {"target", k.target}, {"params", params},
                     {"summary", k.summary}, {"effect", k.effect}, {"follows", k.follows}, {"crashes", k.crashes}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "Fault kinds (use them in a scenario's \"faults\": {\"at\", \"until\", \"target\", \"kind\", \"params\"}):\n";
  for (const auto& k : FaultCatalog()) {
    std::cout << "\n" << k.name << "\n  hits:    ";
    if (k.plane.empty()) std::cout << "the plane its `plane` parameter names\n";
    else {
      std::cout << "the " << k.plane << " plane (does it hurt "
                << (k.plane == "data" ? "carrying traffic" : k.plane == "control" ? "making changes" : "seeing the system")
                << "?)\n";
    }
    std::cout << "  target:  " << (k.target == "any" ? "any device id, or the station" : "a " + k.target + " id") << "\n";
    if (k.params.empty()) std::cout << "  params:  none\n";
    for (const auto& p : k.params) {
      std::cout << "  param:   " << p.name << " (" << p.type << ", "
                << (p.required ? "required" : p.default_value.empty() ? "optional" : "default " + p.default_value)
                << "): " << p.help << "\n";
    }
    std::cout << "  effect:  " << k.effect << "\n  follows: " << k.follows << "\n";
  }
  return 0;
}

/// `planelab kinds`: every registered device kind with the series its planes record (the loader's expectations
/// name these). --json for tools; --markdown for docs/outputs.md's table (a test keeps the two equal).
int CmdKinds(bool json, bool markdown) {
  const KindCatalog& kinds = BuiltinModels().kinds;
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& k : kinds.all()) {
      nlohmann::ordered_json metrics = nlohmann::ordered_json::array(), series = nlohmann::ordered_json::array();
      for (const MetricTable* t : k.tables) {
        for (const MetricDecl* d : t->metrics()) {
          metrics.push_back({{"plane", ToString(d->plane)}, {"name", d->name}, {"type", ToString(d->kind)},
                             {"unit", d->unit}, {"help", d->help}, {"instances", d->instances}, {"only", t->only()}});
        }
      }
      for (const auto& m : k.metrics) {
        series.push_back({{"plane", m.plane}, {"name", m.name}, {"unit", m.unit}, {"kind", m.kind}, {"help", m.help},
                          {"only", m.only}});
      }
      out.push_back({{"kind", k.kind}, {"help", k.help}, {"planes", k.planes}, {"metrics", metrics}, {"series", series}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (markdown) {
    std::cout << "| kind | plane | counters | gauges | histograms (→ `_p50`, `_p99`, `_count`) |\n"
                 "|---|---|---|---|---|\n";
    for (const auto& k : kinds.all()) {
      for (const MetricTable* t : k.tables) {
        std::string cells[3];
        std::set<std::string> listed;  // a closed hole's values are listed once a row
        for (const MetricDecl* d : t->metrics()) {
          std::string& cell = cells[static_cast<int>(d->kind)];  // counter, gauge, histogram
          if (!cell.empty()) cell += ", ";
          cell += "`" + d->name + "`" + (d->unit == "s" ? " (s)" : "");
          if (!d->instances.empty() && listed.insert(d->hole()).second) {
            cell += " (`<" + d->hole() + ">`: ";
            for (size_t i = 0; i < d->instances.size(); ++i) cell += (i ? ", " : "") + d->instances[i];
            cell += ")";
          }
        }
        std::cout << "| " << k.kind << (t->only().empty() ? "" : " (" + t->only() + ")") << " | "
                  << ToString(t->plane());
        for (const auto& c : cells) std::cout << " | " << (c.empty() ? "—" : c);
        std::cout << " |\n";
      }
    }
    return 0;
  }
  for (const auto& k : kinds.all()) {
    std::cout << k.kind << ": " << k.help << "\n";
    for (const auto& m : k.metrics) {
      std::cout << "  " << m.plane << "." << m.name << " [" << m.unit << "]  " << m.help
                << (m.only.empty() ? "" : "  (" + m.only + " only)") << "\n";
    }
    std::cout << "  every plane: health.actual, health.reported (states up, degraded, down, unknown, absent)\n\n";
  }
  return 0;
}

/// The scenario schema: the loader's base with every family's section (scenarios/scenario.schema.json is this).
int CmdSchema() {
  std::cout << ScenarioSchemaText(BuiltinModels().sections);
  return 0;
}

int CmdValidate(const std::vector<std::string>& files) {
  int rc = 0;
  for (const auto& f : files) {
    try {
      Scenario sc = LoadScenarioFile(f, BuiltinModels());
      std::cout << "ok: " << f << " (" << sc.devices.size() << " devices, " << sc.links.size() << " links, "
                << sc.workloads.size() << " workloads, " << sc.faults.size() << " faults, " << sc.expectations.size()
                << " expectations)\n";
    } catch (const ScenarioError& e) {
      std::cerr << "error: " << e.what() << "\n";
      SayWhatTheCommandTakes(f, "planelab validate takes scenario files, e.g. planelab validate scenarios/*/*.json");
      rc = kExitBadInput;
    }
  }
  return rc;
}

int CmdRun(const std::string& file, const std::vector<std::string>& sets, RunOptions opts, bool quiet, bool json) {
  InstallInterruptHandlers();
  Scenario sc;
  std::vector<experiment::Override> overrides;
  for (const auto& s : sets) {
    try {
      overrides.push_back(experiment::ParseOverride(s));
    } catch (const std::invalid_argument& e) {
      std::cerr << "error: " << e.what() << "\nnothing was run.\n";
      return kExitBadInput;
    }
  }
  try {
    sc = experiment::LoadScenarioWithOverrides(file, overrides, BuiltinModels());
  } catch (const ScenarioError& e) {
    std::cerr << "error: " << e.what() << "\n";
    SayWhatTheCommandTakes(file, "planelab run takes one scenario file, e.g. planelab run scenarios/incidents/dead-asic.json");
    std::cerr << "nothing was run.\n";
    return kExitBadInput;
  }
  if (int sig = Clock::StopRequested()) {
    std::cerr << "interrupted (" << SignalName(sig) << ") before the run started; nothing was run.\n";
    return ExitCodeOfSignal(sig);
  }
  ProgressBar bar(!quiet && !json && ::isatty(STDERR_FILENO));
  opts.progress = [&bar](double f) { bar.Update(f); };
  RunOutcome out;
  try {
    out = RunScenario(sc, opts);
  } catch (const UsageError& e) {
    bar.Done();
    std::cerr << "error: " << e.what() << "\nnothing was run.\n";
    return kExitBadInput;
  } catch (const RunKeptError& e) {
    bar.Done();
    std::cerr << "error: " << e.what() << "\n";
    return kExitInternal;
  } catch (const std::bad_alloc&) {
    bar.Done();
    std::cerr << "internal error: the run ran out of memory (" << sc.devices.size() << " devices, " << sc.links.size()
              << " links)\nno outputs were kept. Run a smaller scenario, or on a machine with more memory.\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    bar.Done();
    std::cerr << "internal error: " << e.what() << "\nno outputs were kept. Please report this with the scenario file.\n";
    return kExitInternal;
  }
  bar.Done();
  if (out.interrupted) {
    std::fprintf(stderr,
                 "interrupted (%s) at %.3fs of %.3fs simulated: the run is incomplete and has no summary.\n"
                 "Kept what it recorded until then in %s (run.sqlite, meta complete = false; the file INTERRUPTED).\n"
                 "The next run to %s removes that folder.\n",
                 SignalName(out.interrupted).c_str(), out.interrupted_at_s, ToSeconds(sc.duration),
                 out.out_dir.c_str(), out.out_dir.substr(0, out.out_dir.rfind(".partial-")).c_str());
    return ExitCodeOfSignal(out.interrupted);
  }
  if (json) {
    std::cout << out.summary.dump(2) << "\n";
  } else if (!quiet) {
    if (opts.seed) sc.seed = *opts.seed;
    std::cout << RenderStory(sc, out.summary);
    std::printf("\nRun folder: %s  (summary.json, run.sqlite, manifest.json; see docs/outputs.md)\n", out.out_dir.c_str());
    std::printf("%llu kernel events in %.2fs wall (%.0f events/s)\n", static_cast<unsigned long long>(out.events),
                out.wall_seconds, out.wall_seconds > 0 ? out.events / out.wall_seconds : 0.0);
  }
  if (int sig = Clock::StopRequested()) {
    std::cerr << "interrupted (" << SignalName(sig) << ") after the run completed; the complete run is in "
              << out.out_dir << "\n";
    return ExitCodeOfSignal(sig);
  }
  return out.all_passed ? 0 : 1;
}

/// `planelab compare RUN_A RUN_B`: 0 equivalent, 1 different (and how), 2 bad input.
int CmdCompare(const std::string& a, const std::string& b, bool json, double tolerance) {
  experiment::CompareOptions o;
  o.tolerance = tolerance;
  try {
    experiment::CompareReport r = experiment::CompareRuns(a, b, o);
    if (json) std::cout << r.ToJson().dump(2) << "\n";
    else std::cout << r.ToText();
    return r.equivalent() ? 0 : 1;
  } catch (const experiment::CompareRefused& e) {
    std::cerr << "error: " << e.what() << "\nnothing was compared.\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return kExitInternal;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "PlaneLab: a discrete-event simulator (on ns-3) of the data, control and management planes of networked\n"
      "systems. A scenario file sets a topology, workloads and a timeline of faults; a run measures how each\n"
      "plane degrades - traffic (data), the ability to change things (control), the ability to see (management)\n"
      "- and what the operators' dashboard reported meanwhile.\n\n"
      "Examples:\n"
      "  planelab run scenarios/incidents/dead-asic.json          run the dead-ASIC incident, print its story\n"
      "  planelab run scenarios/basics/link-failure-reroute.json --seed 7 --out /tmp/run1\n"
      "  planelab validate scenarios/*/*.json                     check scenario files without running them\n"
      "  planelab faults                                          every fault kind, the plane it hits, what follows\n"
      "  planelab kinds                                           device kinds and the metrics expectations can use\n"
      "  planelab schema > scenario.schema.json                   the JSON Schema of scenario files, for editors\n"
      "  planelab sweep studies/etcd-fsync.json -j2 --report      a parameter study over seeds, with confidence intervals\n"
      "  planelab compare runs/a runs/b                           how two runs of a scenario differ (exit 0 same, 1 not)\n"
      "  planelab regress -j2                                     every shipped scenario against its golden (tests/regress)\n"
      "  planelab exercise make exercises/net-01.json --class roster.txt --out class1   a drill for every student\n"
      "  planelab console class1/bundles/alice                    the operator console on a student's bundle\n"
      "  planelab exercise grade class1/keys answers/ --csv gradebook.csv               grade a class\n\n"
      "Exit codes: 0 every expectation holds, 1 an expectation failed, 2 bad input (nothing run), 3 internal error,\n"
      "130/143 interrupted by SIGINT/SIGTERM (what was recorded is kept in <run folder>.partial-<pid>, marked INTERRUPTED).",
      "planelab"};
  // Naming the allocator also keeps mimalloc linked (and so replacing malloc) under --as-needed.
#if PLANELAB_MIMALLOC
  app.set_version_flag("--version", std::string("planelab ") + PLANELAB_VERSION + " (ns-3 3.37, mimalloc " +
                                        std::to_string(mi_version() / 100) + "." + std::to_string(mi_version() / 10 % 10) +
                                        "." + std::to_string(mi_version() % 10) + ")");
#else
  app.set_version_flag("--version", std::string("planelab ") + PLANELAB_VERSION + " (ns-3 3.37, glibc malloc)");
#endif
  app.require_subcommand(1);

  auto* run = app.add_subcommand("run", "Run a scenario and print, per device and plane, what broke and what the dashboard showed");
  std::string scenario_file;
  RunOptions opts;
  uint64_t seed = 0;
  bool quiet = false, json = false;
  run->add_option("SCENARIO", scenario_file, "scenario file (JSON; see scenarios/ and scenarios/scenario.schema.json)")->required();
  run->add_option("--out", opts.out_dir, "run folder to create (default runs/<name>-s<seed>, never overwriting)");
  run->add_flag("--force", opts.force, "with --out: replace an earlier PlaneLab run in that folder");
  // Checked as text before conversion, so "abc" is "not a number" rather than "not in range".
  CLI::Validator seed_range(
      [](std::string& v) -> std::string {
        const std::string range = "give a whole number from 0 to 4294967295";
        bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
        bool negative = v.size() > 1 && v[0] == '-' && v.find_first_not_of("0123456789", 1) == std::string::npos;
        if (negative) return v + " is negative; " + range;
        if (!digits) return v + " is not a number; " + range;
        if (v.size() > 10 || std::stoull(v) > 4294967295ULL) return v + " is too large; " + range;
        return "";
      },
      "UINT 0..4294967295", "seed");
  auto* seed_opt = run->add_option("--seed", seed, "override the scenario's seed (same seed => byte-identical outputs)")
                       ->check(seed_range);
  auto* q = run->add_flag("--quiet", quiet, "print nothing; use the exit code and the run folder");
  run->add_flag("--json", json, "print summary.json to stdout instead of the story")->excludes(q);
  std::vector<std::string> sets;
  run->add_option("--set", sets,
                  "POINTER=VALUE: override a value of the scenario before it is validated (repeatable), e.g. "
                  "--set /faults/0/until=30s; VALUE is JSON if it parses as JSON, else a string")
      ->take_all()
      ->allow_extra_args(false);
  run->add_option("--pcap", opts.pcap_devices, "write pcap files (Wireshark) of these devices' interfaces into <run>/pcap/")
      ->expected(1, -1);

  auto* validate = app.add_subcommand("validate", "Check scenario files (syntax, schema, meaning) without running them");
  std::vector<std::string> files;
  validate->add_option("SCENARIO", files, "scenario files")->required()->expected(1, -1);

  auto* faults = app.add_subcommand("faults", "List every fault kind: the plane it hits, its parameters, what follows");
  bool faults_json = false, faults_markdown = false;
  faults->add_flag("--json", faults_json, "machine-readable list");
  faults->add_flag("--markdown", faults_markdown, "the table of docs/scenarios.md");
  auto* kinds = app.add_subcommand("kinds", "List device kinds and the metrics each plane declares (for expectations)");
  bool kinds_json = false, kinds_markdown = false;
  auto* kinds_json_flag = kinds->add_flag("--json", kinds_json, "machine-readable: each kind's declarations and series");
  kinds->add_flag("--markdown", kinds_markdown, "the per-kind summary table of docs/outputs.md")->excludes(kinds_json_flag);
  auto* compare = app.add_subcommand(
      "compare", "Compare two run folders: exit 0 equivalent, 1 different (the first diverging event, health, "
                 "expectations, series that differ), 2 bad input");
  std::string run_a, run_b;
  bool compare_json = false;
  double tolerance = 1e-9;
  compare->add_option("RUN_A", run_a, "a run folder")->required();
  compare->add_option("RUN_B", run_b, "another run of the same scenario")->required();
  compare->add_flag("--json", compare_json, "machine-readable report");
  compare->add_option("--tolerance", tolerance, "relative tolerance for metric samples (default 1e-9)")
      ->check(CLI::Range(0.0, 1e9));
  auto* sweep = app.add_subcommand(
      "sweep", "Run a study (studies/*.json): every parameter point x seed in its own process, resumable; "
               "results.sqlite, results.csv, --report for confidence intervals. On a cluster: --plan, then --task K "
               "per Slurm array element (scripts/slurm/submit.sh), then --merge");
  SweepOptions sweep_opts;
  sweep->add_option("STUDY", sweep_opts.study, "study file (JSON; studies/study.schema.json)")->required();
  sweep->add_option("-j,--jobs", sweep_opts.jobs, "runs at a time (default 1)")->check(CLI::Range(1, 1024));
  sweep->add_option("--out", sweep_opts.out_dir, "study folder (default runs/study-<name>; an existing one is resumed)");
  sweep->add_flag("--report", sweep_opts.report, "print, per point, mean, stdev and a 95% Student-t interval per column");
  sweep->add_flag("--yes", sweep_opts.yes, "allow a study of more than 100,000 runs");
  sweep->add_flag("--check", sweep_opts.check_only, "validate the study and every point, run nothing");
  // The cluster steps (docs/experiments.md, "Running a study on a cluster (Slurm)"); CmdSweep checks how they
  // combine and what --task and --shard hold, so the messages can say what to do instead.
  sweep->add_flag("--plan", sweep_opts.plan,
                  "cluster step 1: validate the study, write its task list (<out>/plan.json, tasks.tsv, numbered "
                  "0..N-1) and points, print the sbatch line; run nothing. Planning the same study again is fine");
  sweep->add_option("--task", sweep_opts.task,
                    "cluster step 2: run task K of the plan (e.g. $SLURM_ARRAY_TASK_ID) into the shared study folder, "
                    "record it in <out>/tasks/K.json; a complete run is skipped. No results files")
      ->type_name("K");
  sweep->add_option("--shard", sweep_opts.shard,
                    "cluster step 2, in N shards: run the plan's tasks whose number modulo N is I (-j at a time)")
      ->type_name("I/N");
  sweep->add_flag("--merge", sweep_opts.merge,
                  "cluster step 3: write results.sqlite and results.csv from the run folders and task records, as a "
                  "local sweep would; missing or failed tasks are named (exit 1)");
  auto* regress = app.add_subcommand(
      "regress",
      "The golden suite: run every shipped scenario (or those named) and compare it with its golden in tests/regress "
      "(the summary, digests of events and series in time windows); say which device, plane and window differ. "
      "Exit 0 all same, 1 a difference or a missing golden, 2 bad input. Run it from the source folder.");
  RegressOptions regress_opts;
  regress->add_option("SCENARIO", regress_opts.scenarios, "scenario files (default: every scenarios/**/*.json)");
  regress->add_option("-j,--jobs", regress_opts.jobs, "scenarios run at a time (default 1)")->check(CLI::Range(1, 1024));
  regress->add_flag("--update", regress_opts.update,
                    "rewrite the goldens of the scenarios that differ or are new (and remove stale ones), printing "
                    "what changed; review with git diff before committing");
  regress->add_option("--goldens", regress_opts.goldens_dir, "folder of goldens (default tests/regress)");
  regress->add_option("--scenarios", regress_opts.scenarios_dir, "folder searched when no scenario is named (default scenarios)");
  regress->add_option("--out", regress_opts.out_dir, "where the fresh runs go (default runs/regress)");
  regress->add_option("--runs", regress_opts.runs_dir,
                      "compare run folders made already (DIR/<folder>.<name> or DIR/scenario.<folder>.<name>, as the "
                      "test suite names them) instead of running");
  regress->add_option("--windows", regress_opts.windows, "time windows per run in new goldens (default 10)")
      ->check(CLI::Range(1, 1000));
  regress->add_option("--tolerance", regress_opts.tolerance, "relative tolerance for summary numbers (default 1e-9)")
      ->check(CLI::Range(0.0, 1e9));
  regress->add_flag("--json", regress_opts.json, "machine-readable verdicts");
  // The classroom (docs/classroom.md).
  auto* exercise = app.add_subcommand(
      "exercise", "Classroom drills (exercises/*.json): make a student's bundle and answer key, check exercise files, grade answers");
  exercise->require_subcommand(1);
  auto* ex_make = exercise->add_subcommand(
      "make", "Draw each student's variant of a drill, run it, and write bundles/<id>/ (only what operators could see: hand "
              "it out), keys/<id>.key.json and runs/<id>/ (for the instructor)");
  ExerciseMakeOptions make_opts;
  ex_make->add_option("EXERCISE", make_opts.exercise, "exercise file (exercises/*.json)")->required();
  ex_make->add_option("--student", make_opts.student, "one student's id (letters, digits, . _ - @)");
  ex_make->add_option("--class", make_opts.roster, "a roster file: one student id per line (# comments)");
  ex_make->add_option("--out", make_opts.out_dir, "the class folder (bundles/, keys/, runs/)")->required();
  ex_make->add_option("-j,--jobs", make_opts.jobs, "runs at a time (default 1)")->check(CLI::Range(1, 1024));
  ex_make->add_option("--rounds", make_opts.rounds,
                      "several incidents per student, as <id>.1 ... <id>.N (the warm-up's 'which plane?' round)")
      ->check(CLI::Range(1, 20));
  auto* ex_check = exercise->add_subcommand("check", "Validate exercise files: schema, scenario, every randomised choice");
  std::vector<std::string> check_files;
  ex_check->add_option("EXERCISE", check_files, "exercise files")->required();
  auto* ex_grade = exercise->add_subcommand(
      "grade", "Grade answers: KEY ANSWERS.json prints the score and feedback per question; KEY-DIR ANSWERS-DIR grades a "
               "class (answers named <student>.json), --csv writes the gradebook");
  std::string grade_key, grade_answers, grade_csv;
  ex_grade->add_option("KEY", grade_key, "a key file (keys/<id>.key.json) or the keys folder")->required();
  ex_grade->add_option("ANSWERS", grade_answers, "the student's answers.json, or a folder of <student>.json")->required();
  ex_grade->add_option("--csv", grade_csv, "write the gradebook (one row per student, points per question)");
  auto* console = app.add_subcommand(
      "console", "The operator console on a student bundle: show interfaces/ip route/ip bgp summary/processes cpu/logging, "
                 "ping, traceroute, kubectl, etcdctl, curl, the dashboard, the helpdesk - at a clock you set; answer and submit");
  ConsoleOptions console_opts;
  console->add_option("BUNDLE", console_opts.bundle, "a bundle folder (bundles/<id>)")->required();
  console->add_option("--cmd", console_opts.commands, "run this command and exit (repeatable; exit 2 on an unknown command)");
  console->add_option("--at", console_opts.at, "start the clock here (e.g. 30s)");
  console->add_option("--answers", console_opts.answers_path, "where `submit` writes (default BUNDLE/answers.json)");
  auto* schema = app.add_subcommand("schema", "Print the JSON Schema of scenario files (each model family adds its section)");

  // The command is the first word that is not a flag: CLI11 would call an unknown one "a subcommand is required".
  std::string known;
  std::set<std::string> commands;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    known += (known.empty() ? "" : ", ") + sub->get_name();
    commands.insert(sub->get_name());
  }
  bool wants_help = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h" || a == "--version") wants_help = true;
    if (a.empty() || a[0] == '-') continue;
    if (!commands.count(a)) {
      std::cerr << "error: unknown command \"" << a << "\"; the commands are " << known
                << " (planelab --help says what each does)\n";
      return kExitBadInput;
    }
    break;
  }
  if (argc < 2 || (!wants_help && std::none_of(argv + 1, argv + argc, [](const char* a) { return a[0] != '-'; }))) {
    std::cerr << "error: give a command: " << known << " (planelab --help says what each does)\n";
    return kExitBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }
  if (*seed_opt) opts.seed = seed;
  // Running out of memory is an error with a message, never a signal. mimalloc (plain C) aborts when `new` fails;
  // its error callback can throw the std::bad_alloc the standard says instead. Loading turns it into a scenario
  // error (exit 2); anywhere else it ends here (exit 3).
#if PLANELAB_MIMALLOC
  mi_register_error([](int err, void*) { if (err == ENOMEM) throw std::bad_alloc(); }, nullptr);
#endif
  try {
    if (run->parsed()) return CmdRun(scenario_file, sets, opts, quiet, json);
    if (validate->parsed()) return CmdValidate(files);
    if (faults->parsed()) return CmdFaults(faults_json, faults_markdown);
    if (schema->parsed()) return CmdSchema();
    if (sweep->parsed()) return CmdSweep(sweep_opts);
    if (compare->parsed()) return CmdCompare(run_a, run_b, compare_json, tolerance);
    if (regress->parsed()) return CmdRegress(regress_opts);
    if (ex_make->parsed()) return CmdExerciseMake(make_opts);
    if (ex_check->parsed()) return CmdExerciseCheck(check_files);
    if (ex_grade->parsed()) return CmdExerciseGrade(grade_key, grade_answers, grade_csv);
    if (console->parsed()) return CmdConsole(console_opts);
    return CmdKinds(kinds_json, kinds_markdown);
  } catch (const std::bad_alloc&) {
    std::cerr << "internal error: out of memory\n";
    return kExitInternal;
  }
}
