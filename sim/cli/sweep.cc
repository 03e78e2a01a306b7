#include "sim/cli/sweep.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "models/models.h"
#include "sim/cli/worker_pool.h"
#include "sim/experiment/overrides.h"
#include "sim/probe/expectations.h"
#include "sim/scenario/scenario_loader.h"
#include "sim/trace/run_reader.h"
#include "sim/util/atomic_file.h"
#include "sim/util/hash.h"
#include "sim/util/json_locate.h"
#include "sim/util/schema_check.h"
#include "study_schema.h"

namespace planelab {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr const char* kColumnPrefix = "study-column.";

std::string CsvCell(const nlohmann::ordered_json& v);

struct StudyError {
  std::vector<std::string> problems;
};

struct Axis {
  std::vector<std::string> pointers;
  std::string name;
  std::vector<ojson> values;
};

struct Column {
  std::string id;
  ojson spec;
};

struct Point {
  std::string name;                         // p000...
  std::string scenario_file;                // as resolved
  std::vector<std::pair<std::string, ojson>> params;  // axis name -> value
  std::string text;                         // the overridden scenario document
  std::string hash;                         // fnv1a64:<hex> of text, as the run records it
  Scenario with_columns;                    // for evaluating the columns
};

struct Study {
  std::string name, file;
  std::vector<Point> points;
  std::vector<uint64_t> seeds;
  std::vector<Column> columns;
  std::vector<std::string> param_names;
};

std::string Where(const std::string& file, const JsonLineIndex& lines, const std::string& pointer) {
  int line = lines.LineOf(pointer);
  return file + (line ? ":" + std::to_string(line) : "") + ": " + (pointer.empty() ? "/" : pointer) + ": ";
}

std::string ReadFile(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A study holds names, pointers, seeds and short values: bounds on its text, checked before it is parsed or
// matched against the schema, keep a hostile file from costing more than a scenario file may.
constexpr size_t kMaxStudyFileBytes = kMaxScenarioFileBytes;
// valijson matches "pattern" with std::regex, which recurses once per character (a 100,000-character name
// overflowed the stack); no string a study needs is anywhere near this long.
constexpr size_t kMaxStudyString = 1024;

// The study file's text, its size told before it is read (a regular file) or as it is read (a pipe).
std::string ReadStudyFile(const std::string& file, const std::function<void(const std::string&)>& fail) {
  std::error_code ec;
  if (fs::is_directory(file, ec)) fail(file + ": is a folder; give a study file such as studies/etcd-fsync.json");
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file + ": cannot open the study file: check the path, and that the file is readable");
  if (fs::is_regular_file(file, ec)) {
    uintmax_t size = fs::file_size(file, ec);
    if (!ec && size > kMaxStudyFileBytes) {
      fail(file + ": the study file has " + std::to_string(size) + " bytes; at most " +
           std::to_string(kMaxStudyFileBytes) + " are read (a study is a few kilobytes)");
    }
  }
  std::string text;
  char chunk[65536];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxStudyFileBytes) {
      fail(file + ": the study file has more than " + std::to_string(kMaxStudyFileBytes) + " bytes; a study is a few kilobytes");
    }
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    fail(file + ": the file is empty; a study is a JSON object such as studies/etcd-fsync.json");
  }
  return text;
}

// The first string longer than kMaxStudyString, as a JSON pointer; "" when none.
std::string FindLongString(const json& v, const std::string& at) {
  if (v.is_string()) return v.get_ref<const std::string&>().size() > kMaxStudyString ? (at.empty() ? "/" : at) : "";
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it.key().size() > kMaxStudyString) return at + "/" + JsonPointerEscape(it.key().substr(0, 40)) + "...";
      std::string f = FindLongString(it.value(), at + "/" + JsonPointerEscape(it.key()));
      if (!f.empty()) return f;
    }
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) {
      std::string f = FindLongString(v[i], at + "/" + std::to_string(i));
      if (!f.empty()) return f;
    }
  }
  return "";
}

Study LoadStudy(const std::string& file, bool yes) {
  StudyError err;
  auto fail = [&](const std::string& m) {
    err.problems.push_back(m);
    throw err;
  };
  std::string text = ReadStudyFile(file, fail);
  // One pass before parsing: lines for messages, the nesting depth (parsing and validating recurse once per
  // level), keys given twice (JSON keeps only the last).
  JsonLineIndex lines(text, kMaxScenarioNesting);
  if (lines.too_deep_line() > 0) {
    fail(file + ":" + std::to_string(lines.too_deep_line()) + ": the JSON nests deeper than " +
         std::to_string(kMaxScenarioNesting) + " levels of [ and { here; a study needs about 5");
  }
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    auto [line, col] = LineColumnOf(text, e.byte > 0 ? e.byte - 1 : 0);
    fail(file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": not valid JSON: " + e.what());
  } catch (const json::out_of_range& e) {
    fail(file + ": a number no double can hold (" + std::string(e.what()) + "); seeds and values in a study are far smaller, so check for a typo");
  }
  for (const auto& d : lines.duplicate_keys()) {
    err.problems.push_back(Where(file, lines, d.pointer) + "this key is given twice in one object (first at line " +
                           std::to_string(d.first_line) + "); JSON keeps only the last one, so remove the other");
  }
  if (!err.problems.empty()) throw err;
  if (std::string at = FindLongString(doc, ""); !at.empty()) {
    fail(Where(file, lines, at) + "a string of more than " + std::to_string(kMaxStudyString) +
         " characters; a study's names, pointers and values are short");
  }
  if (auto found = SchemaProblems(doc, kStudySchema); !found.empty()) {
    for (const auto& [pointer, what] : found) err.problems.push_back(Where(file, lines, pointer) + what + " (studies/study.schema.json)");
    throw err;
  }
  Study st;
  st.file = file;
  st.name = doc["name"];
  // Seeds.
  if (doc["seeds"].is_string()) {
    std::string s = doc["seeds"];
    size_t dots = s.find("..");
    unsigned long long a = std::stoull(s.substr(0, dots)), b = std::stoull(s.substr(dots + 2));
    if (a > b) fail(Where(file, lines, "/seeds") + "the seed range \"" + s + "\" runs backwards; write \"" +
                    std::to_string(b) + ".." + std::to_string(a) + "\"");
    if (b > 4294967295ull) fail(Where(file, lines, "/seeds") + "seeds go up to 4294967295");
    if (b - a >= 1000000) fail(Where(file, lines, "/seeds") + "more than a million seeds");
    for (unsigned long long x = a; x <= b; ++x) st.seeds.push_back(x);
  } else {
    std::set<uint64_t> seen;
    for (size_t i = 0; i < doc["seeds"].size(); ++i) {
      uint64_t s = doc["seeds"][i];
      if (!seen.insert(s).second) fail(Where(file, lines, "/seeds/" + std::to_string(i)) + "seed " + std::to_string(s) + " is listed twice");
      st.seeds.push_back(s);
    }
  }
  // Axes.
  std::vector<Axis> axes;
  if (doc.contains("axes")) {
    for (size_t i = 0; i < doc["axes"].size(); ++i) {
      const json& a = doc["axes"][i];
      std::string at = "/axes/" + std::to_string(i);
      Axis ax;
      if (a["pointer"].is_string()) ax.pointers.push_back(a["pointer"]);
      else for (const auto& q : a["pointer"]) ax.pointers.push_back(q);
      ax.name = a.contains("name") ? a["name"].get<std::string>()
                                   : ax.pointers[0].substr(ax.pointers[0].rfind('/') + 1);
      if (a.contains("values")) {
        for (const auto& v : a["values"]) ax.values.push_back(ojson::parse(v.dump()));
        if (ax.values.empty()) fail(Where(file, lines, at + "/values") + "an empty axis: give at least one value");
      } else {
        double from = a["range"]["from"], to = a["range"]["to"], step = a["range"]["step"];
        if (!(step > 0)) fail(Where(file, lines, at + "/range/step") + "the step must be above 0");
        if (to < from) fail(Where(file, lines, at + "/range") + "the range runs backwards (to < from): an empty axis");
        double n = std::floor((to - from) / step + 1e-9);
        if (n > 1e6) fail(Where(file, lines, at + "/range") + "more than a million values");
        for (long k = 0; k <= static_cast<long>(n); ++k) {
          double v = from + k * step;
          ojson jv = v == std::floor(v) && std::fabs(v) < 1e15 ? ojson(static_cast<long long>(v)) : ojson(v);
          ax.values.push_back(jv);
        }
      }
      for (const auto& other : axes) {
        if (other.name == ax.name) fail(Where(file, lines, at) + "two axes are named \"" + ax.name + "\"; give one a \"name\"");
      }
      axes.push_back(ax);
    }
  }
  unsigned long long points = doc["scenarios"].size();
  for (const auto& a : axes) {
    points *= a.values.size();
    if (points > 100000000ull) break;
  }
  unsigned long long runs = points * st.seeds.size();
  if (runs > 100000 && !yes) {
    fail(file + ": the study has " + std::to_string(runs) + " runs (" + std::to_string(points) + " points x " +
         std::to_string(st.seeds.size()) + " seeds), over 100,000: pass --yes if you mean it");
  }
  for (const auto& a : axes) st.param_names.push_back(a.name);
  // Columns, as expectations appended to each point's scenario (the loader checks them, the evaluator reads them).
  if (doc.contains("columns")) {
    std::set<std::string> ids;
    for (const auto& c : doc["columns"]) {
      if (!ids.insert(c["id"].get<std::string>()).second) fail(file + ": two columns have the id \"" + c["id"].get<std::string>() + "\"");
      ojson spec = ojson::parse(c.dump());
      spec.erase("description");
      spec["id"] = kColumnPrefix + c["id"].get<std::string>();
      spec["op"] = ">=";
      spec["bound"] = 0;
      st.columns.push_back({c["id"], spec});
    }
  }
  // Fixed overrides.
  std::vector<experiment::Override> fixed;
  if (doc.contains("set")) {
    for (auto it = doc["set"].begin(); it != doc["set"].end(); ++it) {
      experiment::Override o;
      o.pointer = it.key();
      o.value = ojson::parse(it.value().dump());
      fixed.push_back(o);
    }
  }
  // Every point, validated before anything runs.
  fs::path base = fs::path(file).parent_path();
  std::vector<std::string> problems;
  for (size_t si = 0; si < doc["scenarios"].size(); ++si) {
    std::string rel = doc["scenarios"][si];
    std::string sfile = (base / rel).lexically_normal().string();
    std::string stext;
    try {
      stext = ReadScenarioFile(sfile);  // refuses a folder, an unreadable file and one too large, before reading it
    } catch (const ScenarioError& e) {
      std::string why = e.problems().empty() ? e.what() : e.problems()[0].message;
      fail(Where(file, lines, "/scenarios/" + std::to_string(si)) + "the scenario " + sfile + ": " + why);
    }
    size_t combos = 1;
    for (const auto& a : axes) combos *= a.values.size();
    for (size_t k = 0; k < combos; ++k) {
      Point p;
      p.scenario_file = sfile;
      std::vector<experiment::Override> ov = fixed;
      size_t rest = k;
      std::vector<std::string> axis_at;
      std::vector<size_t> idx(axes.size());
      for (size_t ai = axes.size(); ai-- > 0;) {
        idx[ai] = rest % axes[ai].values.size();
        rest /= axes[ai].values.size();
      }
      for (size_t ai = 0; ai < axes.size(); ++ai) {
        const ojson& v = axes[ai].values[idx[ai]];
        for (const auto& ptr : axes[ai].pointers) ov.push_back({ptr, v});
        p.params.push_back({axes[ai].name, v});
        axis_at.push_back("/axes/" + std::to_string(ai) + "/values/" + std::to_string(idx[ai]));
      }
      char name[32];
      std::snprintf(name, sizeof name, "p%03zu", static_cast<size_t>(si * combos + k));
      p.name = name;
      std::string label = file + " point " + p.name + " (" + rel;
      for (const auto& [n, v] : p.params) label += ", " + n + "=" + CsvCell(v);
      label += ")";
      std::string where = axis_at.empty() ? Where(file, lines, "/scenarios/" + std::to_string(si))
                                          : Where(file, lines, axis_at.back());
      size_t nexp = 0;
      try {
        p.text = experiment::ApplyOverrides(stext, sfile, ov);
        Scenario sc = ParseScenarioText(p.text, label, BuiltinModels());
        nexp = sc.expectations.size();
      } catch (const ScenarioError& e) {
        for (const auto& pr : e.problems()) problems.push_back(where + pr.Format());
        if (problems.size() >= 20) break;
        continue;
      }
      try {
        std::vector<experiment::Override> cols;
        for (const auto& c : st.columns) cols.push_back({"/expectations/-", c.spec});
        std::string with = experiment::ApplyOverrides(p.text, sfile, cols);
        p.with_columns = ParseScenarioText(with, label, BuiltinModels());
      } catch (const ScenarioError& e) {
        for (const auto& pr : e.problems()) {
          std::string at = where;
          std::string message = pr.message;
          if (pr.pointer.rfind("/expectations/", 0) == 0) {
            size_t i = std::strtoul(pr.pointer.c_str() + 14, nullptr, 10);
            if (i >= nexp) {
              std::string rest = pr.pointer.substr(14);
              rest = rest.find('/') == std::string::npos ? "" : rest.substr(rest.find('/'));
              at = Where(file, lines, "/columns/" + std::to_string(i - nexp) + rest) + "(in " + label + ") ";
            }
          }
          problems.push_back(at + message);
        }
        if (problems.size() >= 20) break;
        continue;
      }
      p.hash = "fnv1a64:" + Fnv1a64Hex(p.text);
      st.points.push_back(std::move(p));
    }
  }
  if (!problems.empty()) {
    err.problems = problems;
    throw err;
  }
  return st;
}

// ---- Running ------------------------------------------------------------------------------

int g_stop = 0;  // the signal that stopped the last batch of runs (RunWorkerJobs), 0 when none

/// One (point x seed) run of a study; `index` is its task number in the plan (points outer, seeds inner).
struct Task {
  size_t index = 0;
  const Point* point = nullptr;
  uint64_t seed = 0;
  std::string dir, log;
  std::string status;  // "done", "skipped", "failed", "interrupted", "missing", "pending"
  int exit_code = -1;
  std::string message;
};

// The same numbering for the local sweep, the plan, --task, --shard and --merge: results come out in one order.
std::vector<Task> ExpandTasks(const Study& st, const fs::path& out) {
  std::vector<Task> tasks;
  for (const auto& p : st.points) {
    for (uint64_t s : st.seeds) {
      Task t;
      t.index = tasks.size();
      t.point = &p;
      t.seed = s;
      t.dir = (out / "runs" / (p.name + "-s" + std::to_string(s))).string();
      t.log = (out / "logs" / (p.name + "-s" + std::to_string(s) + ".stderr")).string();
      t.status = "pending";
      tasks.push_back(t);
    }
  }
  return tasks;
}

/// A complete run of the same scenario text, seed and version: skipped on resume.
bool CompleteRun(const Task& t) {
  std::error_code ec;
  fs::path d(t.dir);
  if (!fs::exists(d / "manifest.json", ec) || !fs::exists(d / "summary.json", ec) || !fs::exists(d / "run.sqlite", ec)) return false;
  try {
    RunStoreReader r((d / "run.sqlite").string());
    return r.Meta("complete") == "true" && r.Meta("scenario_hash") == t.point->hash &&
           r.Meta("seed") == std::to_string(t.seed) && r.Meta("planelab_version") == PLANELAB_VERSION &&
           !r.Meta("content_digest").empty();
  } catch (const std::exception&) {
    return false;
  }
}


std::string HostName() {
  char h[256] = {};
  if (gethostname(h, sizeof h - 1) != 0) return "host";
  return h;
}


/// Runs `todo` in worker processes (sim/cli/worker_pool.h), `jobs` at a time, until all ended or SIGINT/SIGTERM;
/// `finished` is called as each one ends (its status set). Returns {done, failed}; g_stop holds the signal.
std::pair<size_t, size_t> RunTasks(const std::string& name, std::vector<Task*> todo, int jobs, size_t skipped,
                                   const std::map<const Point*, std::string>& point_files,
                                   const std::function<void(Task&)>& finished) {
  std::vector<WorkerJob> work;
  for (Task* t : todo) {
    // An incomplete or stale run in the study's own folder: made again from scratch.
    std::error_code rm;
    if (fs::exists(t->dir, rm)) fs::remove_all(t->dir, rm);
    work.push_back(WorkerJob{{"run", point_files.at(t->point), "--seed", std::to_string(t->seed), "--out", t->dir,
                              "--quiet", "--force"},
                             t->log, -1});
  }
  bool tty = ::isatty(STDERR_FILENO);
  size_t done = 0, failed = 0;
  jobs = std::max(1, jobs);
  auto start = std::chrono::steady_clock::now();
  auto progress = [&](bool final) {
    if (!tty) return;
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    size_t finished_n = done + failed;
    size_t running = std::min(static_cast<size_t>(jobs), todo.size() - finished_n);
    double eta = finished_n ? wall / finished_n * (todo.size() - finished_n) : 0;
    std::fprintf(stderr, "\r  sweep %s: %zu/%zu done, %zu failed, %zu running, %zu skipped, %.0fs elapsed%s%.0fs left  ",
                 name.c_str(), done, todo.size(), failed, running, skipped, wall, finished_n ? ", ~" : ", ? ",
                 finished_n ? eta : 0.0);
    if (final) std::fprintf(stderr, "\n");
  };
  g_stop = RunWorkerJobs(work, jobs, [&](size_t i) {
    Task& t = *todo[i];
    t.exit_code = work[i].exit_code;
    bool stopping = WorkerStopRequested() != 0;
    if ((t.exit_code == 0 || t.exit_code == 1) && CompleteRun(t)) {
      t.status = "done";
      ++done;
    } else {
      t.status = stopping ? "interrupted" : "failed";
      t.message = t.exit_code == 127 && !fs::exists(t.log) ? "fork failed" : LogTail(t.log, 400);
      ++failed;
      if (!stopping) {
        std::fprintf(stderr, "%s%s seed %llu failed (exit %d): %s\n", tty ? "\r" : "", t.point->name.c_str(),
                     static_cast<unsigned long long>(t.seed), t.exit_code, t.message.c_str());
      }
    }
    finished(t);
    progress(false);
  });
  progress(true);
  return {done, failed};
}

// ---- Results ------------------------------------------------------------------------------

double TQuantile975(size_t df) {
  static const double t[] = {0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
                             2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
                             2.056, 2.052, 2.048, 2.045, 2.042};
  if (df == 0) return NAN;
  if (df <= 30) return t[df];
  if (df <= 40) return 2.021;
  if (df <= 60) return 2.000;
  if (df <= 120) return 1.980;
  return 1.960;
}

std::string CsvCell(const ojson& v) {
  if (v.is_null()) return "";
  if (v.is_boolean()) return v.get<bool>() ? "1" : "0";
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.find_first_of(",\"\n") != std::string::npos) {
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  }
  return s;
}

void Exec(sqlite3* db, const std::string& sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string m = msg ? msg : "?";
    sqlite3_free(msg);
    throw std::runtime_error("results.sqlite: " + m);
  }
}

std::string Quote(const std::string& id) {
  std::string q = "\"";
  for (char c : id) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

/// The rows of results.sqlite/results.csv, one per task; rc is 1 when a run is not complete or an expectation failed.
struct Results {
  std::vector<std::string> header;
  std::vector<std::vector<ojson>> rows;
  int rc = 0;
};

// The local sweep and --merge both come here, so a study swept on a cluster gives the rows a local sweep gives.
Results BuildResults(const Study& st, const fs::path& out, std::vector<Task>& tasks) {
  Results res;
  std::error_code ec;
  std::vector<std::string> exp_ids;
  {
    std::set<std::string> seen;
    for (const auto& p : st.points) {
      for (const auto& e : p.with_columns.expectations) {
        if (e.id.rfind(kColumnPrefix, 0) == 0) continue;
        if (seen.insert(e.id).second) exp_ids.push_back(e.id);
      }
    }
  }
  std::vector<std::string>& header = res.header;
  header = {"point", "scenario"};
  for (const auto& n : st.param_names) header.push_back(n);
  for (const char* h : {"seed", "status", "exit_code", "message", "run_dir"}) header.push_back(h);
  for (const auto& id : exp_ids) {
    header.push_back(id + ".passed");
    header.push_back(id + ".observed");
  }
  for (const auto& c : st.columns) header.push_back(c.id);
  const size_t status_at = 2 + st.param_names.size() + 1, exit_at = status_at + 1, message_at = status_at + 2;
  for (auto& t : tasks) {
    std::vector<ojson> row = {t.point->name, t.point->with_columns.name};
    for (const auto& [n, v] : t.point->params) row.push_back(v);
    row.push_back(t.seed);
    bool complete = t.status == "done" || t.status == "skipped";
    if (t.status == "skipped") t.exit_code = -1;
    row.push_back(complete ? "complete" : t.status);
    row.push_back(t.exit_code >= 0 ? ojson(t.exit_code) : ojson(nullptr));
    row.push_back(t.message);
    row.push_back(fs::relative(t.dir, out, ec).string());
    std::map<std::string, std::pair<ojson, ojson>> exps;
    std::map<std::string, ojson> cols;
    if (complete) {
      try {
        bool ok = false;
        json summary = json::parse(ReadFile((fs::path(t.dir) / "summary.json").string(), &ok));
        if (t.status == "skipped") {
          // The exit code `planelab run` gave it: 0 when every expectation held, else 1.
          bool all = true;
          for (const auto& e : summary["expectations"]) all = all && e["passed"].get<bool>();
          row[exit_at] = all ? 0 : 1;
        }
        for (const auto& e : summary["expectations"]) {
          exps[e["id"]] = {ojson(e["passed"].get<bool>()), e.contains("observed") ? ojson::parse(e["observed"].dump()) : ojson(nullptr)};
          if (!e["passed"].get<bool>()) res.rc = std::max(res.rc, 1);
        }
        RunStoreReader store((fs::path(t.dir) / "run.sqlite").string());
        Scenario sc = t.point->with_columns;
        std::vector<ExpectationSpec> only;
        for (const auto& e : sc.expectations) {
          if (e.id.rfind(kColumnPrefix, 0) == 0) only.push_back(e);
        }
        sc.expectations = only;
        sc.seed = t.seed;
        for (const auto& r : EvaluateExpectations(sc, store)) {
          cols[r.id.substr(std::string(kColumnPrefix).size())] = r.has_observed && std::isfinite(r.observed) ? ojson(r.observed) : ojson(nullptr);
        }
      } catch (const std::exception& e) {
        row[status_at] = "unreadable";
        row[message_at] = e.what();
        res.rc = std::max(res.rc, 1);
      }
    } else if (t.status != "pending") {
      res.rc = std::max(res.rc, 1);
    }
    for (const auto& id : exp_ids) {
      auto it = exps.find(id);
      row.push_back(it == exps.end() ? ojson(nullptr) : it->second.first);
      row.push_back(it == exps.end() ? ojson(nullptr) : it->second.second);
    }
    for (const auto& c : st.columns) row.push_back(cols.count(c.id) ? cols[c.id] : ojson(nullptr));
    res.rows.push_back(row);
  }
  return res;
}

/// Writes results.csv and results.sqlite, each under a temporary name then renamed; false (said on stderr) when not.
bool WriteResultFiles(const Study& st, const fs::path& out, const Results& res) {
  std::error_code ec;
  const std::string suffix = ".tmp-" + HostName() + "-" + std::to_string(::getpid());
  {
    std::ostringstream csv;
    for (size_t i = 0; i < res.header.size(); ++i) csv << (i ? "," : "") << CsvCell(res.header[i]);
    csv << "\n";
    for (const auto& r : res.rows) {
      for (size_t i = 0; i < r.size(); ++i) csv << (i ? "," : "") << CsvCell(r[i]);
      csv << "\n";
    }
    if (!WriteFileAtomically((out / "results.csv").string(), csv.str())) {
      std::cerr << "error: cannot write " << (out / "results.csv").string() << ": check the folder's space and permissions\n";
      return false;
    }
  }
  fs::path tmp = out / ("results.sqlite" + suffix);
  fs::remove(tmp, ec);
  sqlite3* db = nullptr;
  if (sqlite3_open(tmp.string().c_str(), &db) != SQLITE_OK) {
    std::cerr << "error: cannot write " << tmp.string() << "\n";
    sqlite3_close(db);
    return false;
  }
  try {
    std::string create = "CREATE TABLE runs(";
    for (size_t i = 0; i < res.header.size(); ++i) create += (i ? ", " : "") + Quote(res.header[i]);
    create += ")";
    Exec(db, create);
    Exec(db, "CREATE TABLE study(key TEXT PRIMARY KEY, value TEXT)");
    Exec(db, "BEGIN");
    std::string ins = "INSERT INTO runs VALUES(";
    for (size_t i = 0; i < res.header.size(); ++i) ins += i ? ",?" : "?";
    ins += ")";
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, ins.c_str(), -1, &s, nullptr);
    for (const auto& r : res.rows) {
      sqlite3_reset(s);
      for (size_t i = 0; i < r.size(); ++i) {
        const ojson& v = r[i];
        int k = static_cast<int>(i + 1);
        if (v.is_null()) sqlite3_bind_null(s, k);
        else if (v.is_boolean()) sqlite3_bind_int(s, k, v.get<bool>());
        else if (v.is_number_integer() || v.is_number_unsigned()) sqlite3_bind_int64(s, k, v.get<long long>());
        else if (v.is_number()) sqlite3_bind_double(s, k, v.get<double>());
        else {
          std::string t = v.is_string() ? v.get<std::string>() : v.dump();
          sqlite3_bind_text(s, k, t.c_str(), -1, SQLITE_TRANSIENT);
        }
      }
      sqlite3_step(s);
    }
    sqlite3_finalize(s);
    Exec(db, "INSERT INTO study VALUES('name', " + std::string("'") + st.name + "'), ('planelab_version', '" +
                 PLANELAB_VERSION + "')");
    Exec(db, "COMMIT");
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    sqlite3_close(db);
    fs::remove(tmp, ec);
    return false;
  }
  sqlite3_close(db);
  fs::rename(tmp, out / "results.sqlite", ec);
  if (ec) {
    std::cerr << "error: cannot rename " << tmp.string() << " to results.sqlite: " << ec.message() << "\n";
    return false;
  }
  return true;
}

void PrintReport(const Study& st, const std::vector<Task>& tasks, const Results& res) {
  std::printf("\n%-8s", "point");
  for (const auto& n : st.param_names) std::printf(" %-14s", n.c_str());
  std::printf(" %-22s %3s %12s %12s %27s\n", "column", "n", "mean", "stdev", "95% CI (Student t)");
  for (const auto& p : st.points) {
    for (size_t ci = 0; ci < st.columns.size(); ++ci) {
      std::vector<double> xs;
      for (size_t ri = 0; ri < res.rows.size(); ++ri) {
        if (tasks[ri].point != &p) continue;
        const ojson& v = res.rows[ri][res.header.size() - st.columns.size() + ci];
        if (v.is_number()) xs.push_back(v.get<double>());
      }
      double mean = NAN, sd = NAN, half = NAN;
      if (!xs.empty()) {
        mean = 0;
        for (double x : xs) mean += x;
        mean /= xs.size();
        if (xs.size() > 1) {
          double ss = 0;
          for (double x : xs) ss += (x - mean) * (x - mean);
          sd = std::sqrt(ss / (xs.size() - 1));
          half = TQuantile975(xs.size() - 1) * sd / std::sqrt(static_cast<double>(xs.size()));
        }
      }
      std::printf("%-8s", p.name.c_str());
      for (const auto& [n, v] : p.params) std::printf(" %-14s", CsvCell(v).c_str());
      char ci_text[64];
      if (std::isnan(half)) std::snprintf(ci_text, sizeof ci_text, "-");
      else std::snprintf(ci_text, sizeof ci_text, "[%.6g, %.6g]", mean - half, mean + half);
      std::printf(" %-22s %3zu %12.6g %12.6g %27s\n", st.columns[ci].id.c_str(), xs.size(), mean, sd, ci_text);
    }
  }
}

// ---- Plan, --task, --shard, --merge (a study on a cluster) ---------------------------------

constexpr const char* kPlanFormat = "planelab-sweep-plan/1";

// What a task must agree on with the plan: the runs (point, scenario content, seed) and the columns. A study
// file edited only in whitespace or description plans to the same fingerprint.
std::string Fingerprint(const Study& st) {
  std::string s = st.name + "\n";
  for (const auto& p : st.points) {
    for (uint64_t seed : st.seeds) s += p.name + " " + p.hash + " " + std::to_string(seed) + "\n";
  }
  for (const auto& c : st.columns) s += c.spec.dump() + "\n";
  return "fnv1a64:" + Fnv1a64Hex(s);
}

// "0-3,7,9-12": the indices as Slurm's --array takes them.
std::string IndexRanges(const std::vector<size_t>& xs) {
  std::string s;
  for (size_t i = 0; i < xs.size();) {
    size_t j = i;
    while (j + 1 < xs.size() && xs[j + 1] == xs[j] + 1) ++j;
    s += (s.empty() ? "" : ",") + std::to_string(xs[i]) + (j > i ? "-" + std::to_string(xs[j]) : "");
    i = j + 1;
  }
  return s;
}

std::string ShellQuote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:@%+,") == std::string::npos) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// A whole number of at most 18 digits; false for anything else ("", "-1", "3x", "1e3").
bool ParseIndex(const std::string& s, size_t* v) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  *v = static_cast<size_t>(std::stoull(s));
  return true;
}

// The plan in `out`, checked against the study: "" when it matches, else the message (exit 2).
std::string CheckPlan(const Study& st, const std::string& study_file, const fs::path& out, bool* exists,
                      bool same_version = true) {
  fs::path pf = out / "plan.json";
  std::error_code ec;
  *exists = fs::exists(pf, ec);
  if (!*exists) return "";
  bool ok = false;
  std::string text = ReadFile(pf.string(), &ok);
  json plan;
  try {
    plan = json::parse(text);
  } catch (const std::exception&) {
    ok = false;
  }
  if (!ok || !plan.is_object() || plan.value("format", "") != kPlanFormat) {
    return pf.string() + ": not a plan this PlaneLab reads (damaged, or from another version): plan the study again "
           "with planelab sweep " + study_file + " --plan --out " + out.string();
  }
  if (plan.value("fingerprint", "") != Fingerprint(st)) {
    return out.string() + ": the folder holds the plan of another study (\"" + plan.value("study", "?") + "\" from " +
           plan.value("study_file", "?") + ", " + std::to_string(plan.value("tasks", 0)) + " tasks), not of " +
           study_file + " as it is now: give another --out for this study, or delete " + out.string() +
           " to plan it afresh";
  }
  if (same_version && plan.value("planelab_version", "") != PLANELAB_VERSION) {
    return pf.string() + ": planned with PlaneLab " + plan.value("planelab_version", "?") + ", and this is " +
           PLANELAB_VERSION + ": install the same PlaneLab on every node (the runs record the version, and a run of "
           "another version is not complete for this study)";
  }
  return "";
}

struct PreparedFolder {
  std::map<const Point*, std::string> point_files;
};

// The files every task reads (study.json, points/*.json): written once by the local sweep or --plan, never
// by --task, so tasks on many nodes never write the same file.
bool WriteStudyFiles(const Study& st, const std::string& study_file, const fs::path& out, PreparedFolder* pf,
                     bool with_tasks_dir) {
  std::error_code ec;
  for (const char* d : {"points", "runs", "logs"}) fs::create_directories(out / d, ec);
  if (with_tasks_dir) fs::create_directories(out / "tasks", ec);
  if (ec) {
    std::cerr << "error: " << out.string() << ": cannot create the study folder: " << ec.message() << "\nnothing was run.\n";
    return false;
  }
  bool ok = false;
  std::string study_text = ReadFile(study_file, &ok);
  fs::path sj = out / "study.json";
  bool same = false;
  if (fs::exists(sj, ec)) same = ReadFile(sj.string(), &ok) == study_text;
  if (!same && !WriteFileAtomically(sj.string(), study_text)) {
    std::cerr << "error: " << sj.string() << ": cannot write it: check the folder's space and permissions\n";
    return false;
  }
  for (const auto& p : st.points) {
    fs::path f = out / "points" / (p.name + ".json");
    same = false;
    if (fs::exists(f, ec)) same = ReadFile(f.string(), &ok) == p.text;
    if (!same && !WriteFileAtomically(f.string(), p.text)) {
      std::cerr << "error: " << f.string() << ": cannot write it: check the folder's space and permissions\n";
      return false;
    }
    pf->point_files[&p] = f.string();
  }
  return true;
}

int CmdPlan(const SweepOptions& o, const Study& st, const fs::path& out) {
  bool exists = false;
  // After an upgrade the study is planned again for the new version; its runs of the old one are not complete
  // for it (CompleteRun), so the tasks run them again.
  std::string why = CheckPlan(st, o.study, out, &exists, false);
  if (!why.empty()) {
    std::cerr << "error: " << why << "\nnothing was planned.\n";
    return 2;
  }
  PreparedFolder pf;
  if (!WriteStudyFiles(st, o.study, out, &pf, true)) return 2;
  std::vector<Task> tasks = ExpandTasks(st, out);
  std::error_code ec;
  std::ostringstream tsv;
  tsv << "task\tpoint\tseed\trun_dir\tscenario\n";
  for (const auto& t : tasks) {
    tsv << t.index << "\t" << t.point->name << "\t" << t.seed << "\t" << fs::relative(t.dir, out, ec).string() << "\t"
        << "points/" << t.point->name << ".json\n";
  }
  fs::path abs_study = fs::absolute(o.study, ec).lexically_normal();
  fs::path abs_out = fs::absolute(out, ec).lexically_normal();
  ojson plan;
  plan["format"] = kPlanFormat;
  plan["study"] = st.name;
  plan["study_file"] = abs_study.string();
  plan["fingerprint"] = Fingerprint(st);
  plan["planelab_version"] = PLANELAB_VERSION;
  plan["tasks"] = tasks.size();
  plan["first_task"] = 0;
  plan["points"] = st.points.size();
  plan["seeds"] = st.seeds.size();
  plan["task_list"] = "tasks.tsv";
  if (!WriteFileAtomically((out / "tasks.tsv").string(), tsv.str()) ||
      !WriteFileAtomically((out / "plan.json").string(), plan.dump(2) + "\n")) {
    std::cerr << "error: " << out.string() << ": cannot write plan.json and tasks.tsv: check the folder's space and permissions\n";
    return 2;
  }
  size_t n = tasks.size();
  std::printf("planned study %s%s: %zu tasks (%zu points x %zu seeds), numbered 0 to %zu, in %s\n", st.name.c_str(),
              exists ? " again (same study)" : "", n, st.points.size(), st.seeds.size(), n - 1, abs_out.string().c_str());
  std::printf("task list: %s\n", (abs_out / "tasks.tsv").string().c_str());
  std::printf("submit:    sbatch --array=0-%zu%%THROTTLE scripts/slurm/sweep.sbatch %s %s\n", n - 1,
              ShellQuote(abs_study.string()).c_str(), ShellQuote(abs_out.string()).c_str());
  std::printf("   or:     scripts/slurm/submit.sh %s %s [THROTTLE]   (the array, then a merge job)\n",
              ShellQuote(abs_study.string()).c_str(), ShellQuote(abs_out.string()).c_str());
  std::printf("one task:  planelab sweep %s --task K --out %s\n", ShellQuote(abs_study.string()).c_str(),
              ShellQuote(abs_out.string()).c_str());
  std::printf("then:      planelab sweep %s --merge --out %s\n", ShellQuote(abs_study.string()).c_str(),
              ShellQuote(abs_out.string()).c_str());
  return 0;
}

// The record --merge reads for a task that did not complete: written by that task alone, tmp then rename.
void WriteTaskRecord(const fs::path& out, const Task& t, bool ran) {
  std::error_code ec;
  ojson r;
  r["task"] = t.index;
  r["point"] = t.point->name;
  r["seed"] = t.seed;
  r["run_dir"] = fs::relative(t.dir, out, ec).string();
  bool complete = t.status == "done" || t.status == "skipped";
  r["status"] = complete ? "complete" : t.status;
  r["ran_now"] = ran;
  r["exit_code"] = t.exit_code >= 0 ? ojson(t.exit_code) : ojson(nullptr);
  r["message"] = t.message;
  r["host"] = HostName();
  r["planelab_version"] = PLANELAB_VERSION;
  fs::path f = out / "tasks" / (std::to_string(t.index) + ".json");
  if (!WriteFileAtomically(f.string(), r.dump(2) + "\n")) {
    std::cerr << "warning: " << f.string() << ": cannot write the task record (the run folder is kept)\n";
  }
}

std::string NotPlanned(const SweepOptions& o, const fs::path& out, const char* flag) {
  return out.string() + "/plan.json: the study folder was never planned, so " + flag +
         " has no task list: plan it first with planelab sweep " + o.study + " --plan --out " + out.string();
}

// --task K and --shard I/N: the chosen tasks into the shared folder, a record each, no results.
int CmdTasks(const SweepOptions& o, const Study& st, const fs::path& out) {
  const char* flag = o.task.empty() ? "--shard" : "--task";
  bool exists = false;
  std::string why = CheckPlan(st, o.study, out, &exists);
  if (why.empty() && !exists) why = NotPlanned(o, out, flag);
  if (!why.empty()) {
    std::cerr << "error: " << why << "\nnothing was run.\n";
    return 2;
  }
  std::vector<Task> tasks = ExpandTasks(st, out);
  std::vector<Task*> chosen;
  if (!o.task.empty()) {
    size_t k = 0;
    ParseIndex(o.task, &k);
    if (k >= tasks.size()) {
      std::cerr << "error: --task " << o.task << ": the plan in " << out.string() << " has " << tasks.size()
                << " tasks, numbered 0 to " << tasks.size() - 1 << " (" << (out / "tasks.tsv").string()
                << "); submit the array as --array=0-" << tasks.size() - 1 << "\nnothing was run.\n";
      return 2;
    }
    chosen.push_back(&tasks[k]);
  } else {
    size_t slash = o.shard.find('/'), i = 0, n = 0;
    ParseIndex(o.shard.substr(0, slash), &i);
    ParseIndex(o.shard.substr(slash + 1), &n);
    for (auto& t : tasks) {
      if (t.index % n == i) chosen.push_back(&t);
    }
  }
  // The points' files are the plan's; a task only reads them (another node may be reading them now).
  std::map<const Point*, std::string> point_files;
  for (Task* t : chosen) {
    fs::path f = out / "points" / (t->point->name + ".json");
    bool ok = false;
    if (ReadFile(f.string(), &ok) != t->point->text || !ok) {
      std::cerr << "error: " << f.string() << ": missing or not the point the study makes now: plan the study again "
                << "with planelab sweep " << o.study << " --plan --out " << out.string() << "\nnothing was run.\n";
      return 2;
    }
    point_files[t->point] = f.string();
  }
  std::error_code ec;
  for (const char* d : {"runs", "logs", "tasks"}) fs::create_directories(out / d, ec);
  std::vector<Task*> todo;
  size_t skipped = 0;
  for (Task* t : chosen) {
    if (CompleteRun(*t)) {
      t->status = "skipped";
      ++skipped;
      // A record from an earlier failed attempt would otherwise outlive the run that now completed.
      WriteTaskRecord(out, *t, false);
    } else {
      todo.push_back(t);
    }
  }
  auto [done, failed] = RunTasks(st.name, todo, o.jobs, skipped, point_files, [&](Task& t) { WriteTaskRecord(out, t, true); });
  for (Task* t : chosen) {
    std::string what = t->status == "skipped" ? "already complete, skipped"
                       : t->status == "done"  ? "complete (exit " + std::to_string(t->exit_code) + ")"
                       : t->status == "pending" ? "not started (interrupted)"
                                                : t->status + " (exit " + std::to_string(t->exit_code) + "): " + t->message;
    std::printf("task %zu (%s seed %llu): %s\n", t->index, t->point->name.c_str(),
                static_cast<unsigned long long>(t->seed), what.c_str());
  }
  if (!o.shard.empty()) {
    std::printf("shard %s of study %s: %zu task%s: %zu ran now, %zu already complete, %zu failed%s\n", o.shard.c_str(),
                st.name.c_str(), chosen.size(), chosen.size() == 1 ? "" : "s", done, skipped, failed,
                g_stop ? " (interrupted)" : "");
  }
  if (g_stop) {
    std::fprintf(stderr, "interrupted: every completed run is kept; run the same command again to resume.\n");
    return 128 + g_stop;
  }
  return failed ? 1 : 0;
}

int CmdMerge(const SweepOptions& o, const Study& st, const fs::path& out) {
  bool exists = false;
  std::string why = CheckPlan(st, o.study, out, &exists);
  if (why.empty() && !exists) why = NotPlanned(o, out, "--merge");
  if (!why.empty()) {
    std::cerr << "error: " << why << "\nnothing was merged.\n";
    return 2;
  }
  std::vector<Task> tasks = ExpandTasks(st, out);
  std::vector<size_t> missing, failed;
  for (auto& t : tasks) {
    if (CompleteRun(t)) {
      t.status = "skipped";
      continue;
    }
    bool ok = false;
    std::string text = ReadFile((out / "tasks" / (std::to_string(t.index) + ".json")).string(), &ok);
    json rec;
    try {
      if (ok) rec = json::parse(text);
    } catch (const std::exception&) {
      ok = false;
    }
    std::string status = ok && rec.is_object() ? rec.value("status", "") : "";
    if (status == "failed" || status == "interrupted") {
      t.status = status;
      t.exit_code = rec["exit_code"].is_number_integer() ? rec["exit_code"].get<int>() : -1;
      t.message = rec.value("message", "");
      failed.push_back(t.index);
    } else {
      // Never ran, is running now, or its run folder was removed or changed since: not complete either way.
      t.status = "missing";
      t.message = status == "complete" ? "task " + std::to_string(t.index) + " completed once, but its run folder is now incomplete or stale: run the task again"
                                       : "task " + std::to_string(t.index) + " has not run (no complete run folder, no record in tasks/" + std::to_string(t.index) + ".json)";
      missing.push_back(t.index);
    }
  }
  Results res = BuildResults(st, out, tasks);
  if (!WriteResultFiles(st, out, res)) return 3;
  size_t complete = tasks.size() - missing.size() - failed.size();
  std::printf("study %s: %zu runs: %zu complete, %zu failed, %zu missing\nresults: %s, %s\n", st.name.c_str(),
              tasks.size(), complete, failed.size(), missing.size(), (out / "results.sqlite").string().c_str(),
              (out / "results.csv").string().c_str());
  if (o.report) PrintReport(st, tasks, res);
  if (!failed.empty() || !missing.empty()) {
    std::vector<size_t> again = missing;
    again.insert(again.end(), failed.begin(), failed.end());
    std::sort(again.begin(), again.end());
    if (!failed.empty()) std::fprintf(stderr, "failed tasks: %s (their records: %s/tasks/K.json)\n", IndexRanges(failed).c_str(), out.string().c_str());
    if (!missing.empty()) std::fprintf(stderr, "missing tasks: %s (no complete run: not run yet, still running, or lost)\n", IndexRanges(missing).c_str());
    std::fprintf(stderr, "the results mark them so; to finish the study, run those tasks again (sbatch --array=%s ..., or "
                         "scripts/slurm/submit.sh again: completed tasks are skipped), then --merge again.\n",
                 IndexRanges(again).c_str());
  }
  return std::max(res.rc, failed.empty() && missing.empty() ? 0 : 1);
}

// The flags of the cluster steps, checked before the study is read: "" when they fit together.
std::string CheckModeFlags(const SweepOptions& o) {
  std::vector<std::string> modes;
  if (o.check_only) modes.push_back("--check");
  if (o.plan) modes.push_back("--plan");
  if (!o.task.empty()) modes.push_back("--task");
  if (!o.shard.empty()) modes.push_back("--shard");
  if (o.merge) modes.push_back("--merge");
  if (modes.size() > 1) {
    return modes[0] + " and " + modes[1] + " cannot be given together: they are separate steps, --plan once, then "
           "--task K (or --shard I/N) per node, then --merge once (docs/experiments.md, \"Running a study on a cluster\")";
  }
  size_t v = 0;
  if (!o.task.empty() && !ParseIndex(o.task, &v)) {
    return "--task " + o.task + ": give a task number, a whole number from 0 (a plan numbers its tasks 0 to N-1, "
           "listed in <out>/tasks.tsv; under Slurm, --task $SLURM_ARRAY_TASK_ID)";
  }
  if (!o.shard.empty()) {
    size_t slash = o.shard.find('/'), i = 0, n = 0;
    if (slash == std::string::npos || !ParseIndex(o.shard.substr(0, slash), &i) || !ParseIndex(o.shard.substr(slash + 1), &n)) {
      return "--shard " + o.shard + ": give I/N, two whole numbers such as 0/4 (this process runs the tasks whose number "
             "modulo N is I)";
    }
    if (n == 0) return "--shard " + o.shard + ": N must be at least 1, e.g. --shard 0/1 for every task";
    if (i >= n) {
      return "--shard " + o.shard + ": I must be below N, the shards being numbered 0 to " + std::to_string(n - 1) +
             " (e.g. --shard " + std::to_string(n - 1) + "/" + std::to_string(n) + ")";
    }
  }
  if (o.report && (o.plan || !o.task.empty() || !o.shard.empty())) {
    return "--report goes with a local sweep or --merge, which write the results; --plan, --task and --shard do not";
  }
  return "";
}

}  // namespace

int CmdSweep(const SweepOptions& o) {
  if (std::string why = CheckModeFlags(o); !why.empty()) {
    std::cerr << "error: " << why << "\nnothing was run.\n";
    return 2;
  }
  Study st;
  try {
    st = LoadStudy(o.study, o.yes);
  } catch (const StudyError& e) {
    for (const auto& p : e.problems) std::cerr << "error: " << p << "\n";
    std::cerr << "nothing was run.\n";
    return 2;
  }
  fs::path out = o.out_dir.empty() ? fs::path("runs") / ("study-" + st.name) : fs::path(o.out_dir);
  std::vector<Task> tasks = ExpandTasks(st, out);
  if (o.check_only) {
    std::cout << "ok: " << o.study << " (" << st.points.size() << " points x " << st.seeds.size() << " seeds = "
              << tasks.size() << " runs)\n";
    return 0;
  }
  if (o.plan) return CmdPlan(o, st, out);
  if (!o.task.empty() || !o.shard.empty()) return CmdTasks(o, st, out);
  if (o.merge) return CmdMerge(o, st, out);
  {
    // A local sweep into a folder planned for another study would mix the two.
    bool exists = false;
    if (std::string why = CheckPlan(st, o.study, out, &exists); !why.empty()) {
      std::cerr << "error: " << why << "\nnothing was run.\n";
      return 2;
    }
  }
  PreparedFolder pf;
  if (!WriteStudyFiles(st, o.study, out, &pf, false)) return 2;
  size_t skipped = 0;
  std::vector<Task*> todo;
  for (auto& t : tasks) {
    if (CompleteRun(t)) {
      t.status = "skipped";
      ++skipped;
    } else {
      todo.push_back(&t);
    }
  }
  auto [done, failed] = RunTasks(st.name, todo, o.jobs, skipped, pf.point_files, [](Task&) {});
  Results res = BuildResults(st, out, tasks);
  if (!WriteResultFiles(st, out, res)) return 3;
  size_t complete = 0;
  for (const auto& t : tasks) complete += t.status == "done" || t.status == "skipped";
  std::printf("study %s: %zu runs: %zu complete (%zu ran now, %zu already done), %zu failed%s\nresults: %s, %s\n",
              st.name.c_str(), tasks.size(), complete, done, skipped, failed, g_stop ? " (interrupted)" : "",
              (out / "results.sqlite").string().c_str(), (out / "results.csv").string().c_str());
  if (o.report) PrintReport(st, tasks, res);
  if (g_stop) {
    std::fprintf(stderr, "interrupted: every completed run is kept; run the same command again to resume.\n");
    return 128 + g_stop;
  }
  return res.rc;
}

}  // namespace planelab
