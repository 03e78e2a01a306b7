#include "gui/run_model.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "sim/trace/run_reader.h"
#include "sim/trace/run_store.h"
#include "sim/util/hash.h"

namespace planelab::gui {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

/// Why a folder cannot be replayed; the message is shown as it is.
struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const char* JsonType(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::discarded: return "not JSON";
    default: return "a number";
  }
}

/// A value from the store or a file, as a message quotes it: at most 60 characters.
std::string Clip(const std::string& s) { return s.size() <= 60 ? s : s.substr(0, 57) + "..."; }

std::string Seconds(double t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", t);
  return buf;
}

/// Reads a small file whole; nullopt when it cannot be read.
std::optional<std::string> Slurp(const fs::path& p, uintmax_t limit) {
  std::error_code ec;
  uintmax_t size = fs::file_size(p, ec);
  if (ec || size > limit) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  if (!in && !in.eof()) return std::nullopt;
  return s.str();
}

/// The manifest of a finished run (manifest.json): its schema, and that the files it lists are the
/// files in the folder. What it says of the run is returned for the cross-check with the store.
struct Manifest {
  std::string run_store_schema, scenario, seed;
};

Manifest CheckManifest(const fs::path& dir) {
  fs::path file = dir / "manifest.json";
  std::string where = file.string();
  auto text = Slurp(file, 1 << 20);
  if (!text) throw Refused(where + ": cannot be read, or is larger than a manifest can be (1 MiB): the folder is damaged");
  json m = json::parse(*text, nullptr, false);
  if (m.is_discarded()) throw Refused(where + ": the manifest is damaged: it is not valid JSON");
  if (!m.is_object()) throw Refused(where + ": the manifest is damaged: it is " + JsonType(m) + ", not an object");
  auto field = [&](const char* key, bool required) -> const json* {
    auto it = m.find(key);
    if (it == m.end()) {
      if (required) throw Refused(where + ": the manifest is damaged: it has no \"" + key + "\"");
      return nullptr;
    }
    return &*it;
  };
  auto text_field = [&](const char* key) {
    const json* v = field(key, true);
    if (!v->is_string()) {
      throw Refused(where + ": the manifest is damaged: its \"" + key + "\" is " + JsonType(*v) + ", not a string");
    }
    return v->get<std::string>();
  };
  // The schema first, as for the store: a newer manifest may mean anything by its other fields.
  std::string mismatch = SchemaMismatch("manifest schema", text_field("schema"), kManifestSchema);
  if (!mismatch.empty()) {
    bool newer = mismatch.find("newer") != std::string::npos;
    throw Refused(where + ": " + mismatch +
                  (newer ? " (open the run with a newer planelab-replay)" : " (re-run the scenario with this version)"));
  }
  Manifest out;
  out.run_store_schema = text_field("run_store_schema");
  out.scenario = text_field("scenario");
  const json* seed = field("seed", true);
  if (!seed->is_number_unsigned()) {
    throw Refused(where + ": the manifest is damaged: its \"seed\" is " + JsonType(*seed) + ", not a whole number");
  }
  out.seed = std::to_string(seed->get<uint64_t>());
  const json* files = field("files", true);
  if (!files->is_object()) {
    throw Refused(where + ": the manifest is damaged: its \"files\" is " + JsonType(*files) + ", not an object");
  }
  for (const auto& [name, hash] : files->items()) {
    if (!hash.is_string()) {
      throw Refused(where + ": the manifest is damaged: the hash of " + Clip(name) + " is " + JsonType(hash) + ", not a string");
    }
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
      throw Refused(where + ": the manifest is damaged: it lists \"" + Clip(name) + "\", which is not a file of the folder");
    }
    fs::path p = dir / name;
    if (!fs::exists(p)) {
      if (name == "summary.json") continue;  // counted as an interruption by the caller
      throw Refused(where + ": the folder is damaged: " + Clip(name) + ", listed in the manifest, is missing");
    }
    auto bytes = Slurp(p, uintmax_t(1) << 32);
    if (!bytes) throw Refused(p.string() + ": cannot be read");
    std::string now = "fnv1a64:" + Fnv1a64Hex(*bytes);
    if (now != hash.get<std::string>()) {
      throw Refused(p.string() + ": the folder is damaged: " + name + " does not match its hash in manifest.json (" +
                    hash.get<std::string>() + " recorded, " + now + " now)");
    }
  }
  return out;
}

/// The signs that a run did not finish, as reasons to show.
std::vector<std::string> InterruptionSigns(const fs::path& dir) {
  std::vector<std::string> why;
  std::string name = fs::absolute(dir).lexically_normal().filename().string();
  if (name.empty()) name = fs::absolute(dir).lexically_normal().parent_path().filename().string();
  size_t at = name.rfind(".partial-");
  if (at != std::string::npos) {
    std::string pid = name.substr(at + 9);
    bool digits = !pid.empty() && pid.size() < 10 && std::all_of(pid.begin(), pid.end(), ::isdigit);
    std::string reason = "the folder is named *.partial-" + pid + ", the name a run has until it completes";
    if (digits && (::kill(static_cast<pid_t>(std::stol(pid)), 0) == 0 || errno == EPERM)) {
      reason += " (process " + pid + " is alive: the run may still be in progress)";
    }
    why.push_back(reason);
  }
  fs::path marker = dir / "INTERRUPTED";
  if (fs::exists(marker)) {
    std::string line;
    if (auto text = Slurp(marker, 1 << 16)) {
      std::istringstream in(*text);
      std::getline(in, line);
      if (line.size() > 200) line = line.substr(0, 200) + "...";
    }
    why.push_back("it holds an INTERRUPTED marker" + (line.empty() ? std::string() : " (\"" + line + "\")"));
  }
  if (!fs::exists(dir / "summary.json")) why.push_back("it has no summary.json");
  if (!fs::exists(dir / "manifest.json")) why.push_back("it has no manifest.json");
  return why;
}

bool KnownHealth(const std::string& s) {
  return s == "up" || s == "degraded" || s == "down" || s == "unknown" || s == "absent";
}
bool KnownPlane(const std::string& p) { return p == "data" || p == "control" || p == "management"; }

}  // namespace

RunModel::RunModel() = default;
RunModel::~RunModel() = default;
RunModel::RunModel(RunModel&&) noexcept = default;
RunModel& RunModel::operator=(RunModel&&) noexcept = default;

bool RunModel::Load(const std::string& run_dir) {
  *this = RunModel();
  try {
    LoadOrThrow(run_dir);
    return true;
  } catch (const std::bad_alloc&) {
    error_ = run_dir + ": out of memory while loading the run";
  } catch (const std::exception& e) {
    error_ = e.what();
  }
  std::string error = std::move(error_);
  *this = RunModel();
  error_ = std::move(error);
  return false;
}

void RunModel::LoadOrThrow(const std::string& run_dir) {
  std::string store = (fs::path(run_dir) / "run.sqlite").string();
  if (!fs::is_directory(run_dir)) {
    throw Refused(run_dir + ": no such run folder (open the folder a `planelab run` wrote, e.g. runs/dead-asic-s1)");
  }
  // A student bundle (planelab exercise make): a run store of the operators' view only, its actual health hidden.
  if (!fs::exists(store) && fs::exists(fs::path(run_dir) / "bundle.sqlite")) {
    store = (fs::path(run_dir) / "bundle.sqlite").string();
    student_bundle_ = true;
  }
  if (!fs::exists(store)) {
    throw Refused(run_dir + ": no run.sqlite in this folder; it is not a complete PlaneLab run (an interrupted run "
                  "leaves only a .partial folder)");
  }
  if (!fs::is_regular_file(store)) throw Refused(store + ": not a file; the run folder is damaged");
  if (!student_bundle_) interruption_ = InterruptionSigns(run_dir);
  std::string context =
      interruption_.empty() ? "" : " (and the run did not finish: " + interruption_.front() + ")";
  std::optional<Manifest> manifest;
  if (fs::exists(fs::path(run_dir) / "manifest.json")) manifest = CheckManifest(run_dir);
  try {
    store_.reset(new RunStoreReader(store));  // refuses other files and other schema versions with a clear message
    // SQLite's own check, then the content against the digest written with it: together they tell a
    // damaged store from an intact one, where reading alone would draw whatever the damage left.
    std::string problems = store_->CheckIntegrity();
    if (!problems.empty()) {
      throw RunStoreDamaged(store + ": the run store is damaged: SQLite's integrity check reports: " + problems);
    }
    store_->VerifyContent();
  } catch (const std::exception& e) {
    throw Refused(e.what() + context);
  }
  const RunStoreReader& db = *store_;
  auto damaged = [&](const std::string& what) { return Refused(store + ": the run store is damaged: " + what); };

  std::map<std::string, std::string> meta;
  db.ForEach("SELECT key, value FROM meta", "meta", [&](const RunStoreReader::Row& r) { meta[r.Text(0)] = r.Text(1); });
  scenario_ = meta["scenario"];
  if (student_bundle_ && meta["bundle"].rfind("planelab.bundle/", 0) != 0) {
    throw Refused(store + ": not a student bundle (its meta has no bundle schema); open a run folder or a bundle "
                  "`planelab exercise make` wrote");
  }
  {
    const std::string& d = meta["duration_s"];
    char* end = nullptr;
    errno = 0;
    planned_ = d.empty() ? NAN : std::strtod(d.c_str(), &end);
    if (d.empty() || errno || *end || !std::isfinite(planned_) || planned_ < 0) {
      throw damaged("meta \"duration_s\" is \"" + Clip(d) + "\", not a duration in seconds");
    }
  }
  if (meta.count("complete") && meta["complete"] != "true") {
    interruption_.push_back("the store records complete = \"" + Clip(meta["complete"]) + "\"");
  }
  if (manifest) {
    auto differ = [&](const char* what, const std::string& m, const std::string& s) {
      if (m == s) return;
      throw Refused(run_dir + ": the folder is damaged: manifest.json and run.sqlite are not of the same run (" + what +
                    " \"" + Clip(m) + "\" in manifest.json, \"" + Clip(s) + "\" in run.sqlite)");
    };
    differ("run store schema", manifest->run_store_schema, meta["schema"]);
    differ("scenario", manifest->scenario, meta["scenario"]);
    differ("seed", manifest->seed, meta["seed"]);
  }
  const double limit = planned_ * (1 + 1e-9) + 1e-6;
  auto in_run = [&](const RunStoreReader::Row& r, int col, const char* what) {
    double t = r.Real(col);
    if (t < 0 || t > limit) {
      throw damaged(std::string(what) + " row " + std::to_string(r.index() + 1) + " is at t = " + Seconds(t) +
                    " s, outside the run (0 to " + Seconds(planned_) + " s)");
    }
    return t;
  };

  std::set<std::string> ids;
  {
    // Stores written before device positions existed have no x, y columns: read NULLs for them.
    bool has_xy = false;
    db.ForEach("SELECT name FROM pragma_table_info('devices')", "the devices table's columns",
               [&](const RunStoreReader::Row& r) { has_xy |= r.Text(0) == "x"; });
    db.ForEach(has_xy ? "SELECT id, kind, groups, x, y FROM devices ORDER BY rowid"
                      : "SELECT id, kind, groups, NULL, NULL FROM devices ORDER BY rowid",
               "devices", [&](const RunStoreReader::Row& r) {
                 DeviceInfo d{r.Text(0), r.Text(1), {}};
                 if (d.id.empty() || !ids.insert(d.id).second) {
                   throw damaged("devices row " + std::to_string(r.index() + 1) + " has an empty or repeated id \"" +
                                 Clip(d.id) + "\"");
                 }
                 if (!r.IsNull(3) || !r.IsNull(4)) {
                   d.has_pos = true;
                   d.x = r.Real(3);
                   d.y = r.Real(4);
                 }
                 json g = json::parse(r.Text(2), nullptr, false);
                 if (!g.is_array()) throw damaged("the groups of device " + Clip(d.id) + " are " + JsonType(g) + ", not a list");
                 for (const auto& x : g) {
                   if (!x.is_string()) throw damaged("a group of device " + Clip(d.id) + " is " + JsonType(x) + ", not a name");
                   d.groups.push_back(x.get<std::string>());
                 }
                 devices_.push_back(std::move(d));
               });
  }
  db.ForEach("SELECT id, a, b, network FROM links ORDER BY rowid", "links", [&](const RunStoreReader::Row& r) {
    links_.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3)});
  });
  double data_end = 0;
  db.ForEach("SELECT t_s, device, plane, kind, detail FROM events ORDER BY seq", "events",
             [&](const RunStoreReader::Row& r) {
               EventInfo e{in_run(r, 0, "events"), r.Text(1), r.Text(2), r.Text(3), r.Text(4)};
               data_end = std::max(data_end, e.t);
               events_.push_back(std::move(e));
             });
  db.ForEach("SELECT t_s, device, plane, actual, reported FROM health ORDER BY device, plane, t_s", "health",
             [&](const RunStoreReader::Row& r) {
               double t = in_run(r, 0, "health");
               std::string device = r.Text(1), plane = r.Text(2), actual = r.Text(3), reported = r.Text(4);
               if (!ids.count(device)) {
                 throw damaged("health row " + std::to_string(r.index() + 1) + " names device \"" + Clip(device) +
                               "\", which the store does not list");
               }
               if (!KnownPlane(plane) || !(KnownHealth(actual) || (student_bundle_ && actual == "hidden")) ||
                   !KnownHealth(reported)) {
                 throw damaged("health row " + std::to_string(r.index() + 1) + " (" + Clip(device) + " at " + Seconds(t) +
                               " s) has plane \"" + Clip(plane) + "\", actual \"" + Clip(actual) + "\", reported \"" +
                               Clip(reported) + "\": not a plane and health states");
               }
               Keyframes& k = health_[{device, plane}];
               k.t.push_back(t);
               k.state.push_back({actual, reported});
               data_end = std::max(data_end, t);
             });
  db.ForEach("SELECT MAX(t_s) FROM samples", "samples", [&](const RunStoreReader::Row& r) {
    if (!r.IsNull(0)) data_end = std::max(data_end, in_run(r, 0, "samples"));
  });
  db.ForEach("SELECT r.device, m.t_s, m.value FROM samples m JOIN series r ON r.id = m.series "
             "WHERE r.metric = 'utilization' AND r.plane = 'data' ORDER BY r.device, m.t_s",
             "link utilisation samples", [&](const RunStoreReader::Row& r) {
               double t = in_run(r, 1, "link utilisation samples");
               link_util_[r.Text(0)].push_back({t, r.IsNull(2) ? std::nan("") : r.Real(2)});
             });
  if (!interrupted() && health_.empty()) {
    throw damaged("it holds no health samples, although the folder says the run completed");
  }
  // An interrupted run ends where its data end: the fault windows and cut links still open there end
  // with it, instead of running on to a planned end that was never simulated.
  duration_ = interrupted() ? data_end : planned_;

  std::map<std::pair<std::string, std::string>, size_t> open;
  std::map<std::string, double> open_since;
  std::map<std::pair<std::string, std::string>, ControlChannel> channels;  // (switch, controller) -> channel
  std::map<std::pair<std::string, std::string>, double> channel_since;     // up channels: since when
  for (size_t i = 0; i < events_.size(); ++i) {
    const EventInfo& e = events_[i];
    bool fault = e.kind == "fault.start" || e.kind == "fault.end";
    bool carrier = e.kind == "carrier.down" || e.kind == "carrier.up";
    bool channel = e.kind == "ofchannel.up" || e.kind == "ofchannel.down" || e.kind == "switch.role";
    if (!fault && !carrier && !channel) continue;
    // The details the replay draws from are read with their types checked: a store that says
    // otherwise is damaged (or crafted), and is refused rather than drawn wrong or crashing.
    auto bad = [&](const std::string& what) {
      return damaged("event " + std::to_string(i + 1) + " (" + Clip(e.kind) + " of " + Clip(e.device) + " at " + Seconds(e.t) +
                     " s) " + what);
    };
    json d = json::parse(e.detail, nullptr, false);
    if (!d.is_object()) throw bad("has a detail that is " + std::string(JsonType(d)) + ", not a JSON object");
    if (channel) {
      // The switch agent's view of one channel (models/switch/control/switch_agent.cc).
      auto c = d.find("controller");
      if (c == d.end() || !c->is_string() || c->get<std::string>().empty()) {
        throw bad("has a \"controller\" that is " + std::string(c == d.end() ? "missing" : JsonType(*c)) + ", not a name");
      }
      std::pair<std::string, std::string> key{e.device, c->get<std::string>()};
      ControlChannel& ch = channels[key];
      ch.sw = key.first;
      ch.controller = key.second;
      if (e.kind == "ofchannel.up") {
        if (!channel_since.count(key)) channel_since[key] = e.t;
        ch.roles.push_back({e.t, "equal"});  // a new channel starts EQUAL (OF 1.3.5 §6.3.6)
      } else if (e.kind == "ofchannel.down") {
        auto s = channel_since.find(key);
        if (s != channel_since.end()) {
          ch.up.push_back({s->second, e.t});
          channel_since.erase(s);
        }
      } else {
        auto r = d.find("role");
        if (r == d.end() || !r->is_string()) throw bad("has no \"role\" name in its detail");
        std::string role = r->get<std::string>();
        // A new master demotes the other masters of the switch to slave (the agent does not report those).
        if (role == "master") {
          for (auto& [k, other] : channels) {
            if (k.first == e.device && k.second != key.second && !other.roles.empty() && other.roles.back().second == "master") {
              other.roles.push_back({e.t, "slave"});
            }
          }
        }
        ch.roles.push_back({e.t, role});
      }
      continue;
    }
    const char* key = fault ? "kind" : "link";
    auto it = d.find(key);
    if (it == d.end()) {
      if (fault) throw bad("has no \"kind\" in its detail");
      continue;  // a carrier event without a link names no line to draw
    }
    if (!it->is_string() || it->get<std::string>().empty()) {
      throw bad(std::string("has a \"") + key + "\" that is " + JsonType(*it) + ", not a name");
    }
    std::string name = it->get<std::string>();
    if (e.kind == "fault.start") {
      open[{name, e.device}] = faults_.size();
      faults_.push_back({e.t, duration_, name, e.device});
    } else if (e.kind == "fault.end") {
      auto o = open.find({name, e.device});
      if (o != open.end()) faults_[o->second].to = e.t;
    } else if (e.kind == "carrier.down") {
      if (!open_since.count(name)) open_since[name] = e.t;
    } else if (open_since.count(name)) {
      link_down_[name].push_back({open_since[name], e.t});
      open_since.erase(name);
    }
  }
  for (const auto& [key, from] : channel_since) channels[key].up.push_back({from, duration_ + 1});
  for (auto& [key, ch] : channels) channels_.push_back(std::move(ch));
  // Link cuts: carrier events name their link; OOB cuts come from mgmt-oob-down fault windows.
  for (const auto& [link, from] : open_since) link_down_[link].push_back({from, duration_ + 1});
  for (const auto& f : faults_) {
    if (f.kind != "mgmt-oob-down") continue;
    for (const auto& l : links_) {
      if (l.network == "oob" && (l.a == f.target || l.b == f.target)) link_down_[l.id].push_back({f.from, f.to});
    }
  }
  if (devices_.empty()) throw Refused(store + ": the run store holds no devices; the run is empty or truncated" + context);
}

std::string RunModel::InterruptionNote() const {
  if (!interrupted()) return "";
  std::string why;
  for (size_t i = 0; i < interruption_.size(); ++i) why += (i ? "; " : "") + interruption_[i];
  return "the run did not finish (" + why + "): its data end at " + Seconds(duration_) + " s of the " +
         Seconds(planned_) + " s planned";
}

std::string RunModel::Story() const {
  std::ostringstream out;
  auto num = [](double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return std::string(buf);
  };
  out << "scenario " << scenario_ << "\n"
      << "duration " << num(duration_) << "\nplanned " << num(planned_) << "\n"
      << "interrupted " << (interrupted() ? "yes" : "no") << "\n";
  for (const auto& d : devices_) {
    out << "device " << d.id << " " << d.kind << " [";
    for (size_t i = 0; i < d.groups.size(); ++i) out << (i ? "," : "") << d.groups[i];
    out << "] " << (d.has_pos ? num(d.x) + " " + num(d.y) : "-") << "\n";
  }
  for (const auto& l : links_) out << "link " << l.id << " " << l.a << " " << l.b << " " << l.network << "\n";
  for (const auto& e : events_) {
    out << "event " << num(e.t) << " " << e.device << " " << e.plane << " " << e.kind << " " << e.detail << "\n";
  }
  for (const auto& f : faults_) out << "fault " << num(f.from) << " " << num(f.to) << " " << f.kind << " " << f.target << "\n";
  for (const auto& [key, k] : health_) {
    for (size_t i = 0; i < k.t.size(); ++i) {
      out << "health " << num(k.t[i]) << " " << key.first << " " << key.second << " " << k.state[i].actual << " "
          << k.state[i].reported << "\n";
    }
  }
  for (const auto& c : channels_) {
    for (const auto& [from, to] : c.up) out << "ofchannel " << num(from) << " " << num(to) << " " << c.sw << " " << c.controller << "\n";
    for (const auto& [t, role] : c.roles) out << "ofrole " << num(t) << " " << c.sw << " " << c.controller << " " << role << "\n";
  }
  for (const auto& [link, windows] : link_down_) {
    for (const auto& [from, to] : windows) out << "linkdown " << num(from) << " " << num(to) << " " << link << "\n";
  }
  for (const auto& [link, values] : link_util_) {
    for (const auto& [t, v] : values) out << "util " << num(t) << " " << link << " " << num(v) << "\n";
  }
  if (store_) {
    std::vector<std::tuple<std::string, std::string, std::string>> series;
    store_->ForEach("SELECT DISTINCT device, plane, metric FROM series ORDER BY device, plane, metric", "series",
                    [&](const RunStoreReader::Row& r) { series.emplace_back(r.Text(0), r.Text(1), r.Text(2)); });
    for (const auto& [device, plane, metric] : series) {
      for (const auto& [t, v] : store_->Samples(device, plane, metric, -1, 1e18)) {
        out << "sample " << num(t) << " " << device << " " << plane << " " << metric << " " << num(v) << "\n";
      }
    }
  }
  return out.str();
}

std::vector<std::string> RunModel::PlanesOf(const std::string& device) const {
  std::vector<std::string> out;
  for (const char* p : {"data", "control", "management"}) {
    if (health_.count({device, p})) out.push_back(p);
  }
  return out;
}

RunModel::PlaneHandle RunModel::Plane(const std::string& device, const std::string& plane) const {
  auto it = health_.find({device, plane});
  return it == health_.end() || it->second.t.empty() ? nullptr : &it->second;
}

PlaneState RunModel::StateAt(PlaneHandle plane, double t) const {
  if (!plane) return {};
  const auto& k = *static_cast<const Keyframes*>(plane);
  // A sample at time s covers (s - interval, s]: the state at t is that of the first sample at or after t.
  auto pos = std::lower_bound(k.t.begin(), k.t.end(), t - 1e-9);
  if (pos == k.t.end()) return k.state.back();
  return k.state[static_cast<size_t>(pos - k.t.begin())];
}

PlaneState RunModel::StateAt(const std::string& device, const std::string& plane, double t) const {
  return StateAt(Plane(device, plane), t);
}

RunModel::LinkHandle RunModel::Link(const std::string& link) const {
  LinkHandle h;
  auto u = link_util_.find(link);
  if (u != link_util_.end() && !u->second.empty()) h.util = &u->second;
  auto d = link_down_.find(link);
  if (d != link_down_.end()) h.down = &d->second;
  return h;
}

double RunModel::LinkUtilizationAt(const LinkHandle& link, double t) {
  if (!link.util) return std::nan("");
  const auto& v = *link.util;
  auto pos = std::lower_bound(v.begin(), v.end(), std::make_pair(t - 1e-9, -1e300));
  return pos == v.end() ? v.back().second : pos->second;
}

bool RunModel::LinkDownAt(const LinkHandle& link, double t) {
  if (!link.down) return false;
  for (const auto& [from, to] : *link.down) {
    if (t >= from && t < to) return true;
  }
  return false;
}

std::string RunModel::ChannelStateAt(const ControlChannel& c, double t) {
  for (const auto& [from, to] : c.up) {
    if (t >= from && t < to) return "up";
  }
  return !c.up.empty() && c.up.front().first <= t ? "down" : "connecting";
}

std::string RunModel::ChannelRoleAt(const ControlChannel& c, double t) {
  if (ChannelStateAt(c, t) != "up") return "";
  std::string role = "equal";
  for (const auto& [at, r] : c.roles) {
    if (at > t) break;
    role = r;
  }
  return role;
}

std::vector<PlaneState> RunModel::StatesAt(const std::string& device, const std::string& plane,
                                           const std::vector<double>& times) const {
  std::vector<PlaneState> out(times.size());
  auto it = health_.find({device, plane});
  if (it == health_.end() || it->second.t.empty()) return out;
  const auto& k = it->second;
  size_t j = 0;
  for (size_t i = 0; i < times.size(); ++i) {
    while (j < k.t.size() && k.t[j] < times[i] - 1e-9) ++j;
    out[i] = j == k.t.size() ? k.state.back() : k.state[j];
  }
  return out;
}

double RunModel::HealthInterval() const {
  for (const auto& [key, k] : health_) {
    if (k.t.size() >= 2 && k.t[1] > k.t[0]) return k.t[1] - k.t[0];
  }
  return 1.0;
}

double RunModel::LinkUtilizationAt(const std::string& link, double t) const { return LinkUtilizationAt(Link(link), t); }

bool RunModel::LinkDownAt(const std::string& link, double t) const { return LinkDownAt(Link(link), t); }

std::vector<std::pair<double, double>> RunModel::Series(const std::string& device, const std::string& plane,
                                                        const std::string& metric) const {
  if (!store_) return {};
  try {
    return store_->Samples(device, plane, metric, -1, 1e18);
  } catch (const std::exception& e) {
    if (damage_.empty()) damage_ = e.what();  // shown by the window; the headless mode exits 2
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
