#include "sim/cli/sweep.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "models/models.h"
#include "sim/experiment/overrides.h"
#include "sim/probe/expectations.h"
#include "sim/scenario/scenario_loader.h"
#include "sim/trace/run_reader.h"
#include "sim/util/hash.h"
#include "sim/util/json_locate.h"
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

std::string ContextToPointer(const std::vector<std::string>& context) {
  std::string p;
  for (const auto& c : context) {
    if (c.size() >= 2 && c.front() == '[' && c.back() == ']') p += "/" + JsonPointerEscape(c.substr(1, c.size() - 2));
  }
  return p;
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
  {
    static const json schema_doc = json::parse(kStudySchema);
    static valijson::Schema schema;
    static bool parsed = false;
    if (!parsed) {
      valijson::SchemaParser parser;
      valijson::adapters::NlohmannJsonAdapter a(schema_doc);
      parser.populateSchema(a, schema);
      parsed = true;
    }
    valijson::Validator v;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter target(doc);
    if (!v.validate(schema, target, &results)) {
      valijson::ValidationResults::Error e;
      while (results.popError(e)) {
        if (e.description.rfind("Failed to validate against schema associated", 0) == 0) continue;
        if (e.description.rfind("Failed to validate item #", 0) == 0) continue;
        std::string p = ContextToPointer(e.context);
        err.problems.push_back(Where(file, lines, p) + e.description + " (studies/study.schema.json)");
      }
      if (err.problems.empty()) err.problems.push_back(file + ": does not match studies/study.schema.json");
      throw err;
    }
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

std::atomic<int> g_stop{0};
void OnStop(int sig) { g_stop = sig; }

struct Task {
  const Point* point;
  uint64_t seed;
  std::string dir, log;
  std::string status;  // "done", "skipped", "failed", "interrupted", "pending"
  int exit_code = -1;
  std::string message;
};

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

std::string Tail(const std::string& path, size_t n) {
  bool ok = false;
  std::string s = ReadFile(path, &ok);
  if (s.size() > n) s = "..." + s.substr(s.size() - n);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

pid_t Launch(const Task& t, const std::string& scenario_file) {
  std::vector<std::string> args = {"planelab", "run", scenario_file, "--seed", std::to_string(t.seed), "--out",
                                   t.dir, "--quiet", "--force"};
  pid_t pid = fork();
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY), out = open("/dev/null", O_WRONLY);
    int err = open(t.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    if (err >= 0) dup2(err, 2);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  return pid;
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

}  // namespace

int CmdSweep(const SweepOptions& o) {
  Study st;
  try {
    st = LoadStudy(o.study, o.yes);
  } catch (const StudyError& e) {
    for (const auto& p : e.problems) std::cerr << "error: " << p << "\n";
    std::cerr << "nothing was run.\n";
    return 2;
  }
  fs::path out = o.out_dir.empty() ? fs::path("runs") / ("study-" + st.name) : fs::path(o.out_dir);
  std::vector<Task> tasks;
  for (const auto& p : st.points) {
    for (uint64_t s : st.seeds) {
      Task t{&p, s, (out / "runs" / (p.name + "-s" + std::to_string(s))).string(),
             (out / "logs" / (p.name + "-s" + std::to_string(s) + ".stderr")).string(), "pending", -1, ""};
      tasks.push_back(t);
    }
  }
  if (o.check_only) {
    std::cout << "ok: " << o.study << " (" << st.points.size() << " points x " << st.seeds.size() << " seeds = "
              << tasks.size() << " runs)\n";
    return 0;
  }
  std::error_code ec;
  fs::create_directories(out / "points", ec);
  fs::create_directories(out / "runs", ec);
  fs::create_directories(out / "logs", ec);
  if (ec) {
    std::cerr << "error: " << out.string() << ": cannot create the study folder: " << ec.message() << "\nnothing was run.\n";
    return 2;
  }
  {
    bool ok = false;
    std::ofstream(out / "study.json") << ReadFile(o.study, &ok);
  }
  std::map<const Point*, std::string> point_files;
  for (const auto& p : st.points) {
    fs::path f = out / "points" / (p.name + ".json");
    bool same = false;
    if (fs::exists(f)) {
      bool ok = false;
      same = ReadFile(f.string(), &ok) == p.text;
    }
    if (!same) std::ofstream(f, std::ios::binary) << p.text;
    point_files[&p] = f.string();
  }
  size_t skipped = 0;
  for (auto& t : tasks) {
    if (CompleteRun(t)) {
      t.status = "skipped";
      ++skipped;
    }
  }
  struct sigaction sa {};
  sa.sa_handler = OnStop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  bool tty = ::isatty(STDERR_FILENO);
  std::map<pid_t, Task*> running;
  size_t next = 0, done = 0, failed = 0, todo = tasks.size() - skipped;
  auto start = std::chrono::steady_clock::now();
  auto progress = [&](bool final) {
    if (!tty) return;
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    size_t finished = done + failed;
    double eta = finished ? wall / finished * (todo - finished) : 0;
    std::fprintf(stderr, "\r  sweep %s: %zu/%zu done, %zu failed, %zu running, %zu skipped, %.0fs elapsed%s%.0fs left  ",
                 st.name.c_str(), done, todo, failed, running.size(), skipped, wall, finished ? ", ~" : ", ? ",
                 finished ? eta : 0.0);
    if (final) std::fprintf(stderr, "\n");
  };
  int jobs = std::max(1, o.jobs);
  for (;;) {
    while (!g_stop && static_cast<int>(running.size()) < jobs && next < tasks.size()) {
      Task& t = tasks[next++];
      if (t.status == "skipped") continue;
      // An incomplete or stale run in the study's own folder: made again from scratch.
      std::error_code rm;
      if (fs::exists(t.dir, rm)) fs::remove_all(t.dir, rm);
      pid_t pid = Launch(t, point_files[t.point]);
      if (pid < 0) {
        t.status = "failed";
        t.message = "fork failed";
        ++failed;
        continue;
      }
      running[pid] = &t;
    }
    if (running.empty()) break;
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) {
        if (g_stop) {
          for (auto& [p, t] : running) kill(p, SIGTERM);
        }
        continue;
      }
      break;
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    Task& t = *it->second;
    running.erase(it);
    t.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if ((t.exit_code == 0 || t.exit_code == 1) && CompleteRun(t)) {
      t.status = "done";
      ++done;
    } else {
      t.status = g_stop ? "interrupted" : "failed";
      t.message = Tail(t.log, 400);
      ++failed;
      if (!g_stop) {
        std::fprintf(stderr, "%s%s seed %llu failed (exit %d): %s\n", tty ? "\r" : "", t.point->name.c_str(),
                     static_cast<unsigned long long>(t.seed), t.exit_code, t.message.c_str());
      }
    }
    progress(false);
  }
  progress(true);
  // Results: one row per run.
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
  std::vector<std::string> header = {"point", "scenario"};
  for (const auto& n : st.param_names) header.push_back(n);
  for (const char* h : {"seed", "status", "exit_code", "message", "run_dir"}) header.push_back(h);
  for (const auto& id : exp_ids) {
    header.push_back(id + ".passed");
    header.push_back(id + ".observed");
  }
  for (const auto& c : st.columns) header.push_back(c.id);
  std::vector<std::vector<ojson>> rows;
  int rc = 0;
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
          row[2 + st.param_names.size() + 2] = all ? 0 : 1;
        }
        for (const auto& e : summary["expectations"]) {
          exps[e["id"]] = {ojson(e["passed"].get<bool>()), e.contains("observed") ? ojson::parse(e["observed"].dump()) : ojson(nullptr)};
          if (!e["passed"].get<bool>()) rc = std::max(rc, 1);
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
        row[header.size() > 0 ? 2 + st.param_names.size() + 1 : 0] = "unreadable";
        row[2 + st.param_names.size() + 3] = e.what();
        rc = std::max(rc, 1);
      }
    } else if (t.status != "pending") {
      rc = std::max(rc, 1);
    }
    for (const auto& id : exp_ids) {
      auto it = exps.find(id);
      row.push_back(it == exps.end() ? ojson(nullptr) : it->second.first);
      row.push_back(it == exps.end() ? ojson(nullptr) : it->second.second);
    }
    for (const auto& c : st.columns) row.push_back(cols.count(c.id) ? cols[c.id] : ojson(nullptr));
    rows.push_back(row);
  }
  // results.csv
  {
    std::ofstream csv(out / "results.csv.tmp");
    for (size_t i = 0; i < header.size(); ++i) csv << (i ? "," : "") << CsvCell(header[i]);
    csv << "\n";
    for (const auto& r : rows) {
      for (size_t i = 0; i < r.size(); ++i) csv << (i ? "," : "") << CsvCell(r[i]);
      csv << "\n";
    }
    csv.close();
    fs::rename(out / "results.csv.tmp", out / "results.csv", ec);
  }
  // results.sqlite
  {
    fs::path tmp = out / "results.sqlite.tmp";
    fs::remove(tmp, ec);
    sqlite3* db = nullptr;
    if (sqlite3_open(tmp.string().c_str(), &db) != SQLITE_OK) {
      std::cerr << "error: cannot write " << tmp.string() << "\n";
      sqlite3_close(db);
      return 3;
    }
    try {
      std::string create = "CREATE TABLE runs(";
      for (size_t i = 0; i < header.size(); ++i) create += (i ? ", " : "") + Quote(header[i]);
      create += ")";
      Exec(db, create);
      Exec(db, "CREATE TABLE study(key TEXT PRIMARY KEY, value TEXT)");
      Exec(db, "BEGIN");
      std::string ins = "INSERT INTO runs VALUES(";
      for (size_t i = 0; i < header.size(); ++i) ins += i ? ",?" : "?";
      ins += ")";
      sqlite3_stmt* s = nullptr;
      sqlite3_prepare_v2(db, ins.c_str(), -1, &s, nullptr);
      for (const auto& r : rows) {
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
      return 3;
    }
    sqlite3_close(db);
    fs::rename(tmp, out / "results.sqlite", ec);
  }
  size_t complete = 0;
  for (const auto& t : tasks) complete += t.status == "done" || t.status == "skipped";
  std::printf("study %s: %zu runs: %zu complete (%zu ran now, %zu already done), %zu failed%s\nresults: %s, %s\n",
              st.name.c_str(), tasks.size(), complete, done, skipped, failed, g_stop ? " (interrupted)" : "",
              (out / "results.sqlite").string().c_str(), (out / "results.csv").string().c_str());
  if (o.report) {
    std::printf("\n%-8s", "point");
    for (const auto& n : st.param_names) std::printf(" %-14s", n.c_str());
    std::printf(" %-22s %3s %12s %12s %27s\n", "column", "n", "mean", "stdev", "95% CI (Student t)");
    for (const auto& p : st.points) {
      for (size_t ci = 0; ci < st.columns.size(); ++ci) {
        std::vector<double> xs;
        for (size_t ri = 0; ri < rows.size(); ++ri) {
          if (tasks[ri].point != &p) continue;
          const ojson& v = rows[ri][header.size() - st.columns.size() + ci];
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
  if (g_stop) {
    std::fprintf(stderr, "interrupted: every completed run is kept; run the same command again to resume.\n");
    return 128 + g_stop;
  }
  return rc;
}

}  // namespace planelab
