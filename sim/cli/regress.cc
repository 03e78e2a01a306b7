#include "sim/cli/regress.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "sim/cli/worker_pool.h"
#include "sim/experiment/run_fingerprint.h"
#include "sim/trace/run_reader.h"
#include "sim/util/atomic_file.h"

namespace planelab {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
using experiment::CompareRefused;
using experiment::RunFingerprint;

constexpr int kExitBadInput = 2;
constexpr size_t kMaxGoldenBytes = 64u << 20;  // the 1,000-router golden is about 1 MB

struct Case {
  std::string file, name, golden, run_dir, log;
  std::string status;  // "same", "differs", "new", "failed", "no-golden"
  std::string message;
  int exit_code = -1;
  experiment::CompareReport report;
  bool have_report = false;
  std::string golden_text;  // the committed golden as read ("" when there is none)
  std::string fresh_text;   // the fresh golden, for --update
};

/// "basics.dead-asic" for scenarios/basics/dead-asic.json: the scenario's folder and name, as the tests name runs.
std::string CaseName(const fs::path& file) {
  return file.parent_path().filename().string() + "." + file.stem().string();
}

std::string SqlQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

/// The fresh run's events in each differing window (a few per window): the golden has only their digest, the run
/// has the events themselves, so the reader sees what happens there now.
void ListFreshEvents(const std::string& run_dir, experiment::CompareReport& r) {
  try {
    RunStoreReader reader((fs::path(run_dir) / "run.sqlite").string());
    for (auto& w : r.event_windows) {
      std::string where = "t_s >= " + std::to_string(w.from_s) + " AND t_s < " + std::to_string(w.to_s) +
                          " AND plane = " + SqlQuote(w.plane) + (w.device == "*" ? "" : " AND device = " + SqlQuote(w.device));
      reader.ForEach("SELECT seq, t_s, device, plane, kind, detail FROM events WHERE " + where + " ORDER BY seq LIMIT 4",
                     "events", [&](const RunStoreReader::Row& row) {
                       w.b_events.push_back(experiment::EventRow{static_cast<long long>(row.Real(0)), row.Real(1),
                                                                 row.Text(2), row.Text(3), row.Text(4), row.Text(5)});
                     });
    }
  } catch (const std::exception&) {
    // The listing is a courtesy; the comparison already stands.
  }
}


std::string Indent(const std::string& text, const std::string& pad) {
  std::string out;
  bool bol = true;
  for (char c : text) {
    if (bol && c != '\n') out += pad;
    out += c;
    bol = c == '\n';
  }
  return out;
}

}  // namespace

int CmdRegress(const RegressOptions& o) {
  // The scenarios: named, or every one shipped.
  std::vector<fs::path> files;
  bool whole_suite = o.scenarios.empty();
  std::error_code ec;
  if (whole_suite) {
    if (!fs::is_directory(o.scenarios_dir, ec)) {
      std::cerr << "error: " << o.scenarios_dir << ": no such folder; run `planelab regress` from the source folder "
                << "(it reads scenarios/ and tests/regress/), or give --scenarios DIR or scenario files\n";
      return kExitBadInput;
    }
    for (auto it = fs::recursive_directory_iterator(o.scenarios_dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_regular_file() && it->path().extension() == ".json" && it->path().filename() != "scenario.schema.json") {
        files.push_back(it->path());
      }
    }
    std::sort(files.begin(), files.end());
  } else {
    for (const auto& f : o.scenarios) {
      if (!fs::is_regular_file(f, ec)) {
        std::cerr << "error: " << f << ": no such scenario file (give scenario files such as "
                  << "scenarios/incidents/dead-asic.json, or none for every shipped scenario)\n";
        return kExitBadInput;
      }
      files.push_back(f);
    }
  }
  if (files.empty()) {
    std::cerr << "error: " << o.scenarios_dir << ": no scenario files (*.json) in it\n";
    return kExitBadInput;
  }
  if (!fs::is_directory(o.goldens_dir, ec)) {
    if (!o.update) {
      std::cerr << "error: " << o.goldens_dir << ": no such folder of goldens; give --goldens DIR, or --update to "
                << "record them\n";
      return kExitBadInput;
    }
    fs::create_directories(o.goldens_dir, ec);
    if (ec) {
      std::cerr << "error: " << o.goldens_dir << ": cannot be made: " << ec.message() << "\n";
      return kExitBadInput;
    }
  }
  std::vector<Case> cases;
  std::set<std::string> names;
  for (const auto& f : files) {
    Case c;
    c.file = f.string();
    c.name = CaseName(f);
    if (!names.insert(c.name).second) {
      std::cerr << "error: " << f.string() << ": two scenarios would share the golden " << c.name
                << ".golden.json; name them apart\n";
      return kExitBadInput;
    }
    c.golden = (fs::path(o.goldens_dir) / (c.name + ".golden.json")).string();
    cases.push_back(c);
  }
  // The runs: made now, or taken from a folder of runs made already (the test suite's).
  if (!o.runs_dir.empty()) {
    if (!fs::is_directory(o.runs_dir, ec)) {
      std::cerr << "error: --runs " << o.runs_dir << ": no such folder\n";
      return kExitBadInput;
    }
    for (auto& c : cases) {
      for (const std::string& n : {c.name, "scenario." + c.name}) {
        fs::path d = fs::path(o.runs_dir) / n;
        if (fs::is_directory(d, ec)) {
          c.run_dir = d.string();
          break;
        }
      }
      if (c.run_dir.empty()) {
        c.status = "failed";
        c.message = "no run folder " + c.name + " (or scenario." + c.name + ") in " + o.runs_dir;
      }
    }
  } else {
    fs::create_directories(o.out_dir, ec);
    if (ec) {
      std::cerr << "error: --out " << o.out_dir << ": cannot be made: " << ec.message() << "\n";
      return kExitBadInput;
    }
    std::vector<WorkerJob> jobs;
    for (auto& c : cases) {
      c.run_dir = (fs::path(o.out_dir) / c.name).string();
      c.log = (fs::path(o.out_dir) / (c.name + ".stderr")).string();
      jobs.push_back(WorkerJob{{"run", c.file, "--out", c.run_dir, "--quiet", "--force"}, c.log, -1});
    }
    bool tty = ::isatty(STDERR_FILENO) && !o.json;
    size_t finished = 0;
    auto start = std::chrono::steady_clock::now();
    int stop = RunWorkerJobs(jobs, o.jobs, [&](size_t i) {
      ++finished;
      cases[i].exit_code = jobs[i].exit_code;
      double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (tty) {
        std::fprintf(stderr, "\r  regress: %zu/%zu scenarios run, %.0fs elapsed, ~%.0fs left   ", finished, jobs.size(),
                     wall, wall / finished * (jobs.size() - finished));
      }
    });
    if (tty) std::fprintf(stderr, "\n");
    if (stop) {
      std::cerr << "interrupted: no golden was compared or written; the runs so far are in " << o.out_dir << "\n";
      return 128 + stop;
    }
    for (auto& c : cases) {
      if (c.exit_code != 0 && c.exit_code != 1) {
        c.status = "failed";
        c.message = "planelab run exited " + std::to_string(c.exit_code) + ": " + LogTail(c.log, 600);
      }
    }
  }
  // Compare each with its golden.
  experiment::CompareOptions copts;
  copts.tolerance = o.tolerance;
  copts.max_listed = 12;
  for (auto& c : cases) {
    if (c.status == "failed") continue;
    std::optional<RunFingerprint> golden;
    if (fs::exists(c.golden, ec)) {
      try {
        if (fs::file_size(c.golden, ec) > kMaxGoldenBytes) throw CompareRefused(c.golden + ": larger than 64 MB");
        std::ifstream in(c.golden, std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        c.golden_text = s.str();
        json j = json::parse(c.golden_text, nullptr, false);
        if (j.is_discarded()) throw CompareRefused(c.golden + ": not valid JSON; rewrite it with `planelab regress --update`");
        golden = RunFingerprint::FromJson(j, c.golden);
      } catch (const CompareRefused& e) {
        if (!o.update) {
          c.status = "failed";
          c.message = e.what();
          continue;
        }
      }
    }
    try {
      RunFingerprint now = experiment::FingerprintRun(c.run_dir, golden ? golden->windows : o.windows);
      c.fresh_text = now.ToText();
      if (!golden) {
        c.status = "new";
        continue;
      }
      c.report = experiment::CompareFingerprints(*golden, now, c.golden, c.run_dir, copts);
      c.have_report = true;
      if (!c.report.same_scenario_text) {
        c.message = "the scenario file changed since the golden was recorded";
      }
      c.status = c.report.equivalent() ? "same" : "differs";
      if (!c.report.equivalent()) ListFreshEvents(c.run_dir, c.report);
    } catch (const CompareRefused& e) {
      c.status = "failed";
      c.message = e.what();
    }
  }
  // Goldens no scenario has any more (only when the whole suite ran).
  std::vector<std::string> stale;
  if (whole_suite) {
    for (auto it = fs::directory_iterator(o.goldens_dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      std::string f = it->path().filename().string();
      const std::string suffix = ".golden.json";
      if (f.size() > suffix.size() && f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0 &&
          !names.count(f.substr(0, f.size() - suffix.size()))) {
        stale.push_back(it->path().string());
      }
    }
    std::sort(stale.begin(), stale.end());
  }
  // --update: write what is new or changed, remove what is stale.
  size_t written = 0;
  bool write_failed = false;
  if (o.update) {
    for (auto& c : cases) {
      if ((c.status == "differs" || c.status == "new") || (c.status == "same" && !c.fresh_text.empty())) {
        if (c.status == "same") {
          // Rewritten only when the bytes differ (a new PlaneLab version, say), so an unchanged golden keeps its date.
          if (c.golden_text == c.fresh_text) continue;
        }
        if (WriteFileAtomically(c.golden, c.fresh_text)) {
          ++written;
        } else {
          std::cerr << "error: cannot write " << c.golden << "\n";
          write_failed = true;
        }
      }
    }
    for (const auto& s : stale) fs::remove(s, ec);
  }
  // The verdict.
  size_t same = 0, differ = 0, fresh = 0, failed = 0;
  for (const auto& c : cases) {
    same += c.status == "same";
    differ += c.status == "differs";
    fresh += c.status == "new";
    failed += c.status == "failed";
  }
  if (o.json) {
    ojson out;
    out["goldens"] = o.goldens_dir;
    out["updated"] = o.update;
    out["scenarios"] = ojson::array();
    for (const auto& c : cases) {
      ojson x = {{"name", c.name}, {"scenario", c.file}, {"golden", c.golden}, {"run", c.run_dir}, {"status", c.status}};
      if (!c.message.empty()) x["message"] = c.message;
      if (c.have_report && c.status == "differs") x["difference"] = c.report.ToJson();
      out["scenarios"].push_back(x);
    }
    out["stale_goldens"] = stale;
    out["counts"] = {{"same", same}, {"differs", differ}, {"new", fresh}, {"failed", failed}};
    std::cout << out.dump(2) << "\n";
  } else {
    for (const auto& c : cases) {
      if (c.status == "same") {
        std::cout << "same     " << c.name << (c.message.empty() ? "" : " (" + c.message + ")") << "\n";
      } else if (c.status == "new") {
        std::cout << "NEW      " << c.name << ": no golden yet" << (o.update ? "; recorded in " + c.golden : "; `planelab regress --update` records it") << "\n";
      } else if (c.status == "failed") {
        std::cout << "FAILED   " << c.name << ": " << c.message << "\n";
      } else {
        std::cout << "DIFFERS  " << c.name << (c.message.empty() ? "" : " (" + c.message + ")")
                  << (o.update ? "; golden rewritten. What changed:" : ":") << "\n";
        std::cout << Indent(c.report.ToText(), "    ");
      }
    }
    for (const auto& s : stale) {
      std::cout << "STALE    " << s << ": no scenario has this golden any more" << (o.update ? "; removed" : "; --update removes it") << "\n";
    }
    std::cout << "\n" << cases.size() << " scenarios: " << same << " same, " << differ << " differ, " << fresh << " new, "
              << failed << " failed";
    if (o.update) std::cout << "; " << written << " golden" << (written == 1 ? "" : "s") << " written in " << o.goldens_dir;
    std::cout << "\n";
  }
  if (write_failed) return 1;
  if (failed) return 1;
  if (o.update) return 0;
  return differ || fresh || !stale.empty() ? 1 : 0;
}

}  // namespace planelab
