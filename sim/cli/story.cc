#include "sim/cli/story.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

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
  std::map<std::string, bool> managed;
  for (const auto& d : sc.devices) {
    kinds[d.id] = d.kind;
    managed[d.id] = d.kind == "router" && d.managed && sc.management.enabled;
  }
  if (sc.management.enabled) kinds[sc.management.station] = "monitoring station";
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
  bool any = false;
  for (auto it = summary["devices"].begin(); it != summary["devices"].end(); ++it) {
    const std::string& dev = it.key();
    std::vector<std::string> lines;
    for (auto p = it.value().begin(); p != it.value().end(); ++p) {
      std::vector<std::string> plane_lines;
      double bad_s = 0;
      for (const auto& iv : p.value()) {
        std::string actual = iv["actual"], reported = iv["reported"];
        bool monitored = managed[dev];
        bool actual_bad = actual != "up";
        // Before its first poll the dashboard knows nothing yet: that is start-up, not a blind spot.
        bool warming_up = iv["from_s"].get<double>() == 0 && reported == "unknown";
        bool reported_bad = monitored && reported != "up" && !warming_up;
        if (!actual_bad && !reported_bad) continue;
        if (actual_bad) bad_s += iv["to_s"].get<double>() - iv["from_s"].get<double>();
        std::string line = "  " + p.key() + std::string(12 - std::min<size_t>(11, p.key().size()), ' ') +
                           Secs(iv["from_s"]) + "-" + Secs(iv["to_s"]) + "  actual " + actual;
        if (monitored) line += ", reported " + reported;
        if (monitored && actual == "down" && reported == "up") {
          line += "   <- the dashboard is green while this plane is down";
          if (std::find(lies.begin(), lies.end(), dev + " " + p.key()) == lies.end()) lies.push_back(dev + " " + p.key());
        } else if (monitored && actual == "up" && reported == "unknown") {
          line += "   <- the plane works but operators cannot see it";
        } else if (monitored && actual == "up") {
          line += "   <- the dashboard flags it (e.g. a link or neighbour down) while the plane serves";
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
  if (summary.contains("convergence")) {
    out << "\nRouting convergence (first to last route change network-wide):\n";
    for (const auto& c : summary["convergence"]) {
      out << "  " << Secs(c["at_s"].get<double>()) << "  " << c["trigger"].get<std::string>() << ": ";
      if (c["converged_after_s"].is_null()) {
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
