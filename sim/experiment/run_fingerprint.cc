#include "sim/experiment/run_fingerprint.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/trace/run_reader.h"

namespace planelab::experiment {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

/// FNV-1a 64 fed piece by piece (sim/util/hash.h hashes whole strings), so a million samples are digested
/// without being copied.
struct Fnv {
  uint64_t h = 14695981039346656037ull;
  void Add(const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  }
  std::string Hex(int digits) const {
    char b[17];
    std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(h));
    return std::string(b + 16 - digits);
  }
};

// 9 significant digits: what the goldens keep and digest, so that a last-bit libm difference is not a change.
std::string G9(double v) {
  if (std::isnan(v)) return "null";
  char b[40];
  std::snprintf(b, sizeof b, "%.9g", v);
  return b;
}
double Round9(double v) { return std::isfinite(v) ? std::strtod(G9(v).c_str(), nullptr) : v; }

std::pair<std::string, std::string> SplitSource(const std::string& key) {
  size_t sp = key.find(' ');
  if (sp == std::string::npos) return {key, ""};
  return {key.substr(0, sp), key.substr(sp + 1)};
}

json ReadJsonFile(const fs::path& p, const std::string& dir) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  json j = json::parse(s.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw CompareRefused(dir + ": summary.json is damaged: it is not a JSON object");
  return j;
}

std::vector<HealthRow> HealthOfSummary(const json& summary) {
  std::vector<HealthRow> rows;
  if (!summary.contains("devices") || !summary["devices"].is_object()) return rows;
  for (auto d = summary["devices"].begin(); d != summary["devices"].end(); ++d) {
    if (!d.value().is_object()) continue;
    for (auto p = d.value().begin(); p != d.value().end(); ++p) {
      if (!p.value().is_array()) continue;
      for (const auto& iv : p.value()) {
        if (!iv.is_object()) continue;
        rows.push_back(HealthRow{d.key(), p.key(), iv.value("from_s", 0.0), iv.value("actual", std::string()),
                                 iv.value("reported", std::string())});
      }
    }
  }
  return rows;  // json objects iterate keys in order, and intervals come in time order: sorted as DiffHealthRows needs
}

}  // namespace

RunFingerprint FingerprintRun(const std::string& run_dir, int windows) {
  CheckRunFolder(run_dir);
  RunFingerprint f;
  f.windows = std::max(1, windows);
  f.summary = ReadJsonFile(fs::path(run_dir) / "summary.json", run_dir);
  try {
    RunStoreReader r((fs::path(run_dir) / "run.sqlite").string());
    f.scenario = r.Meta("scenario");
    f.scenario_path = r.Meta("scenario_path");
    f.scenario_hash = r.Meta("scenario_hash");
    f.seed = r.Meta("seed");
    f.planelab_version = r.Meta("planelab_version");
    f.duration_s = std::strtod(r.Meta("duration_s").c_str(), nullptr);
    if (!(f.duration_s > 0)) f.duration_s = 1;
    f.pooled = static_cast<size_t>(r.QueryInt("SELECT COUNT(*) FROM series")) > kMaxSeriesPerDevice;
    const double w = f.window_s();
    auto window_of = [&](double t) {
      int k = static_cast<int>(std::floor(std::max(0.0, t) / w));
      return std::min(f.windows - 1, k);
    };
    auto source_of = [&](const std::string& device, const std::string& plane) {
      return (f.pooled ? std::string("*") : device) + " " + plane;
    };
    struct WindowFnv {
      Fnv events, samples;
    };
    std::map<std::string, std::vector<WindowFnv>> fnv;
    auto slot = [&](const std::string& key) -> std::vector<WindowFnv>& {
      auto& v = fnv[key];
      if (v.empty()) {
        v.resize(f.windows);
        f.sources[key].resize(f.windows);
      }
      return v;
    };
    r.ForEach("SELECT t_s, device, plane, kind, detail FROM events ORDER BY seq", "events", [&](const auto& row) {
      double t = row.Real(0);
      std::string device = row.Text(1), plane = row.Text(2);
      std::string key = source_of(device, plane);
      int k = window_of(t);
      auto& h = slot(key)[k];
      h.events.Add(G9(t) + "\t" + (f.pooled ? device + "\t" : "") + row.Text(3) + "\t" + row.Text(4) + "\n");
      ++f.sources[key][k].events;
      ++f.events;
    });
    // Samples in name order (not series id order), so that a series added elsewhere does not move the others.
    struct SeriesAcc {
      Fnv fnv;
      long long n = 0, nulls = 0;
      double min = INFINITY, max = -INFINITY, sum = 0;
    };
    std::map<std::string, SeriesAcc> acc;
    r.ForEach(
        "SELECT s.device, s.plane, s.metric, x.t_s, x.value FROM samples x JOIN series s ON x.series = s.id "
        "ORDER BY s.device, s.plane, s.metric, x.t_s",
        "samples", [&](const auto& row) {
          std::string device = row.Text(0), plane = row.Text(1), metric = row.Text(2);
          double t = row.Real(3);
          bool null = row.IsNull(4);
          double v = null ? NAN : row.Real(4);
          std::string skey = (f.pooled ? std::string("*") : device) + " " + plane + " " + metric;
          SeriesAcc& a = acc[skey];
          std::string text = G9(t) + "\t" + (f.pooled ? device + "\t" : "") + G9(v) + "\n";
          a.fnv.Add(text);
          if (null) {
            ++a.nulls;
          } else {
            ++a.n;
            a.min = std::min(a.min, v);
            a.max = std::max(a.max, v);
            a.sum += v;
          }
          std::string key = source_of(device, plane);
          int k = window_of(t);
          slot(key)[k].samples.Add(metric + "\t" + text);
          ++f.sources[key][k].samples;
          ++f.samples;
        });
    // Series that never got a sample still count: a series that disappears is a difference.
    r.ForEach("SELECT device, plane, metric FROM series", "series", [&](const auto& row) {
      acc[(f.pooled ? std::string("*") : row.Text(0)) + " " + row.Text(1) + " " + row.Text(2)];
    });
    for (auto& [key, a] : acc) {
      RunFingerprint::Series s;
      s.n = a.n;
      s.nulls = a.nulls;
      s.min = a.n ? Round9(a.min) : 0;
      s.max = a.n ? Round9(a.max) : 0;
      s.mean = a.n ? Round9(a.sum / static_cast<double>(a.n)) : 0;
      s.digest = a.fnv.Hex(16);
      f.series[key] = s;
    }
    for (auto& [key, v] : fnv) {
      auto& out = f.sources[key];
      for (int k = 0; k < f.windows; ++k) {
        if (out[k].events) out[k].event_digest = v[k].events.Hex(8);
        if (out[k].samples) out[k].sample_digest = v[k].samples.Hex(8);
      }
    }
  } catch (const CompareRefused&) {
    throw;
  } catch (const std::exception& e) {
    throw CompareRefused(run_dir + ": " + e.what());
  }
  return f;
}

std::string RunFingerprint::ToText() const {
  auto q = [](const std::string& s) { return json(s).dump(); };
  std::ostringstream o;
  o << "{\n  \"format\": " << q(kGoldenFormat) << ",\n  \"scenario\": " << q(scenario)
    << ",\n  \"scenario_path\": " << q(scenario_path) << ",\n  \"scenario_hash\": " << q(scenario_hash)
    << ",\n  \"seed\": " << q(seed) << ",\n  \"planelab_version\": " << q(planelab_version)
    << ",\n  \"duration_s\": " << G9(duration_s) << ",\n  \"windows\": " << windows
    << ",\n  \"pooled\": " << (pooled ? "true" : "false") << ",\n  \"events\": " << events
    << ",\n  \"samples\": " << samples << ",\n";
  // The summary a line per expectation, convergence episode and device plane: a diff then names what changed.
  o << "  \"summary\": {";
  bool first_member = true;
  for (auto it = summary.begin(); it != summary.end(); ++it) {
    o << (first_member ? "\n" : ",\n") << "    " << q(it.key()) << ": ";
    first_member = false;
    const json& v = it.value();
    if (v.is_array() && !v.empty()) {
      o << "[";
      for (size_t i = 0; i < v.size(); ++i) o << (i ? ",\n      " : "\n      ") << v[i].dump();
      o << "\n    ]";
    } else if (it.key() == "devices" && v.is_object() && !v.empty()) {
      o << "{";
      bool first_device = true;
      for (auto d = v.begin(); d != v.end(); ++d) {
        o << (first_device ? "\n" : ",\n") << "      " << q(d.key()) << ": ";
        first_device = false;
        if (!d.value().is_object() || d.value().empty()) {
          o << d.value().dump();
          continue;
        }
        o << "{";
        bool first_plane = true;
        for (auto pl = d.value().begin(); pl != d.value().end(); ++pl) {
          o << (first_plane ? "\n" : ",\n") << "        " << q(pl.key()) << ": " << pl.value().dump();
          first_plane = false;
        }
        o << "\n      }";
      }
      o << "\n    }";
    } else {
      o << v.dump();
    }
  }
  o << "\n  },\n";
  o << "  \"sources\": {";
  bool first = true;
  for (const auto& [key, ws] : sources) {
    o << (first ? "\n" : ",\n") << "    " << q(key) << ": [";
    first = false;
    for (size_t k = 0; k < ws.size(); ++k) {
      o << (k ? ", " : "") << "[" << ws[k].events << ", " << ws[k].samples << ", " << q(ws[k].event_digest) << ", "
        << q(ws[k].sample_digest) << "]";
    }
    o << "]";
  }
  o << "\n  },\n  \"series\": {";
  first = true;
  for (const auto& [key, s] : series) {
    o << (first ? "\n" : ",\n") << "    " << q(key) << ": [" << s.n << ", " << s.nulls << ", " << G9(s.min) << ", "
      << G9(s.max) << ", " << G9(s.mean) << ", " << q(s.digest) << "]";
    first = false;
  }
  o << "\n  }\n}\n";
  return o.str();
}

RunFingerprint RunFingerprint::FromJson(const json& j, const std::string& where) {
  auto bad = [&](const std::string& why) {
    throw CompareRefused(where + ": not a golden PlaneLab can read (" + why +
                         "); rewrite it with `planelab regress --update`");
  };
  if (!j.is_object()) bad("not a JSON object");
  if (j.value("format", std::string()) != kGoldenFormat) {
    bad("format \"" + (j.contains("format") ? j["format"].dump() : std::string("none")) + "\", this build reads \"" +
        kGoldenFormat + "\"");
  }
  RunFingerprint f;
  try {
    f.scenario = j.at("scenario").get<std::string>();
    f.scenario_path = j.at("scenario_path").get<std::string>();
    f.scenario_hash = j.at("scenario_hash").get<std::string>();
    f.seed = j.at("seed").get<std::string>();
    f.planelab_version = j.at("planelab_version").get<std::string>();
    f.duration_s = j.at("duration_s").get<double>();
    f.windows = j.at("windows").get<int>();
    if (f.windows < 1 || f.windows > 10000) bad("windows must be 1 to 10,000");
    f.pooled = j.at("pooled").get<bool>();
    f.events = j.at("events").get<long long>();
    f.samples = j.at("samples").get<long long>();
    f.summary = j.at("summary");
    for (auto it = j.at("sources").begin(); it != j.at("sources").end(); ++it) {
      auto& ws = f.sources[it.key()];
      if (it.value().size() != static_cast<size_t>(f.windows)) bad("source \"" + it.key() + "\" has not `windows` windows");
      for (const auto& w : it.value()) {
        ws.push_back(RunFingerprint::Window{w.at(0).get<long long>(), w.at(1).get<long long>(), w.at(2).get<std::string>(),
                                           w.at(3).get<std::string>()});
      }
    }
    for (auto it = j.at("series").begin(); it != j.at("series").end(); ++it) {
      const auto& v = it.value();
      f.series[it.key()] = RunFingerprint::Series{v.at(0).get<long long>(), v.at(1).get<long long>(), v.at(2).get<double>(),
                                                 v.at(3).get<double>(), v.at(4).get<double>(), v.at(5).get<std::string>()};
    }
  } catch (const json::exception& e) {
    bad(std::string("a member is missing or of the wrong type: ") + e.what());
  }
  return f;
}

CompareReport CompareFingerprints(const RunFingerprint& a, const RunFingerprint& b, const std::string& a_name,
                                  const std::string& b_name, const CompareOptions& o) {
  CompareReport r;
  r.run_a = a_name;
  r.run_b = b_name;
  r.scenario = b.scenario;
  r.seed_a = a.seed;
  r.seed_b = b.seed;
  r.same_scenario_text = a.scenario_hash == b.scenario_hash;
  r.tolerance = o.tolerance;
  r.events_a = a.events;
  r.events_b = b.events;
  DiffExpectations(a.summary, b.summary, r);
  DiffHealthRows(HealthOfSummary(a.summary), HealthOfSummary(b.summary), o, r);
  DiffSummaryRest(a.summary, b.summary, o, r);
  const double w = b.window_s();
  std::set<std::string> keys;
  for (const auto& [k, v] : a.sources) keys.insert(k);
  for (const auto& [k, v] : b.sources) keys.insert(k);
  // Per source, the first window whose samples differ: where a series of that device and plane first parts.
  std::map<std::string, int> first_sample_window;
  std::vector<EventWindowDiff> ev;
  static const std::vector<RunFingerprint::Window> kNone;
  for (const auto& key : keys) {
    auto fa = a.sources.find(key), fb = b.sources.find(key);
    const auto& wa = fa == a.sources.end() ? kNone : fa->second;
    const auto& wb = fb == b.sources.end() ? kNone : fb->second;
    auto [device, plane] = SplitSource(key);
    for (int k = 0; k < b.windows; ++k) {
      RunFingerprint::Window x = k < static_cast<int>(wa.size()) ? wa[k] : RunFingerprint::Window{};
      RunFingerprint::Window y = k < static_cast<int>(wb.size()) ? wb[k] : RunFingerprint::Window{};
      if (x.events != y.events || x.event_digest != y.event_digest) {
        ev.push_back(EventWindowDiff{device, plane, k * w, (k + 1) * w, x.events, y.events, {}});
      }
      if ((x.samples != y.samples || x.sample_digest != y.sample_digest) && !first_sample_window.count(key)) {
        first_sample_window[key] = k;
      }
    }
  }
  std::stable_sort(ev.begin(), ev.end(), [](const auto& x, const auto& y) { return x.from_s < y.from_s; });
  r.event_windows_total = ev.size();
  r.events_differ = !ev.empty() || a.events != b.events;
  if (ev.size() > o.max_listed) ev.resize(o.max_listed);
  r.event_windows = std::move(ev);
  std::set<std::string> skeys;
  for (const auto& [k, v] : a.series) skeys.insert(k);
  for (const auto& [k, v] : b.series) skeys.insert(k);
  std::vector<SeriesDiff> all;
  for (const auto& key : skeys) {
    auto sa = a.series.find(key), sb = b.series.find(key);
    SeriesDiff d;
    auto [device, rest] = SplitSource(key);
    auto [plane, metric] = SplitSource(rest);
    d.device = device;
    d.plane = plane;
    d.metric = metric;
    if (sa == a.series.end() || sb == b.series.end()) {
      d.why = sa == a.series.end() ? "only in B" : "only in A";
      all.push_back(d);
      continue;
    }
    ++r.series_compared;
    const auto& x = sa->second;
    const auto& y = sb->second;
    if (x.digest == y.digest && x.n == y.n && x.nulls == y.nulls) continue;
    d.windowed = true;
    auto fw = first_sample_window.find(device + " " + plane);
    int k = fw == first_sample_window.end() ? 0 : fw->second;
    d.from_s = k * w;
    d.to_s = (k + 1) * w;
    d.a_value = x.mean;
    d.b_value = y.mean;
    d.a_min = x.min;
    d.a_max = x.max;
    d.b_min = y.min;
    d.b_max = y.max;
    d.a_n = x.n;
    d.b_n = y.n;
    d.samples = static_cast<size_t>(y.n + y.nulls);
    d.max_abs = std::max({std::fabs(x.mean - y.mean), std::fabs(x.min - y.min), std::fabs(x.max - y.max)});
    all.push_back(d);
  }
  std::stable_sort(all.begin(), all.end(), [](const SeriesDiff& x, const SeriesDiff& y) { return x.from_s < y.from_s; });
  r.series_total = all.size();
  if (all.size() > o.max_listed) all.resize(o.max_listed);
  r.series = std::move(all);
  return r;
}

}  // namespace planelab::experiment
