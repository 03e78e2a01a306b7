#include "sim/classroom/student_bundle.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#include "sim/classroom/operator_view.h"
#include "sim/trace/run_reader.h"
#include "sim/trace/run_store.h"
#include "sim/util/atomic_file.h"
#include "sim/util/units.h"

namespace planelab::classroom {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

// The routers' and the cluster's own log messages an operator reads; everything else (fault.*, asic.*, fib.*,
// connection.*, lifecycle, rib changes) is the simulator's truth and stays out of the bundle.
const std::set<std::string>& OperatorLogKinds() {
  static const std::set<std::string> k = {"carrier.down",   "carrier.up",      "interface.down", "interface.up",
                                          "adjacency.down", "adjacency.up",    "session.down",   "session.up",
                                          "bfd.up",         "bfd.down",        "store.leader",   "store.step-down",
                                          "node.not-ready", "node.ready",      "rollout.requested", "rollout.accepted",
                                          "rollout.complete", "deployment.rolled-out", "hpa.scaled",
                                          "dashboard.stale", "dashboard.fresh"};
  return k;
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "sqlite error";
    sqlite3_free(err);
    throw std::runtime_error(m);
  }
}

/// Levenshtein distance, for "did you mean".
size_t Distance(const std::string& a, const std::string& b) {
  std::vector<size_t> d(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) d[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t prev = d[0];
    d[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cur = d[j];
      d[j] = std::min({d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return d[b.size()];
}

std::vector<std::string> Words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  std::string x;
  while (in >> x) w.push_back(x);
  return w;
}

std::string Join(const std::vector<std::string>& w, size_t from, size_t to) {
  std::string s;
  for (size_t i = from; i < to && i < w.size(); ++i) s += (s.empty() ? "" : " ") + w[i];
  return s;
}

}  // namespace

void WriteStudentBundle(const Exercise& ex, const Variant& v, const std::string& run_dir, const std::string& bundle_dir) {
  std::error_code ec;
  if (fs::exists(bundle_dir, ec)) throw std::runtime_error(bundle_dir + ": exists already; a bundle is never overwritten");
  fs::path tmp = fs::path(bundle_dir).parent_path() / (fs::path(bundle_dir).filename().string() + ".partial-" + std::to_string(::getpid()));
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp);
  OperatorView view = BuildOperatorView(run_dir);
  RunStoreReader run((fs::path(run_dir) / "run.sqlite").string());
  std::string store = (tmp / "bundle.sqlite").string();
  {
    RunStoreWriter w(store);
    w.PutMeta("schema", kRunStoreSchema);
    w.PutMeta("bundle", kBundleSchema);
    w.PutMeta("scenario", ex.id);
    w.PutMeta("scenario_path", "(student bundle: the scenario is not included)");
    w.PutMeta("scenario_hash", "");
    w.PutMeta("duration_s", run.Meta("duration_s"));
    w.PutMeta("sample_interval_s", run.Meta("sample_interval_s"));
    w.PutMeta("planelab_version", run.Meta("planelab_version"));
    run.ForEach("SELECT id, kind, groups, managed, x, y FROM devices ORDER BY rowid", "devices", [&](const RunStoreReader::Row& r) {
      double xy[2] = {r.IsNull(4) ? 0 : r.Real(4), r.IsNull(5) ? 0 : r.Real(5)};
      w.AddDevice(r.Text(0), r.Text(1), r.Text(2), r.Real(3) != 0, r.IsNull(4) ? nullptr : xy);
    });
    run.ForEach("SELECT id, a, b, network, rate_bps, delay_s, queue FROM links ORDER BY rowid", "links", [&](const RunStoreReader::Row& r) {
      w.AddLink(r.Text(0), r.Text(1), r.Text(2), r.Text(3), static_cast<uint64_t>(r.Real(4)), r.Real(5), r.Text(6));
    });
    // The monitoring station's own series: the management plane as polled (not the OOB path's truth).
    std::set<long long> kept;
    run.ForEach("SELECT id, device, plane, metric, unit, kind, help FROM series ORDER BY id", "series", [&](const RunStoreReader::Row& r) {
      if (r.Text(2) != "management" || r.Text(3) == "oob_reachable") return;
      long long id = static_cast<long long>(r.Real(0));
      kept.insert(id);
      w.AddSeries(static_cast<int>(id), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6));
    });
    run.ForEach("SELECT t_s, series, value FROM samples ORDER BY rowid", "samples", [&](const RunStoreReader::Row& r) {
      long long id = static_cast<long long>(r.Real(1));
      if (kept.count(id) && !r.IsNull(2)) w.AddSample(r.Real(0), static_cast<int>(id), r.Real(2));
    });
    run.ForEach("SELECT t_s, device, plane, reported FROM health ORDER BY rowid", "health", [&](const RunStoreReader::Row& r) {
      w.AddHealth(r.Real(0), r.Text(1), r.Text(2), "hidden", r.Text(3));
    });
    run.ForEach("SELECT t_s, device, plane, kind, detail FROM events ORDER BY seq", "events", [&](const RunStoreReader::Row& r) {
      if (OperatorLogKinds().count(r.Text(3))) w.AddEvent(r.Real(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4));
    });
    w.PutMeta("complete", "true");
    w.Finish();
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(store.c_str(), &db) != SQLITE_OK) throw std::runtime_error(store + ": cannot be opened");
  try {
    Exec(db, "BEGIN");
    Exec(db, "CREATE TABLE exercise(key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    Exec(db, "CREATE TABLE console_answers(command TEXT NOT NULL, target TEXT NOT NULL, t_s REAL NOT NULL, text TEXT NOT NULL)");
    Exec(db, "CREATE TABLE helpdesk(t_s REAL NOT NULL, text TEXT NOT NULL)");
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO exercise VALUES(?1, ?2)", -1, &s, nullptr);
    auto put = [&](const std::string& k, const std::string& val) {
      sqlite3_bind_text(s, 1, k.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(s, 2, val.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_step(s);
      sqlite3_reset(s);
    };
    put("schema", kBundleSchema);
    put("exercise", ex.id);
    put("title", ex.title);
    put("student", v.student);
    put("briefing", Substitute(ex.briefing, v.labels));
    put("questions", StudentQuestions(ex).dump());
    put("access", json(ex.access).dump());
    sqlite3_finalize(s);
    sqlite3_prepare_v2(db, "INSERT INTO console_answers VALUES(?1, ?2, ?3, ?4)", -1, &s, nullptr);
    for (const auto& a : view.answers) {
      sqlite3_bind_text(s, 1, a.command.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(s, 2, a.target.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(s, 3, a.t_s);
      sqlite3_bind_text(s, 4, a.text.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_step(s);
      sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    sqlite3_prepare_v2(db, "INSERT INTO helpdesk VALUES(?1, ?2)", -1, &s, nullptr);
    for (const auto& c : view.helpdesk) {
      sqlite3_bind_double(s, 1, c.t_s);
      sqlite3_bind_text(s, 2, c.text.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_step(s);
      sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    Exec(db, "COMMIT");
  } catch (...) {
    sqlite3_close(db);
    throw;
  }
  sqlite3_close(db);
  {
    std::ofstream readme(tmp / "README.txt");
    readme << ex.title << "\n\n" << Substitute(ex.briefing, v.labels) << "\n\nExercise " << ex.id << ", student "
           << v.student << ". Open the operator console on this folder:\n\n    planelab console " << fs::path(bundle_dir).filename().string()
           << "\n\nType `help` there. Answer each question with `answer ID VALUE`, then `submit`; the console writes "
              "answers.json here: hand it in.\nThe replay shows the dashboard's view: planelab-replay "
           << fs::path(bundle_dir).filename().string() << "\n\nQuestions:\n";
    for (const auto& q : StudentQuestions(ex)) {
      readme << "  " << q["id"].get<std::string>() << " (" << q["points"].get<int>() << " points): " << q["ask"].get<std::string>() << "\n";
      if (q.contains("choices")) {
        for (auto it = q["choices"].begin(); it != q["choices"].end(); ++it) readme << "      " << it.key() << ": " << it.value().get<std::string>() << "\n";
      }
    }
  }
  fs::rename(tmp, bundle_dir, ec);
  if (ec) throw std::runtime_error("cannot rename " + tmp.string() + " to " + bundle_dir + ": " + ec.message());
}

OperatorConsole::OperatorConsole(const std::string& bundle_dir) : bundle_(bundle_dir) {
  std::error_code ec;
  fs::path store = fs::path(bundle_dir) / "bundle.sqlite";
  if (!fs::is_directory(bundle_dir, ec)) throw std::runtime_error(bundle_dir + ": no such bundle folder (give the folder `planelab exercise make` wrote for you)");
  if (!fs::exists(store, ec)) throw std::runtime_error(bundle_dir + ": not a student bundle: it has no bundle.sqlite");
  answers_path_ = (fs::path(bundle_dir) / "answers.json").string();
  try {
    RunStoreReader r(store.string());
    if (r.Meta("bundle") != kBundleSchema) {
      throw std::runtime_error(store.string() + ": not a student bundle of this PlaneLab (bundle schema \"" + r.Meta("bundle") +
                               "\", this build reads \"" + kBundleSchema + "\")");
    }
    duration_ = std::strtod(r.Meta("duration_s").c_str(), nullptr);
    interval_ = std::strtod(r.Meta("sample_interval_s").c_str(), nullptr);
    if (!(interval_ > 0)) interval_ = 1;
    std::map<std::string, std::string> ex;
    r.ForEach("SELECT key, value FROM exercise", "exercise", [&](const RunStoreReader::Row& row) { ex[row.Text(0)] = row.Text(1); });
    exercise_ = ex["exercise"];
    student_ = ex["student"];
    briefing_ = ex["briefing"];
    title_ = ex["title"];
    questions_ = ojson::parse(ex["questions"].empty() ? "[]" : ex["questions"]);
    if (!ex["access"].empty()) access_ = json::parse(ex["access"]).get<std::vector<std::string>>();
    r.ForEach("SELECT command, target, t_s, text FROM console_answers ORDER BY command, target, t_s", "console_answers",
              [&](const RunStoreReader::Row& row) { table_[row.Text(0)][row.Text(1, true)].push_back({row.Real(2), row.Text(3)}); });
    r.ForEach("SELECT t_s, text FROM helpdesk ORDER BY t_s", "helpdesk",
              [&](const RunStoreReader::Row& row) { helpdesk_.push_back({row.Real(0), row.Text(1)}); });
    r.ForEach("SELECT id FROM devices ORDER BY id", "devices", [&](const RunStoreReader::Row& row) { devices_.push_back(row.Text(0)); });
  } catch (const std::runtime_error& e) {
    std::string m = e.what();
    throw std::runtime_error(m.find(bundle_dir) == std::string::npos ? bundle_dir + ": " + m : m);
  }
  // A student resumes where they left off: the answers given so far.
  std::ifstream in(answers_path_);
  if (in) {
    json a = json::parse(in, nullptr, false);
    if (a.is_object() && a.contains("answers") && a["answers"].is_object()) answers_ = ojson::parse(a["answers"].dump());
  }
}

std::string OperatorConsole::Lookup(const std::string& command, const std::string& target, double t) const {
  auto c = table_.find(command);
  if (c == table_.end()) return "";
  auto it = c->second.find(target);
  if (it == c->second.end()) return "";
  const auto& v = it->second;
  // The answer of the last sampling instant at or before t: what the tool would have printed then.
  auto p = std::upper_bound(v.begin(), v.end(), std::make_pair(t + 1e-9, std::string("\xff")),
                            [](const auto& a, const auto& b) { return a.first < b.first; });
  if (p == v.begin()) return v.front().second;
  return std::prev(p)->second;
}

std::string OperatorConsole::Help() const {
  std::ostringstream o;
  o << title_ << "\n" << briefing_ << "\n\n"
    << "The clock: `@ 35s` (or `time 35s`) sets it, `advance 10s` moves it, `time` shows it. The run lasts "
    << duration_ << " s.\nCommands (each answers as of the clock; add `@ 35s` to ask at another time):\n"
    << "  show dashboard                  the NMS dashboard: reported health and how old it is\n"
    << "  helpdesk                        what users have told the helpdesk so far\n"
    << "  show interfaces R               a router's interfaces (via SSH on the management network)\n"
    << "  show ip route R                 its routing table (RIB) and hardware FIB, summarised\n"
    << "  show ip bgp summary R           its BGP neighbours\n"
    << "  show processes cpu R            its route processor's CPU\n"
    << "  show logging R                  its log buffer\n"
    << "  ping A B, traceroute A B        from host A to host B\n"
    << "  kubectl get nodes, kubectl get pods -o wide\n"
    << "  etcdctl endpoint status, etcdctl endpoint health\n"
    << "  curl, curl NODE                 a request to the service, or to a pod on NODE\n"
    << "  cloud status                    the cloud provider's console: instances, launches, failures\n"
    << "  devices                         what is in the inventory\n"
    << "  questions                       the questions; answer ID VALUE; answers; submit\n";
  return o.str();
}

std::vector<std::string> OperatorConsole::Complete(const std::string& prefix) const {
  std::vector<std::string> out;
  static const std::vector<std::string> words = {"show", "dashboard", "interfaces", "ip", "route", "bgp", "summary", "processes",
                                                 "cpu", "logging", "ping", "traceroute", "kubectl", "get", "nodes", "pods",
                                                 "etcdctl", "endpoint", "status", "health", "curl", "cloud", "helpdesk", "answer",
                                                 "answers", "submit", "questions", "time", "advance", "devices", "help", "quit"};
  for (const auto& w : words) if (w.rfind(prefix, 0) == 0) out.push_back(w);
  for (const auto& d : devices_) if (d.rfind(prefix, 0) == 0) out.push_back(d);
  return out;
}

std::string OperatorConsole::Execute(const std::string& raw, bool* error) {
  *error = false;
  auto fail = [&](const std::string& m) {
    *error = true;
    return "% " + m + "\n";
  };
  std::vector<std::string> w = Words(raw);
  if (w.empty()) return "";
  // "... @ 35s": ask at another time, without moving the clock.
  double t = now_;
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i] == "@" || (w[i].size() > 1 && w[i][0] == '@')) {
      std::string v = w[i] == "@" ? (i + 1 < w.size() ? w[i + 1] : "") : w[i].substr(1);
      if (!v.empty() && v.find_first_not_of("0123456789.") == std::string::npos) v += "s";
      auto p = ParseDuration(v);
      if (!p) return fail("\"" + v + "\" is not a time; write e.g. @ 35s");
      t = ToSeconds(*p.value);
      if (t < 0 || t > duration_ + 1e-9) return fail("t=" + v + " is outside the run (0 to " + std::to_string(static_cast<int>(duration_)) + " s)");
      w.erase(w.begin() + static_cast<long>(i), w.begin() + static_cast<long>(std::min(w.size(), i + (w[i] == "@" ? 2 : 1))));
      if (w.empty()) {
        now_ = t;
        return "the clock is at t=" + std::to_string(static_cast<int>(t)) + "s\n";
      }
      break;
    }
  }
  const std::string cmd = w[0];
  // What the exercise lets the student look at.
  if (!access_.empty()) {
    static const std::map<std::string, std::string> kPath = {
        {"show", "router-cli"}, {"ping", "ping"}, {"traceroute", "ping"}, {"kubectl", "kubectl"}, {"etcdctl", "etcdctl"},
        {"curl", "curl"}, {"cloud", "cloud"}, {"helpdesk", "helpdesk"}};
    std::string path = kPath.count(cmd) ? kPath.at(cmd) : "";
    if (cmd == "show" && w.size() > 1 && w[1] == "dashboard") path = "dashboard";
    if (!path.empty() && !std::count(access_.begin(), access_.end(), path)) {
      std::string have;
      for (const auto& a : access_) have += (have.empty() ? "" : ", ") + a;
      return fail("this exercise does not give you " + path + " access; you have: " + have);
    }
  }
  auto need_device = [&](size_t i, const std::string& usage) -> std::string {
    if (i >= w.size()) return "give a device: " + usage;
    if (!std::count(devices_.begin(), devices_.end(), w[i])) {
      std::string best;
      size_t bd = 99;
      for (const auto& d : devices_) if (Distance(d, w[i]) < bd) { bd = Distance(d, w[i]); best = d; }
      return "no device \"" + w[i] + "\" in this network" + (bd <= 2 ? "; did you mean " + best + "?" : "; `devices` lists them");
    }
    return "";
  };
  auto answer_or = [&](const std::string& command, const std::string& target, const std::string& none) {
    std::string a = Lookup(command, target, t);
    return a.empty() ? none : a;
  };
  std::string prompt_time = "[t=" + std::to_string(static_cast<int>(std::floor(t))) + "s] ";
  if (cmd == "help" || cmd == "?") return Help();
  if (cmd == "quit" || cmd == "exit") return "";
  if (cmd == "devices") {
    std::string s;
    for (const auto& d : devices_) s += d + "\n";
    return s;
  }
  if (cmd == "time" || cmd == "advance") {
    if (w.size() < 2) return "the clock is at t=" + std::to_string(static_cast<int>(now_)) + "s\n";
    std::string v = w[1];
    if (v.find_first_not_of("0123456789.") == std::string::npos) v += "s";
    auto p = ParseDuration(v);
    if (!p) return fail("\"" + w[1] + "\" is not a time; write e.g. " + cmd + " 10s");
    double x = (cmd == "advance" ? now_ : 0) + ToSeconds(*p.value);
    if (x < 0 || x > duration_ + 1e-9) return fail("t=" + std::to_string(static_cast<int>(x)) + "s is outside the run (0 to " + std::to_string(static_cast<int>(duration_)) + " s)");
    now_ = x;
    return "the clock is at t=" + std::to_string(static_cast<int>(now_)) + "s\n";
  }
  if (cmd == "questions") {
    std::ostringstream o;
    for (const auto& q : questions_) {
      o << q["id"].get<std::string>() << " (" << q["points"].get<int>() << " points, " << q["type"].get<std::string>() << "): " << q["ask"].get<std::string>() << "\n";
      if (q.contains("choices")) for (auto it = q["choices"].begin(); it != q["choices"].end(); ++it) o << "    " << it.key() << ": " << it.value().get<std::string>() << "\n";
      if (answers_.contains(q["id"].get<std::string>())) o << "    your answer: " << answers_[q["id"].get<std::string>()].get<std::string>() << "\n";
    }
    return o.str();
  }
  if (cmd == "answer") {
    if (w.size() < 3) return fail("write: answer QUESTION VALUE (e.g. answer plane traffic); `questions` lists them");
    bool known = false;
    for (const auto& q : questions_) known = known || q["id"] == w[1];
    if (!known) return fail("no question \"" + w[1] + "\"; `questions` lists them");
    answers_[w[1]] = Join(w, 2, w.size());
    return "noted: " + w[1] + " = " + answers_[w[1]].get<std::string>() + "\n";
  }
  if (cmd == "answers") return ojson{{"exercise", exercise_}, {"student", student_}, {"answers", answers_}}.dump(2) + "\n";
  if (cmd == "submit") {
    ojson doc = {{"exercise", exercise_}, {"student", student_}, {"answers", answers_}};
    if (!WriteFileAtomically(answers_path_, doc.dump(2) + "\n")) return fail("cannot write " + answers_path_);
    submitted_ = true;
    return "submitted " + std::to_string(answers_.size()) + " answer(s) to " + answers_path_ + "; hand this file in\n";
  }
  if (cmd == "helpdesk") {
    std::string s;
    for (const auto& [ts, text] : helpdesk_) {
      if (ts > t + 1e-9) break;
      s += "t=" + std::to_string(static_cast<int>(ts)) + "s  " + text + "\n";
    }
    return prompt_time + (s.empty() ? "no calls so far\n" : s);
  }
  if (cmd == "show") {
    std::string sub = Join(w, 1, w.size());
    if (sub == "dashboard") return prompt_time + answer_or("show dashboard", "", "(no dashboard in this network)\n");
    struct RouterCmd {
      const char* words;
      size_t n;
    };
    for (const RouterCmd& rc : {RouterCmd{"interfaces", 1}, RouterCmd{"ip route", 2}, RouterCmd{"ip bgp summary", 3},
                                RouterCmd{"processes cpu", 2}, RouterCmd{"logging", 1}}) {
      if (Join(w, 1, 1 + rc.n) == rc.words) {
        std::string full = std::string("show ") + rc.words;
        if (auto m = need_device(1 + rc.n, full + " r2"); !m.empty()) return fail(m);
        std::string a = Lookup(full, w[1 + rc.n], t);
        if (a.empty()) return fail(w[1 + rc.n] + " is not a router (show commands run on routers)");
        return prompt_time + w[1 + rc.n] + "#" + full + "\n" + a;
      }
    }
  }
  if (cmd == "ping" || cmd == "traceroute") {
    if (w.size() < 3) return fail("write: " + cmd + " FROM-HOST TO-HOST (e.g. " + cmd + " h1 h3)");
    for (size_t i : {1, 2}) if (auto m = need_device(i, cmd + " h1 h3"); !m.empty()) return fail(m);
    std::string a = Lookup(cmd, w[1] + " " + w[2], t);
    if (a.empty()) return fail(cmd + " runs between two hosts (h...), not " + w[1] + " and " + w[2]);
    return prompt_time + a;
  }
  if (cmd == "kubectl") {
    std::string sub = Join(w, 1, 3);
    if (sub == "get nodes" || sub == "get node") return prompt_time + answer_or("kubectl get nodes", "", "error: no cluster in this network\n");
    if (sub == "get pods" || sub == "get pod" || sub == "get po") return prompt_time + answer_or("kubectl get pods", "", "error: no cluster in this network\n");
    return fail("this console knows `kubectl get nodes` and `kubectl get pods -o wide`");
  }
  if (cmd == "etcdctl") {
    std::string sub = Join(w, 1, 3);
    if (sub == "endpoint status") return prompt_time + answer_or("etcdctl endpoint status", "", "Error: no store in this network\n");
    if (sub == "endpoint health") return prompt_time + answer_or("etcdctl endpoint health", "", "Error: no store in this network\n");
    return fail("this console knows `etcdctl endpoint status` and `etcdctl endpoint health`");
  }
  if (cmd == "curl") {
    // `curl` alone: a request through the service, from the first service client; `curl NODE`: to a pod on NODE.
    std::string target;
    if (w.size() >= 2) {
      if (!table_.count("curl") || !table_.at("curl").count(w[1])) {
        if (auto m = need_device(1, "curl node-3"); !m.empty()) return fail(m);
        return fail(w[1] + " runs no pods and is no service client; curl a node (curl node-3) or just `curl`");
      }
      target = w[1];
      std::string a = Lookup("curl", target, t);
      return prompt_time + (a.rfind("curl ", 0) == 0 ? a : "(from " + target + ") " + a);
    }
    if (table_.count("curl")) {
      for (const auto& [k, v] : table_.at("curl")) {
        if (!v.empty() && v.front().second.rfind("curl ", 0) != 0) {
          target = k;
          break;
        }
      }
    }
    if (target.empty()) return fail("no service in this network to curl");
    return prompt_time + "(from " + target + ") " + Lookup("curl", target, t);
  }
  if (cmd == "cloud") {
    std::string a = Lookup("cloud status", "", t);
    if (a.empty()) return fail("no cloud provider in this network");
    return prompt_time + a;
  }
  // Not a command: suggest the nearest.
  static const std::vector<std::string> all = {"show dashboard", "show interfaces", "show ip route", "show ip bgp summary",
                                               "show processes cpu", "show logging", "ping", "traceroute", "kubectl get nodes",
                                               "kubectl get pods", "etcdctl endpoint status", "etcdctl endpoint health", "curl",
                                               "cloud status", "helpdesk", "devices", "questions", "answer", "answers", "submit", "time",
                                               "advance", "help"};
  std::string typed = Join(w, 0, std::min<size_t>(w.size(), 3));
  std::string best;
  size_t bd = 999;
  for (const auto& c : all) {
    size_t d = Distance(typed.substr(0, c.size() + 2), c);
    if (d < bd) {
      bd = d;
      best = c;
    }
  }
  return fail("unknown command \"" + raw.substr(0, 80) + "\"; did you mean `" + best + "`? (`help` lists the commands)");
}

}  // namespace planelab::classroom
