#include "sim/cli/story.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "models/cluster/cluster_section.h"
#include "sim/core/plane.h"

namespace planelab {

namespace {

std::string Secs(double s) {
  char buf[32];
  if (s == static_cast<long long>(s)) std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  else std::snprintf(buf, sizeof buf, "%.1fs", s);
  return buf;
}

const char* TriageOfPlane(const std::string& name) {
  Plane plane = Plane::kManagement;
  ParsePlane(name, &plane);
  return TriageOf(plane);
}

}  // namespace

std::string RenderStory(const Scenario& sc, const nlohmann::ordered_json& summary) {
  std::ostringstream out;
  std::map<std::string, std::string> kinds;
  bool has_routers = false;
  for (const auto& d : sc.devices) {
    kinds[d.id] = d.kind;
    has_routers |= d.kind == "router";
  }
  if (sc.management.enabled) kinds[sc.management.station] = "monitoring station";
  // A dashboard refreshes what it shows every poll (the station's poll interval; kubectl's view of the
  // nodes is no fresher): a mismatch shorter than that is the dashboard's normal lag, not a blind spot.
  const double dashboard_lag_s =
      std::max(ToSeconds(sc.management.enabled ? sc.management.poll_interval : sc.sample_interval),
               ToSeconds(sc.sample_interval));
  out << "Scenario " << sc.name << " (seed " << summary["seed"].get<uint64_t>() << ", "
      << Secs(summary["sim_time_s"].get<double>()) << " simulated)\n";
  if (!sc.faults.empty()) {
    out << "\nFaults injected:\n";
    for (const auto& f : sc.faults) {
      out << "  " << FormatDuration(f.at) << (f.until ? "-" + FormatDuration(*f.until) : std::string(" on")) << "  "
          << f.kind << " on " << f.target << "\n";
    }
  }
  out << "\nWhat each plane did (only what was not simply up; reported = what the dashboard showed):\n";
  std::map<std::string, std::set<std::string>> hurt;  // triage answer -> device planes
  std::vector<std::string> lies;
  std::vector<std::string> empty_slots;
  bool any = false;
  for (auto it = summary["devices"].begin(); it != summary["devices"].end(); ++it) {
    const std::string& dev = it.key();
    // A slot that never held an instance has nothing to tell: one line for all of them below.
    bool ever_present = false;
    for (auto p = it.value().begin(); p != it.value().end(); ++p) {
      for (const auto& iv : p.value()) ever_present |= iv["actual"] != "absent";
    }
    if (!it.value().empty() && !ever_present) {
      empty_slots.push_back(dev);
      continue;
    }
    std::vector<std::string> lines;
    for (auto p = it.value().begin(); p != it.value().end(); ++p) {
      // A plane has a dashboard if the dashboard ever said anything about it (any device kind).
      bool monitored = false;
      for (const auto& iv : p.value()) monitored |= iv["reported"] != "unknown";
      // Intervals that would print alike are one: the summary also splits where only a hidden
      // column (the report of an unmonitored plane) changed.
      struct Span {
        double from, to;
        std::string actual, reported;
      };
      std::vector<Span> spans;
      for (const auto& iv : p.value()) {
        Span sp{iv["from_s"].get<double>(), iv["to_s"].get<double>(), iv["actual"], iv["reported"]};
        if (!monitored) sp.reported = "unknown";
        if (!spans.empty() && spans.back().to == sp.from && spans.back().actual == sp.actual &&
            spans.back().reported == sp.reported) {
          spans.back().to = sp.to;
        } else {
          spans.push_back(sp);
        }
      }
      std::vector<std::string> plane_lines;
      double bad_s = 0;
      for (const auto& sp : spans) {
        const std::string& actual = sp.actual;
        const std::string& reported = sp.reported;
        bool absent = actual == "absent";
        bool actual_bad = actual != "up" && !absent;
        // Before its first poll the dashboard knows nothing yet: that is start-up, not a blind spot.
        bool warming_up = sp.from == 0 && reported == "unknown";
        bool reported_bad = monitored && reported != "up" && !warming_up && !absent;
        if (!actual_bad && !reported_bad && !absent) continue;
        if (actual_bad) bad_s += sp.to - sp.from;
        std::string line = "  " + p.key() + std::string(12 - std::min<size_t>(11, p.key().size()), ' ') +
                           Secs(sp.from) + "-" + Secs(sp.to) + "  ";
        if (absent) {
          line += "absent (no instance in this slot)";
          if (monitored && reported != "unknown") line += ", reported " + reported;
          if (monitored && reported == "up") line += "   <- the dashboard still shows a node that is gone";
          plane_lines.push_back(line);
          continue;
        }
        line += "actual " + actual;
        if (monitored) line += ", reported " + reported;
        bool short_lived = sp.to - sp.from < dashboard_lag_s;
        if (monitored && actual == "down" && reported == "up" && short_lived) {
          line += "   <- not on the dashboard yet (it refreshes every " + Secs(dashboard_lag_s) + ")";
        } else if (monitored && actual == "down" && reported == "up") {
          line += "   <- the dashboard is green while this plane is down";
          if (std::find(lies.begin(), lies.end(), dev + " " + p.key()) == lies.end()) lies.push_back(dev + " " + p.key());
        } else if (monitored && actual == "up" && reported == "unknown") {
          line += "   <- the plane works but operators cannot see it";
        } else if (monitored && actual == "up") {
          line += "   <- the dashboard flags it while the plane serves";
        }
        plane_lines.push_back(line);
        if (actual_bad) hurt[TriageOfPlane(p.key())].insert(dev + " " + p.key());
        if (reported_bad && reported == "unknown") hurt[TriageOf(Plane::kManagement)].insert(dev + " (dashboard stale)");
      }
      // A flapping plane yields dozens of intervals: show the first, the last and a total.
      const size_t kShown = 4;
      if (plane_lines.size() > kShown + 1) {
        size_t hidden = plane_lines.size() - kShown;
        std::vector<std::string> shortened(plane_lines.begin(), plane_lines.begin() + 3);
        shortened.push_back("  " + std::string(12, ' ') + "... " + std::to_string(hidden) + " more intervals (" +
                            Secs(bad_s) + " not up in all) ...");
        shortened.push_back(plane_lines.back());
        plane_lines = shortened;
      }
      lines.insert(lines.end(), plane_lines.begin(), plane_lines.end());
    }
    if (lines.empty()) continue;
    any = true;
    out << dev << " (" << kinds[dev] << ")\n";
    for (const auto& l : lines) out << l << "\n";
  }
  if (!any) out << "  every plane of every device stayed up\n";
  if (!empty_slots.empty()) {
    out << "Empty slots (no instance during the whole run, so nothing to serve or fail): ";
    for (size_t i = 0; i < empty_slots.size(); ++i) out << (i ? ", " : "") << empty_slots[i];
    out << "\n";
  }
  out << "\nTriage - does this hurt carrying traffic, making changes, or seeing the system?\n";
  for (const char* q : {"carrying traffic", "making changes", "seeing the system"}) {
    auto h = hurt.find(q);
    out << "  " << q << ": ";
    if (h == hurt.end()) {
      out << "no\n";
      continue;
    }
    out << "YES (";
    size_t n = 0;
    for (const auto& x : h->second) {
      if (n++ == 6) { out << ", ..."; break; }
      out << (n > 1 ? ", " : "") << x;
    }
    out << ")\n";
  }
  if (!lies.empty()) {
    out << "  Note: a green dashboard is not proof that users are served (";
    for (size_t i = 0; i < lies.size(); ++i) out << (i ? ", " : "") << lies[i];
    out << " down while reported up).\n";
  }
  // With a telemetry pipeline: each fault as the on-call lived it, from fault start to the first page and to the
  // first page naming the right device and plane.
  if (summary.contains("incidents") && !summary["incidents"].empty()) {
    out << "\nSeeing it - each fault as the on-call lived it (telemetry pipeline):\n";
    for (const auto& i : summary["incidents"]) {
      auto secs = [](const nlohmann::ordered_json& v) { return v.is_null() ? std::string("never") : Secs(v.get<double>()); };
      char buf[256];
      out << "  " << Secs(i["at_s"].get<double>()) << "  " << i["fault"].get<std::string>() << " ("
          << (i["plane"].get<std::string>().empty() ? "?" : i["plane"].get<std::string>()) << ") on "
          << i["target"].get<std::string>() << ": time to detect " << secs(i["time_to_detect_s"]) << ", time to know "
          << secs(i["time_to_know_s"]) << "\n";
      if (!i["first_seen"].get<std::string>().empty()) out << "      first page: " << i["first_seen"].get<std::string>() << "\n";
      std::snprintf(buf, sizeof buf,
                    "      telemetry lag up to %.0fs, data up to %.0fs old, stale panels up to %.0f%%, audit backlog up to "
                    "%.0f records (%.0fs behind), manageable devices down to %.0f\n",
                    i["telemetry_lag_max_s"].get<double>(), i["data_age_max_s"].get<double>(),
                    100 * i["stale_panel_share_max"].get<double>(), i["audit_backlog_max"].get<double>(),
                    i["audit_lag_max_s"].get<double>(), i["manageable_devices_min"].get<double>());
      out << buf;
    }
  }
  // Routing convergence is told only where there is routing to tell about: routers, and a trigger
  // that changed a route (a cluster's underlay that never reconverged has nothing to say).
  bool routes_moved = false;
  if (summary.contains("convergence")) {
    for (const auto& c : summary["convergence"]) {
      routes_moved |= c["trigger"].get<std::string>() != "start" && !c["converged_after_s"].is_null() &&
                      c["rib_changes"].get<uint64_t>() > 0;
    }
  }
  if (has_routers && (routes_moved || !sc.families.Get<ClusterSpec>().enabled) && summary.contains("convergence")) {
    out << "\nRouting convergence (first to last route change network-wide):\n";
    for (const auto& c : summary["convergence"]) {
      out << "  " << Secs(c["at_s"].get<double>()) << "  " << c["trigger"].get<std::string>() << ": ";
      if (c["converged_after_s"].is_null() || c["rib_changes"].get<uint64_t>() == 0) {
        out << "no route changed\n";
      } else {
        char buf[96];
        std::snprintf(buf, sizeof buf, "%.3fs, %llu RIB changes on %llu routers\n", c["converged_after_s"].get<double>(),
                      static_cast<unsigned long long>(c["rib_changes"].get<uint64_t>()),
                      static_cast<unsigned long long>(c["routers_changed"].get<uint64_t>()));
        out << buf;
      }
    }
  }
  const auto& exps = summary["expectations"];
  if (!exps.empty()) {
    size_t passed = 0;
    for (const auto& e : exps) passed += e["passed"].get<bool>() ? 1 : 0;
    out << "\nExpectations: " << passed << " of " << exps.size() << " hold\n";
    for (const auto& e : exps) {
      out << "  " << (e["passed"].get<bool>() ? "PASS " : "FAIL ") << e["id"].get<std::string>() << ": "
          << e["detail"].get<std::string>() << "\n";
    }
  }
  return out.str();
}

}  // namespace planelab
