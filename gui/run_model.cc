#include "gui/run_model.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "sim/trace/run_reader.h"
#include "sim/trace/run_store.h"

namespace planelab::gui {

namespace {
struct Db {
  sqlite3* db = nullptr;
  ~Db() { if (db) sqlite3_close(db); }
};
struct Stmt {
  sqlite3_stmt* s = nullptr;
  Stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &s, nullptr); }
  ~Stmt() { sqlite3_finalize(s); }
  bool Step() { return s && sqlite3_step(s) == SQLITE_ROW; }
  std::string Text(int i) {
    const unsigned char* t = sqlite3_column_text(s, i);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  double Num(int i) { return sqlite3_column_double(s, i); }
};
}  // namespace

RunModel::RunModel() = default;
RunModel::~RunModel() = default;
RunModel::RunModel(RunModel&&) noexcept = default;
RunModel& RunModel::operator=(RunModel&&) noexcept = default;

bool RunModel::Load(const std::string& run_dir) {
  namespace fs = std::filesystem;
  *this = RunModel();
  std::string store = (fs::path(run_dir) / "run.sqlite").string();
  if (!fs::is_directory(run_dir)) {
    error_ = run_dir + ": no such run folder (open the folder a `planelab run` wrote, e.g. runs/dead-asic-s1)";
    return false;
  }
  if (!fs::exists(store)) {
    error_ = run_dir + ": no run.sqlite in this folder; it is not a complete PlaneLab run (an interrupted run leaves "
             "only a .partial folder)";
    return false;
  }
  try {
    store_.reset(new RunStoreReader(store));  // refuses other files and other schema versions with a clear message
  } catch (const std::exception& e) {
    error_ = e.what();
    return false;
  }
  Db db;
  if (sqlite3_open_v2(store.c_str(), &db.db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    error_ = store + ": cannot open";
    return false;
  }
  {
    Stmt s(db.db, "SELECT key, value FROM meta");
    while (s.Step()) {
      if (s.Text(0) == "scenario") scenario_ = s.Text(1);
      if (s.Text(0) == "duration_s") duration_ = std::atof(s.Text(1).c_str());
    }
  }
  {
    // Stores written before device positions existed have no x, y columns: read NULLs for them.
    bool has_xy = false;
    {
      Stmt cols(db.db, "SELECT name FROM pragma_table_info('devices')");
      while (cols.Step()) has_xy |= cols.Text(0) == "x";
    }
    Stmt s(db.db, has_xy ? "SELECT id, kind, groups, x, y FROM devices ORDER BY rowid"
                         : "SELECT id, kind, groups, NULL, NULL FROM devices ORDER BY rowid");
    while (s.Step()) {
      DeviceInfo d{s.Text(0), s.Text(1), {}};
      if (sqlite3_column_type(s.s, 3) != SQLITE_NULL) {
        d.has_pos = true;
        d.x = s.Num(3);
        d.y = s.Num(4);
      }
      auto g = nlohmann::json::parse(s.Text(2), nullptr, false);
      if (g.is_array()) for (const auto& x : g) if (x.is_string()) d.groups.push_back(x);
      devices_.push_back(d);
    }
  }
  {
    Stmt s(db.db, "SELECT id, a, b, network FROM links ORDER BY rowid");
    while (s.Step()) links_.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3)});
  }
  {
    Stmt s(db.db, "SELECT t_s, device, plane, kind, detail FROM events ORDER BY seq");
    std::map<std::pair<std::string, std::string>, size_t> open;
    while (s.Step()) {
      EventInfo e{s.Num(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)};
      if (e.kind == "fault.start" || e.kind == "fault.end") {
        auto d = nlohmann::json::parse(e.detail, nullptr, false);
        std::string kind = d.is_object() ? d.value("kind", "?") : "?";
        if (e.kind == "fault.start") {
          open[{kind, e.device}] = faults_.size();
          faults_.push_back({e.t, duration_, kind, e.device});
        } else if (open.count({kind, e.device})) {
          faults_[open[{kind, e.device}]].to = e.t;
        }
      }
      events_.push_back(std::move(e));
    }
  }
  {
    // Link cuts: carrier events name their link; OOB cuts come from mgmt-oob-down fault windows.
    std::map<std::string, double> open_since;
    for (const auto& e : events_) {
      if (e.kind != "carrier.down" && e.kind != "carrier.up") continue;
      auto d = nlohmann::json::parse(e.detail, nullptr, false);
      if (!d.is_object() || !d.contains("link")) continue;
      std::string link = d["link"];
      if (e.kind == "carrier.down") {
        if (!open_since.count(link)) open_since[link] = e.t;
      } else if (open_since.count(link)) {
        link_down_[link].push_back({open_since[link], e.t});
        open_since.erase(link);
      }
    }
    for (const auto& [link, from] : open_since) link_down_[link].push_back({from, duration_ + 1});
    for (const auto& f : faults_) {
      if (f.kind != "mgmt-oob-down") continue;
      for (const auto& l : links_) {
        if (l.network == "oob" && (l.a == f.target || l.b == f.target)) link_down_[l.id].push_back({f.from, f.to});
      }
    }
  }
  {
    Stmt s(db.db, "SELECT t_s, device, plane, actual, reported FROM health ORDER BY device, plane, t_s");
    while (s.Step()) {
      Keyframes& k = health_[{s.Text(1), s.Text(2)}];
      k.t.push_back(s.Num(0));
      k.state.push_back({s.Text(3), s.Text(4)});
    }
  }
  {
    Stmt s(db.db, "SELECT r.device, m.t_s, m.value FROM samples m JOIN series r ON r.id = m.series "
                  "WHERE r.metric = 'utilization' AND r.plane = 'data' ORDER BY r.device, m.t_s");
    while (s.Step()) link_util_[s.Text(0)].push_back({s.Num(1), s.Num(2)});
  }
  if (devices_.empty()) {
    error_ = store + ": the run store holds no devices; the run is empty or truncated";
    return false;
  }
  return true;
}

std::vector<std::string> RunModel::PlanesOf(const std::string& device) const {
  std::vector<std::string> out;
  for (const char* p : {"data", "control", "management"}) {
    if (health_.count({device, p})) out.push_back(p);
  }
  return out;
}

PlaneState RunModel::StateAt(const std::string& device, const std::string& plane, double t) const {
  auto it = health_.find({device, plane});
  if (it == health_.end() || it->second.t.empty()) return {};
  const auto& k = it->second;
  // A sample at time s covers (s - interval, s]: the state at t is that of the first sample at or after t.
  auto pos = std::lower_bound(k.t.begin(), k.t.end(), t - 1e-9);
  if (pos == k.t.end()) return k.state.back();
  return k.state[static_cast<size_t>(pos - k.t.begin())];
}

double RunModel::LinkUtilizationAt(const std::string& link, double t) const {
  auto it = link_util_.find(link);
  if (it == link_util_.end() || it->second.empty()) return std::nan("");
  const auto& v = it->second;
  auto pos = std::lower_bound(v.begin(), v.end(), std::make_pair(t - 1e-9, -1e300));
  return pos == v.end() ? v.back().second : pos->second;
}

bool RunModel::LinkDownAt(const std::string& link, double t) const {
  auto it = link_down_.find(link);
  if (it == link_down_.end()) return false;
  for (const auto& [from, to] : it->second) {
    if (t >= from && t < to) return true;
  }
  return false;
}

std::vector<std::pair<double, double>> RunModel::Series(const std::string& device, const std::string& plane,
                                                        const std::string& metric) const {
  if (!store_) return {};
  try {
    return store_->Samples(device, plane, metric, -1, 1e18);
  } catch (const std::exception&) {
    return {};
  }
}

double RunModel::MetricAt(const std::string& device, const std::string& plane, const std::string& metric,
                          double t) const {
  auto s = Series(device, plane, metric);
  double v = std::nan("");
  for (const auto& [ts, val] : s) {
    if (ts > t + 1e-9) break;
    v = val;
  }
  return v;
}

}  // namespace planelab::gui
