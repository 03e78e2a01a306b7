#include "sim/experiment/run_compare.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sim/trace/run_reader.h"

namespace planelab::experiment {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

std::string Num(double v) {
  if (std::isnan(v)) return "none";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

/// A read-only SQLite cursor stepped by hand, so two stores can be walked in lockstep.
class Cursor {
 public:
  Cursor(sqlite3* db, const std::string& sql, const std::string& where) : where_(where) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr) != SQLITE_OK) {
      std::string msg = sqlite3_errmsg(db);
      sqlite3_finalize(s_);
      s_ = nullptr;
      throw CompareRefused(where + ": the run store is damaged: " + msg);
    }
    db_ = db;
  }
  ~Cursor() { sqlite3_finalize(s_); }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  void BindInt(int i, long long v) { sqlite3_bind_int64(s_, i, v); }
  void Reset() {
    sqlite3_reset(s_);
    done_ = false;
  }
  /// Steps to the next row; false at the end.
  bool Next() {
    if (done_) return false;
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) {
      done_ = true;
      return false;
    }
    throw CompareRefused(where_ + ": the run store is damaged: " + sqlite3_errmsg(db_));
  }
  std::string Text(int c) const {
    const unsigned char* t = sqlite3_column_text(s_, c);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  double Real(int c) const { return sqlite3_column_double(s_, c); }
  long long Int(int c) const { return sqlite3_column_int64(s_, c); }
  bool Null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
  std::string where_;
  bool done_ = false;
};

class Db {
 public:
  explicit Db(const std::string& path) : path_(path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "cannot open";
      sqlite3_close(db_);
      db_ = nullptr;
      throw CompareRefused(path + ": cannot be opened: " + msg);
    }
  }
  ~Db() { sqlite3_close(db_); }
  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

std::optional<json> ReadJson(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  json j = json::parse(s.str(), nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

struct RunInfo {
  std::string scenario, seed, hash;
  json summary;
};

RunInfo OpenRun(const std::string& dir) {
  CheckRunFolder(dir);
  RunInfo info;
  RunStoreReader r((fs::path(dir) / "run.sqlite").string());
  info.scenario = r.Meta("scenario");
  info.seed = r.Meta("seed");
  info.hash = r.Meta("scenario_hash");
  auto summary = ReadJson(fs::path(dir) / "summary.json");
  if (!summary || !summary->is_object()) throw CompareRefused(dir + ": summary.json is damaged: it is not a JSON object");
  info.summary = std::move(*summary);
  return info;
}

EventRow ReadEvent(const Cursor& c) {
  return EventRow{c.Int(0), c.Real(1), c.Text(2), c.Text(3), c.Text(4), c.Text(5)};
}

bool SameEvent(const EventRow& a, const EventRow& b) {
  return a.t_s == b.t_s && a.device == b.device && a.plane == b.plane && a.kind == b.kind && a.detail == b.detail;
}

void CompareEvents(const Db& a, const Db& b, const CompareOptions& o, CompareReport& r) {
  const std::string sql = "SELECT seq, t_s, device, plane, kind, detail FROM events ORDER BY seq";
  Cursor ca(a.get(), sql, a.path()), cb(b.get(), sql, b.path());
  std::deque<EventRow> context;
  for (;;) {
    bool ha = ca.Next(), hb = cb.Next();
    if (ha) ++r.events_a;
    if (hb) ++r.events_b;
    if (!ha && !hb) break;
    if (r.events_differ) {
      // Count the rest.
      while (ha && ca.Next()) ++r.events_a;
      while (hb && cb.Next()) ++r.events_b;
      break;
    }
    std::optional<EventRow> ea, eb;
    if (ha) ea = ReadEvent(ca);
    if (hb) eb = ReadEvent(cb);
    if (ea && eb && SameEvent(*ea, *eb)) {
      context.push_back(*ea);
      if (static_cast<int>(context.size()) > o.context) context.pop_front();
      continue;
    }
    r.events_differ = true;
    r.first_a = ea;
    r.first_b = eb;
    r.context.assign(context.begin(), context.end());
    if (!ha || !hb) {
      while (ha && ca.Next()) ++r.events_a;
      while (hb && cb.Next()) ++r.events_b;
      break;
    }
  }
}

std::vector<HealthRow> ReadHealth(const Db& d) {
  std::vector<HealthRow> rows;
  Cursor c(d.get(), "SELECT device, plane, t_s, actual, reported FROM health ORDER BY device, plane, t_s", d.path());
  while (c.Next()) rows.push_back(HealthRow{c.Text(0), c.Text(1), c.Real(2), c.Text(3), c.Text(4)});
  return rows;
}

}  // namespace

void DiffExpectations(const json& sa, const json& sb, CompareReport& r) {
  auto index = [](const json& s) {
    std::map<std::string, json> m;
    if (s.contains("expectations") && s["expectations"].is_array()) {
      for (const auto& e : s["expectations"]) {
        if (e.is_object() && e.contains("id") && e["id"].is_string()) m[e["id"].get<std::string>()] = e;
      }
    }
    return m;
  };
  auto ma = index(sa), mb = index(sb);
  std::vector<std::string> ids;
  for (const auto& [id, e] : ma) ids.push_back(id);
  for (const auto& [id, e] : mb) {
    if (!ma.count(id)) ids.push_back(id);
  }
  // In the order of run A's summary (then B's own).
  std::vector<std::string> order;
  for (const auto* s : {&sa, &sb}) {
    if (!s->contains("expectations") || !(*s)["expectations"].is_array()) continue;
    for (const auto& e : (*s)["expectations"]) {
      if (e.is_object() && e.contains("id") && e["id"].is_string()) {
        std::string id = e["id"];
        if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
      }
    }
  }
  auto passed = [](const std::map<std::string, json>& m, const std::string& id) -> std::optional<bool> {
    auto it = m.find(id);
    if (it == m.end() || !it->second.contains("passed") || !it->second["passed"].is_boolean()) return std::nullopt;
    return it->second["passed"].get<bool>();
  };
  auto observed = [](const std::map<std::string, json>& m, const std::string& id) -> json {
    auto it = m.find(id);
    if (it == m.end() || !it->second.contains("observed")) return nullptr;
    return it->second["observed"];
  };
  for (const auto& id : order) {
    auto pa = passed(ma, id), pb = passed(mb, id);
    if (pa == pb) continue;
    r.expectations.push_back(ExpectationDiff{id, pa, pb, observed(ma, id), observed(mb, id)});
  }
}

namespace {

void CompareSeries(const Db& a, const Db& b, const CompareOptions& o, CompareReport& r) {
  using Key = std::tuple<std::string, std::string, std::string>;
  auto ids = [](const Db& d) {
    std::map<Key, long long> m;
    Cursor c(d.get(), "SELECT id, device, plane, metric FROM series ORDER BY id", d.path());
    while (c.Next()) m[{c.Text(1), c.Text(2), c.Text(3)}] = c.Int(0);
    return m;
  };
  auto ia = ids(a), ib = ids(b);
  std::set<Key> keys;
  for (auto& [k, v] : ia) keys.insert(k);
  for (auto& [k, v] : ib) keys.insert(k);
  const std::string sql = "SELECT t_s, value FROM samples WHERE series = ?1 ORDER BY t_s";
  Cursor ca(a.get(), sql, a.path()), cb(b.get(), sql, b.path());
  std::vector<SeriesDiff> all;
  for (const Key& k : keys) {
    SeriesDiff d;
    std::tie(d.device, d.plane, d.metric) = k;
    auto fa = ia.find(k), fb = ib.find(k);
    if (fa == ia.end() || fb == ib.end()) {
      d.why = fa == ia.end() ? "only in B" : "only in A";
      all.push_back(d);
      continue;
    }
    ++r.series_compared;
    ca.Reset();
    cb.Reset();
    ca.BindInt(1, fa->second);
    cb.BindInt(1, fb->second);
    // Merge by time: a sample present in one run only (a histogram's percentile exists only where it had
    // observations) is a difference at its time, with the other side NaN.
    bool ha = ca.Next(), hb = cb.Next();
    while (ha || hb) {
      double t;
      bool use_a, use_b;
      if (ha && hb && ca.Real(0) == cb.Real(0)) {
        t = ca.Real(0);
        use_a = use_b = true;
      } else if (ha && (!hb || ca.Real(0) < cb.Real(0))) {
        t = ca.Real(0);
        use_a = true;
        use_b = false;
      } else {
        t = cb.Real(0);
        use_a = false;
        use_b = true;
      }
      ++d.samples;
      bool na = !use_a || ca.Null(1), nb = !use_b || cb.Null(1);
      double va = na ? NAN : ca.Real(1), vb = nb ? NAN : cb.Real(1);
      if (use_a) ha = ca.Next();
      if (use_b) hb = cb.Next();
      double diff = na != nb ? INFINITY : na ? 0 : std::fabs(va - vb);
      double scale = na || nb ? 0 : std::max(std::fabs(va), std::fabs(vb));
      if (diff <= o.tolerance * scale + 1e-12) continue;
      if (d.differing == 0) {
        d.from_s = t;
        d.a_value = va;
        d.b_value = vb;
      }
      ++d.differing;
      if (!std::isinf(diff) && (diff > d.max_abs || d.max_abs == 0)) {
        d.max_abs = diff;
        d.max_rel = scale > 0 ? diff / scale : 0;
        d.max_at_s = t;
      }
      if (use_a != use_b) ++d.unpaired;
    }
    if (d.differing) all.push_back(d);
  }
  std::stable_sort(all.begin(), all.end(), [](const SeriesDiff& x, const SeriesDiff& y) { return x.from_s < y.from_s; });
  r.series_total = all.size();
  if (all.size() > o.max_listed) all.resize(o.max_listed);
  r.series = std::move(all);
}

ojson EventJson(const EventRow& e) {
  return ojson{{"seq", e.seq}, {"t_s", e.t_s}, {"device", e.device}, {"plane", e.plane}, {"kind", e.kind},
               {"detail", e.detail}};
}

std::string EventText(const EventRow& e) {
  return "#" + std::to_string(e.seq) + " t=" + Num(e.t_s) + "s " + e.device + " " + e.plane + " " + e.kind + " " +
         e.detail;
}

ojson NumOrNull(double v) { return std::isfinite(v) ? ojson(v) : ojson(nullptr); }

}  // namespace

// Health rows are samples of a step function per (device, plane): walk both in (device, plane, t) order
/// and collect, per device, plane and actual/reported, the intervals where the two runs' states differ.
void DiffHealthRows(const std::vector<HealthRow>& rows_a, const std::vector<HealthRow>& rows_b, const CompareOptions& o,
                    CompareReport& r) {
  struct Open {
    bool open = false;
    HealthDiff d;
    double since = 0;
    std::string sa, sb;
  };
  std::map<std::tuple<std::string, std::string, std::string>, HealthDiff> found;
  size_t ia = 0, ib = 0;
  const HealthRow* ra = rows_a.empty() ? nullptr : &rows_a[0];
  const HealthRow* rb = rows_b.empty() ? nullptr : &rows_b[0];
  // Current open differences per (device, plane, which).
  std::map<std::tuple<std::string, std::string, std::string>, Open> open;
  std::string cur_a_actual, cur_a_rep, cur_b_actual, cur_b_rep;
  std::pair<std::string, std::string> group;
  auto close_all = [&](double t_end) {
    for (auto& [key, op] : open) {
      if (!op.open) continue;
      HealthDiff& d = found[key];
      if (d.intervals == 0) {
        d = HealthDiff{std::get<0>(key), std::get<1>(key), std::get<2>(key), op.since, t_end, op.sa, op.sb, 0, 0};
      }
      ++d.intervals;
      d.total_s += t_end - op.since;
      op.open = false;
    }
  };
  double last_t = 0;
  auto step = [&](const std::string& dev, const std::string& plane, double t) {
    for (const char* which : {"actual", "reported"}) {
      bool rep = which[0] == 'r';
      const std::string& sa = rep ? cur_a_rep : cur_a_actual;
      const std::string& sb = rep ? cur_b_rep : cur_b_actual;
      auto key = std::make_tuple(dev, plane, std::string(which));
      Open& op = open[key];
      bool differ = sa != sb;
      if (differ && !op.open) {
        op.open = true;
        op.since = t;
        op.sa = sa.empty() ? "(none)" : sa;
        op.sb = sb.empty() ? "(none)" : sb;
      } else if (!differ && op.open) {
        HealthDiff& d = found[key];
        if (d.intervals == 0) d = HealthDiff{dev, plane, which, op.since, t, op.sa, op.sb, 0, 0};
        ++d.intervals;
        d.total_s += t - op.since;
        op.open = false;
      }
    }
  };
  while (ra || rb) {
    // The next group in order, and the next time within it.
    std::pair<std::string, std::string> ga, gb;
    if (ra) ga = {ra->device, ra->plane};
    if (rb) gb = {rb->device, rb->plane};
    std::pair<std::string, std::string> g = !ra ? gb : !rb ? ga : std::min(ga, gb);
    if (g != group) {
      close_all(last_t);
      open.clear();
      group = g;
      cur_a_actual = cur_a_rep = cur_b_actual = cur_b_rep = "";
    }
    bool ina = ra && ga == g, inb = rb && gb == g;
    double t = ina && inb ? std::min(ra->t_s, rb->t_s) : ina ? ra->t_s : rb->t_s;
    if (ina && ra->t_s == t) {
      cur_a_actual = ra->actual;
      cur_a_rep = ra->reported;
      ra = ++ia < rows_a.size() ? &rows_a[ia] : nullptr;
    }
    if (inb && rb->t_s == t) {
      cur_b_actual = rb->actual;
      cur_b_rep = rb->reported;
      rb = ++ib < rows_b.size() ? &rows_b[ib] : nullptr;
    }
    last_t = t;
    step(g.first, g.second, t);
  }
  close_all(last_t);
  std::vector<HealthDiff> all;
  for (auto& [k, d] : found) all.push_back(d);
  std::stable_sort(all.begin(), all.end(), [](const HealthDiff& x, const HealthDiff& y) { return x.from_s < y.from_s; });
  r.health_total = all.size();
  if (all.size() > o.max_listed) all.resize(o.max_listed);
  r.health = std::move(all);
}

namespace {

// Summary members other than the expectations and the health intervals (convergence, sim_time_s...): their
/// leaves that differ, as "pointer: A → B".
void DiffOtherSummary(const json& a, const json& b, const std::string& at, double tol, std::vector<std::string>& out) {
  if (out.size() >= 20) return;
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    if (std::fabs(x - y) > tol * std::max(std::fabs(x), std::fabs(y)) + 1e-12) out.push_back(at + ": " + a.dump() + " -> " + b.dump());
    return;
  }
  if (a.type() != b.type()) {
    out.push_back(at + ": " + a.dump() + " -> " + b.dump());
    return;
  }
  if (a.is_object()) {
    std::set<std::string> keys;
    for (auto it = a.begin(); it != a.end(); ++it) keys.insert(it.key());
    for (auto it = b.begin(); it != b.end(); ++it) keys.insert(it.key());
    for (const auto& k : keys) {
      if (at.empty() && (k == "expectations" || k == "devices")) continue;
      if (!a.contains(k)) out.push_back(at + "/" + k + ": only in B");
      else if (!b.contains(k)) out.push_back(at + "/" + k + ": only in A");
      else DiffOtherSummary(a[k], b[k], at + "/" + k, tol, out);
    }
  } else if (a.is_array()) {
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) DiffOtherSummary(a[i], b[i], at + "/" + std::to_string(i), tol, out);
    if (a.size() != b.size()) out.push_back(at + ": " + std::to_string(a.size()) + " items in A, " + std::to_string(b.size()) + " in B");
  } else if (a != b) {
    out.push_back(at + ": " + a.dump() + " -> " + b.dump());
  }
}

}  // namespace

void DiffSummaryRest(const json& a, const json& b, const CompareOptions& o, CompareReport& r) {
  DiffOtherSummary(a, b, "", o.tolerance, r.summary_other);
}

void CheckRunFolder(const std::string& dir) {
  fs::path d(dir);
  std::error_code ec;
  if (!fs::is_directory(d, ec)) throw CompareRefused(dir + ": no such run folder (give two folders `planelab run` wrote)");
  std::string name = fs::absolute(d).lexically_normal().filename().string();
  if (name.find(".partial-") != std::string::npos || fs::exists(d / "INTERRUPTED", ec)) {
    throw CompareRefused(dir + ": an incomplete run (the folder of an interrupted or unfinished run); compare takes "
                         "complete runs only");
  }
  if (!fs::exists(d / "run.sqlite", ec)) {
    throw CompareRefused(dir + ": not a run folder: it has no run.sqlite (give a folder `planelab run` wrote)");
  }
  for (const char* f : {"manifest.json", "summary.json"}) {
    if (!fs::exists(d / f, ec)) throw CompareRefused(dir + ": not a complete run: it has no " + f);
  }
  std::string store = (d / "run.sqlite").string();
  try {
    RunStoreReader r(store);
    std::string problems = r.CheckIntegrity(16ll << 20);
    if (!problems.empty()) {
      throw CompareRefused(store + ": the run store is damaged: SQLite's integrity check reports: " + problems);
    }
    // As the replay GUI: a store that records complete must say true; stores written before the flag (and
    // the content digest) existed are read, with SQLite's check standing for the digest.
    std::string complete = r.Meta("complete");
    if (!complete.empty() && complete != "true") {
      throw CompareRefused(store + ": the run did not complete (meta complete = \"" + complete + "\")");
    }
    r.VerifyContent();
  } catch (const CompareRefused&) {
    throw;
  } catch (const std::exception& e) {
    throw CompareRefused(e.what());
  }
}

CompareReport CompareRuns(const std::string& run_a, const std::string& run_b, const CompareOptions& opts) {
  RunInfo ia = OpenRun(run_a), ib = OpenRun(run_b);
  if (ia.scenario != ib.scenario) {
    throw CompareRefused("the runs are of different scenarios (" + run_a + " ran \"" + ia.scenario + "\", " + run_b +
                         " ran \"" + ib.scenario + "\"); compare runs of one scenario");
  }
  CompareReport r;
  r.run_a = run_a;
  r.run_b = run_b;
  r.scenario = ia.scenario;
  r.seed_a = ia.seed;
  r.seed_b = ib.seed;
  r.same_scenario_text = ia.hash == ib.hash;
  r.tolerance = opts.tolerance;
  Db a((fs::path(run_a) / "run.sqlite").string()), b((fs::path(run_b) / "run.sqlite").string());
  CompareEvents(a, b, opts, r);
  DiffHealthRows(ReadHealth(a), ReadHealth(b), opts, r);
  DiffExpectations(ia.summary, ib.summary, r);
  DiffSummaryRest(ia.summary, ib.summary, opts, r);
  CompareSeries(a, b, opts, r);
  return r;
}

nlohmann::ordered_json CompareReport::ToJson() const {
  ojson j;
  j["equivalent"] = equivalent();
  j["scenario"] = scenario;
  j["runs"] = {{"a", {{"folder", run_a}, {"seed", seed_a}, {"events", events_a}}},
               {"b", {{"folder", run_b}, {"seed", seed_b}, {"events", events_b}}}};
  j["same_scenario_text"] = same_scenario_text;
  j["tolerance"] = tolerance;
  if (events_differ) {
    ojson f;
    f["context"] = ojson::array();
    for (const auto& e : context) f["context"].push_back(EventJson(e));
    f["a"] = first_a ? EventJson(*first_a) : ojson(nullptr);
    f["b"] = first_b ? EventJson(*first_b) : ojson(nullptr);
    j["first_diverging_event"] = f;
  } else {
    j["first_diverging_event"] = nullptr;
  }
  if (!event_windows.empty()) {
    j["event_windows"] = ojson::array();
    for (const auto& w : event_windows) {
      ojson b = ojson::array();
      for (const auto& e : w.b_events) b.push_back(EventJson(e));
      j["event_windows"].push_back({{"device", w.device}, {"plane", w.plane}, {"from_s", w.from_s}, {"to_s", w.to_s},
                                    {"a_events", w.a_count}, {"b_events", w.b_count}, {"b_listed", b}});
    }
    j["event_windows_total"] = event_windows_total;
  }
  j["summary_values"] = summary_other;
  j["health"] = ojson::array();
  for (const auto& h : health) {
    j["health"].push_back({{"device", h.device}, {"plane", h.plane}, {"which", h.which}, {"from_s", h.from_s},
                           {"to_s", h.to_s}, {"a", h.a}, {"b", h.b}, {"intervals", h.intervals},
                           {"total_s", h.total_s}});
  }
  j["health_total"] = health_total;
  j["expectations"] = ojson::array();
  for (const auto& e : expectations) {
    auto p = [](const std::optional<bool>& v) { return v ? ojson(*v) : ojson(nullptr); };
    j["expectations"].push_back({{"id", e.id}, {"a_passed", p(e.a_passed)}, {"b_passed", p(e.b_passed)},
                                 {"a_observed", e.a_observed}, {"b_observed", e.b_observed}});
  }
  j["series"] = ojson::array();
  for (const auto& s : series) {
    j["series"].push_back({{"device", s.device}, {"plane", s.plane}, {"metric", s.metric}, {"why", s.why},
                           {"from_s", s.from_s}, {"a", NumOrNull(s.a_value)}, {"b", NumOrNull(s.b_value)},
                           {"max_abs", NumOrNull(s.max_abs)}, {"max_rel", NumOrNull(s.max_rel)},
                           {"max_at_s", s.max_at_s}, {"differing_samples", s.differing}, {"samples", s.samples},
                           {"one_run_only", s.unpaired}});
    if (s.windowed) {
      auto& x = j["series"].back();
      x["to_s"] = s.to_s;
      x["a_min"] = NumOrNull(s.a_min);
      x["a_max"] = NumOrNull(s.a_max);
      x["b_min"] = NumOrNull(s.b_min);
      x["b_max"] = NumOrNull(s.b_max);
      x["a_samples"] = s.a_n;
      x["b_samples"] = s.b_n;
    }
  }
  j["series_total"] = series_total;
  j["series_compared"] = series_compared;
  return j;
}

std::string CompareReport::ToText() const {
  std::ostringstream o;
  o << (equivalent() ? "equivalent: " : "different: ") << run_a << " and " << run_b << " (scenario " << scenario
    << ", seeds " << seed_a << " and " << seed_b
    << (same_scenario_text ? ", same scenario text" : ", scenario texts differ") << ")\n";
  o << "events: " << events_a << " in A, " << events_b << " in B\n";
  if (equivalent()) {
    o << "same events, health, expectation outcomes and " << series_compared << " metric series (tolerance "
      << Num(tolerance) << ")\n";
    return o.str();
  }
  if (events_differ && !first_a && !first_b) {
    o << "\nevents that differ (" << event_windows_total << " device/plane/window"
      << (event_windows_total > event_windows.size() ? ", first " + std::to_string(event_windows.size()) + " listed" : "")
      << "):\n";
    for (const auto& w : event_windows) {
      o << "  " << w.device << " " << w.plane << " in [" << Num(w.from_s) << "s, " << Num(w.to_s) << "s): " << w.a_count
        << " event" << (w.a_count == 1 ? "" : "s") << " in A, " << w.b_count << " in B"
        << (w.a_count == w.b_count ? " (not the same ones)" : "") << "\n";
      for (const auto& e : w.b_events) o << "      B " << EventText(e) << "\n";
    }
  } else if (events_differ) {
    const EventRow* f = first_a ? &*first_a : &*first_b;
    o << "\nfirst diverging event: at t=" << Num(f->t_s) << "s, " << f->device << " " << f->plane << " " << f->kind
      << "\n";
    for (const auto& e : context) o << "    " << EventText(e) << "\n";
    o << "  A " << (first_a ? EventText(*first_a) : "(no more events)") << "\n";
    o << "  B " << (first_b ? EventText(*first_b) : "(no more events)") << "\n";
  } else {
    o << "\nthe event streams are the same\n";
  }
  if (health_total) {
    o << "\nhealth that differs (" << health_total << " device/plane/state" << (health_total > health.size() ? ", first " + std::to_string(health.size()) + " listed" : "") << "):\n";
    for (const auto& h : health) {
      o << "  " << h.device << " " << h.plane << " " << h.which << ": from " << Num(h.from_s) << "s to "
        << Num(h.to_s) << "s A=" << h.a << " B=" << h.b;
      if (h.intervals > 1) o << " (" << h.intervals << " intervals, " << Num(h.total_s) << "s in all)";
      o << "\n";
    }
  }
  if (!summary_other.empty()) {
    o << "\nsummary values that differ (A -> B):\n";
    for (const auto& s : summary_other) o << "  " << s << "\n";
  }
  if (!expectations.empty()) {
    o << "\nexpectations whose outcome changed:\n";
    auto out = [](const std::optional<bool>& p, const json& obs) {
      if (!p) return std::string("absent");
      return std::string(*p ? "passed" : "failed") + " (observed " + (obs.is_null() ? "none" : obs.dump()) + ")";
    };
    for (const auto& e : expectations) {
      o << "  " << e.id << ": A " << out(e.a_passed, e.a_observed) << ", B " << out(e.b_passed, e.b_observed) << "\n";
    }
  }
  if (series_total) {
    o << "\nmetric series that differ beyond tolerance " << Num(tolerance) << " (" << series_total << " of "
      << series_compared << (series_total > series.size() ? ", first " + std::to_string(series.size()) + " listed" : "")
      << "):\n";
    for (const auto& s : series) {
      o << "  " << s.device << " " << s.plane << " " << s.metric << ": ";
      if (s.why == "only in A" || s.why == "only in B") {
        o << s.why << "\n";
        continue;
      }
      if (s.windowed) {
        o << "first in [" << Num(s.from_s) << "s, " << Num(s.to_s) << "s); over the run mean A " << Num(s.a_value)
          << ", B " << Num(s.b_value) << "; min A " << Num(s.a_min) << ", B " << Num(s.b_min) << "; max A "
          << Num(s.a_max) << ", B " << Num(s.b_max);
        if (s.a_n != s.b_n) o << "; " << s.a_n << " samples in A, " << s.b_n << " in B";
        o << "\n";
        continue;
      }
      o << "from t=" << Num(s.from_s) << "s (A " << Num(s.a_value) << ", B " << Num(s.b_value) << ")";
      if (s.max_abs > 0) {
        o << ", largest difference " << Num(s.max_abs) << " (" << Num(s.max_rel * 100) << "%) at t=" << Num(s.max_at_s)
          << "s";
      }
      o << "; " << s.differing << " of " << s.samples << " samples differ";
      if (s.unpaired) o << " (" << s.unpaired << " present in one run only)";
      o << "\n";
    }
  }
  return o.str();
}

}  // namespace planelab::experiment
