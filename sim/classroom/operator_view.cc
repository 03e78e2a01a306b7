#include "sim/classroom/operator_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "sim/trace/run_reader.h"

namespace planelab::classroom {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string Fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

/// The whole run in memory, with "value at time t" lookups: a run the console is made for is small.
struct RunData {
  double duration = 60, interval = 1;
  std::map<std::string, std::string> kind;  // device -> kind
  std::vector<std::string> device_order;
  struct Link {
    std::string id, a, b, network;
    double rate = 0, delay = 0;
  };
  std::vector<Link> links;
  std::map<std::string, std::vector<std::pair<double, double>>> series;  // "dev plane metric"
  struct State {
    double t;
    std::string actual, reported;
  };
  std::map<std::string, std::vector<State>> health;  // "dev plane"
  struct Event {
    double t;
    std::string device, plane, kind, detail;
  };
  std::vector<Event> events;

  double At(const std::string& key, double t, double dflt = NAN) const {
    auto it = series.find(key);
    if (it == series.end() || it->second.empty()) return dflt;
    const auto& v = it->second;
    auto p = std::upper_bound(v.begin(), v.end(), t + 1e-9, [](double x, const std::pair<double, double>& s) { return x < s.first; });
    if (p == v.begin()) return dflt;
    return std::prev(p)->second;
  }
  bool Has(const std::string& key) const { return series.count(key) > 0; }
  /// Mean of a series over (t - span, t].
  double Mean(const std::string& key, double t, double span) const {
    auto it = series.find(key);
    if (it == series.end()) return NAN;
    const auto& v = it->second;
    auto by_time = [](const std::pair<double, double>& s, double x) { return s.first < x; };
    auto lo = std::lower_bound(v.begin(), v.end(), t - span + 1e-9, by_time);
    auto hi = std::lower_bound(v.begin(), v.end(), t + 2e-9, by_time);
    double sum = 0;
    int n = 0;
    for (auto p = lo; p != hi; ++p) {
      if (std::isfinite(p->second)) {
        sum += p->second;
        ++n;
      }
    }
    return n ? sum / n : At(key, t);
  }
  const State* HealthAt(const std::string& device, const std::string& plane, double t) const {
    auto it = health.find(device + " " + plane);
    if (it == health.end() || it->second.empty()) return nullptr;
    const auto& v = it->second;
    auto p = std::upper_bound(v.begin(), v.end(), t + 1e-9, [](double x, const State& s) { return x < s.t; });
    return p == v.begin() ? nullptr : &*std::prev(p);
  }
  std::string Actual(const std::string& device, const std::string& plane, double t) const {
    const State* s = HealthAt(device, plane, t);
    return s ? s->actual : "up";
  }
  /// When the (non-decreasing) counter last grew at or before t; -1 when never.
  double LastGrowth(const std::string& key, double t) const {
    auto c = growth_.find(key);
    if (c == growth_.end()) {
      std::vector<double> g;
      auto it = series.find(key);
      if (it != series.end()) {
        double prev = NAN;
        for (const auto& [ts, v] : it->second) {
          if (std::isfinite(v) && (!std::isfinite(prev) || v > prev)) g.push_back(ts);
          if (std::isfinite(v)) prev = v;
        }
      }
      c = growth_.emplace(key, std::move(g)).first;
    }
    auto p = std::upper_bound(c->second.begin(), c->second.end(), t + 1e-9);
    return p == c->second.begin() ? -1 : *std::prev(p);
  }
  mutable std::map<std::string, std::vector<double>> growth_;
  std::map<std::string, std::vector<std::pair<double, bool>>> carrier;  // link -> (t, up), from carrier events
  std::map<std::string, std::vector<std::pair<double, bool>>> running;  // device -> (t, process up), lifecycle
  /// Whether the device's process runs at t (a crashed store member answers nothing).
  bool Running(const std::string& device, double t) const {
    auto it = running.find(device);
    if (it == running.end()) return true;
    bool up = true;
    for (const auto& [ts, u] : it->second) {
      if (ts > t + 1e-9) break;
      up = u;
    }
    return up;
  }
  bool LinkUp(const Link& l, double t) const {
    auto it = carrier.find(l.id);
    if (it == carrier.end()) return true;
    bool up = true;
    for (const auto& [ts, u] : it->second) {
      if (ts > t + 1e-9) break;
      up = u;
    }
    return up;
  }
};

RunData Load(const std::string& run_dir) {
  RunData r;
  RunStoreReader s((fs::path(run_dir) / "run.sqlite").string());
  r.duration = std::max(1.0, std::strtod(s.Meta("duration_s").c_str(), nullptr));
  r.interval = std::strtod(s.Meta("sample_interval_s").c_str(), nullptr);
  if (!(r.interval > 0)) r.interval = 1;
  s.ForEach("SELECT id, kind FROM devices ORDER BY rowid", "devices", [&](const RunStoreReader::Row& row) {
    r.kind[row.Text(0)] = row.Text(1);
    r.device_order.push_back(row.Text(0));
  });
  s.ForEach("SELECT id, a, b, network, rate_bps, delay_s FROM links ORDER BY rowid", "links",
            [&](const RunStoreReader::Row& row) {
              r.links.push_back({row.Text(0), row.Text(1), row.Text(2), row.Text(3), row.Real(4), row.Real(5)});
            });
  std::map<long long, std::string> names;
  s.ForEach("SELECT id, device, plane, metric FROM series", "series", [&](const RunStoreReader::Row& row) {
    names[static_cast<long long>(row.Real(0))] = row.Text(1) + " " + row.Text(2) + " " + row.Text(3);
  });
  s.ForEach("SELECT series, t_s, value FROM samples ORDER BY series, t_s", "samples", [&](const RunStoreReader::Row& row) {
    r.series[names[static_cast<long long>(row.Real(0))]].push_back({row.Real(1), row.IsNull(2) ? NAN : row.Real(2)});
  });
  s.ForEach("SELECT device, plane, t_s, actual, reported FROM health ORDER BY device, plane, t_s", "health",
            [&](const RunStoreReader::Row& row) {
              r.health[row.Text(0) + " " + row.Text(1)].push_back({row.Real(2), row.Text(3), row.Text(4)});
            });
  s.ForEach("SELECT t_s, device, plane, kind, detail FROM events ORDER BY seq", "events", [&](const RunStoreReader::Row& row) {
    r.events.push_back({row.Real(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4)});
  });
  for (const auto& e : r.events) {
    if (e.kind == "lifecycle") {
      json d = json::parse(e.detail, nullptr, false);
      if (d.is_object() && d.contains("to") && d["to"].is_string()) {
        r.running[e.device].push_back({e.t, d["to"] != "crashed" && d["to"] != "down" && d["to"] != "stopped"});
      }
      continue;
    }
    if (e.kind != "carrier.down" && e.kind != "carrier.up") continue;
    json d = json::parse(e.detail, nullptr, false);
    if (d.is_object() && d.contains("link") && d["link"].is_string()) {
      r.carrier[d["link"].get<std::string>()].push_back({e.t, e.kind == "carrier.up"});
    }
  }
  return r;
}

std::string Clock(double t) {
  int ms = static_cast<int>(std::lround(t * 1000));
  char b[40];
  std::snprintf(b, sizeof b, "%02d:%02d:%02d.%03d", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
  return b;
}

std::string Ago(double age) {
  if (age < 0) return "never";
  if (age < 1.5) return "just now";
  return Fmt("%.0f", age) + " s ago";
}

class Views {
 public:
  explicit Views(const RunData& r) : r_(r) {
    for (const auto& d : r.device_order) {
      const std::string& k = r.kind.at(d);
      if (k == "router") routers.push_back(d);
      if (k == "host") hosts.push_back(d);
      if (k == "node") nodes.push_back(d);
      if (k == "store-member") members.push_back(d);
      if (k == "service-client") clients.push_back(d);
      if (k == "api-server") apiserver = d;
    }
  }

  std::vector<std::string> routers, hosts, nodes, members, clients;
  std::string apiserver;

  std::string Unreachable(const std::string& dev, double t) const {
    if (r_.Actual(dev, "management", t) == "down") {
      return "ssh " + dev + "\n% Connection timed out; remote host not responding (" + dev + " via the management network)\n";
    }
    return "";
  }
  std::string Sluggish(const std::string& dev, double t) const {
    double cpu = r_.At(dev + " control cpu_utilization", t, 0);
    if (cpu < 0.9) return "";
    double wait = r_.At(dev + " control cpu_wait_p99", t, 0);
    return "(the prompt took " + Fmt("%.0f", std::max(2.0, std::min(30.0, wait))) +
           " s to come back: the router is slow to answer)\n";
  }

  std::vector<const RunData::Link*> LinksOf(const std::string& dev) const {
    std::vector<const RunData::Link*> out;
    for (const auto& l : r_.links) {
      if (l.network == "oob") continue;
      if (l.a == dev || l.b == dev) out.push_back(&l);
    }
    return out;
  }

  std::string ShowInterfaces(const std::string& dev, double t) const {
    if (auto u = Unreachable(dev, t); !u.empty()) return u;
    std::ostringstream o;
    o << Sluggish(dev, t);
    int i = 0;
    for (const auto* l : LinksOf(dev)) {
      bool up = r_.LinkUp(*l, t);
      std::string peer = l->a == dev ? l->b : l->a;
      double util = r_.At(l->id + " data utilization", t, 0);
      o << "GigabitEthernet0/" << i++ << " is " << (up ? "up" : "down") << ", line protocol is " << (up ? "up" : "down")
        << "\n  Description: link " << l->id << " to " << peer << "\n  BW " << Fmt("%.0f", l->rate / 1000)
        << " Kbit/sec, DLY " << Fmt("%.0f", l->delay * 1e6) << " usec\n  30 second output rate "
        << Fmt("%.0f", up ? util * l->rate : 0) << " bits/sec\n";
    }
    if (i == 0) o << "(no interfaces)\n";
    return o.str();
  }

  std::string ShowIpRoute(const std::string& dev, double t) const {
    if (auto u = Unreachable(dev, t); !u.empty()) return u;
    double rib = r_.At(dev + " control rib_routes", t, 0), fib = r_.At(dev + " data fib_routes", t, 0);
    size_t connected = LinksOf(dev).size();
    std::ostringstream o;
    o << Sluggish(dev, t) << "IP routing table name is default\nRoute Source    Networks\nconnected       " << connected
      << "\ndynamic         " << Fmt("%.0f", std::max(0.0, rib - static_cast<double>(connected))) << "\nTotal           "
      << Fmt("%.0f", rib) << "\n\n" << dev << "#show ip cef summary\nIPv4 CEF is enabled and running\n  "
      << Fmt("%.0f", fib) << " prefixes programmed in hardware\n";
    double diverge = r_.At(dev + " control rib_fib_divergence", t, 0);
    if (diverge > 0) o << "  " << Fmt("%.0f", diverge) << " prefixes differ from the RIB (update pending)\n";
    return o.str();
  }

  bool SpeaksBgp(const std::string& dev) const {
    auto it = r_.series.lower_bound(dev + " control bgp_session_state.");
    return it != r_.series.end() && it->first.rfind(dev + " control bgp_session_state.", 0) == 0;
  }

  std::string ShowBgp(const std::string& dev, double t) const {
    if (auto u = Unreachable(dev, t); !u.empty()) return u;
    if (!SpeaksBgp(dev)) return "% BGP not active\n";
    static const char* kStates[] = {"?", "Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"};
    std::ostringstream o;
    o << Sluggish(dev, t) << "BGP router identifier " << dev << "\nNeighbor        State/PfxRcd   Up/Down\n";
    const std::string prefix = dev + " control bgp_session_state.";
    for (auto it = r_.series.lower_bound(prefix); it != r_.series.end() && it->first.rfind(prefix, 0) == 0; ++it) {
      std::string peer = it->first.substr(prefix.size());
      double st = r_.At(it->first, t, 1);
      int s = std::isfinite(st) ? std::clamp(static_cast<int>(st), 0, 6) : 0;
      // Up/Down: how long the session has been in its present state.
      double since = 0;
      for (const auto& [ts, v] : it->second) {
        if (ts > t + 1e-9) break;
        if (static_cast<int>(v) != s) since = ts;
      }
      char line[128];
      std::snprintf(line, sizeof line, "%-15s %-14s %s\n", peer.c_str(), kStates[s], Clock(std::max(0.0, t - since)).substr(0, 8).c_str());
      o << line;
    }
    double in = r_.At(dev + " control adj_rib_in_routes", t, NAN), damped = r_.At(dev + " control bgp_suppressed_routes", t, 0);
    if (std::isfinite(in)) o << "\n" << Fmt("%.0f", in) << " paths received; " << Fmt("%.0f", damped) << " suppressed by dampening\n";
    return o.str();
  }

  std::string ShowCpu(const std::string& dev, double t) const {
    if (auto u = Unreachable(dev, t); !u.empty()) return u;
    std::string k = dev + " control cpu_utilization";
    double q = r_.At(dev + " control cpu_queue_depth", t, 0);
    std::ostringstream o;
    o << Sluggish(dev, t) << "CPU utilization for five seconds: " << Fmt("%.0f", 100 * r_.Mean(k, t, 5))
      << "%; one minute: " << Fmt("%.0f", 100 * r_.Mean(k, t, 60)) << "%; five minutes: "
      << Fmt("%.0f", 100 * r_.Mean(k, t, 300)) << "%\n PID Process              Queue\n   1 Routing protocols    "
      << Fmt("%.0f", q) << "\n";
    return o.str();
  }

  static std::string LogLine(const RunData::Event& e) {
    json d = json::parse(e.detail, nullptr, false);
    auto s = [&](const char* k) { return d.is_object() && d.contains(k) ? (d[k].is_string() ? d[k].get<std::string>() : d[k].dump()) : std::string("?"); };
    std::string m;
    if (e.kind == "carrier.down" || e.kind == "carrier.up") {
      m = "%LINK-3-UPDOWN: Interface " + s("link") + ", changed state to " + (e.kind == "carrier.up" ? "up" : "down");
    } else if (e.kind == "interface.down" || e.kind == "interface.up") {
      m = "%LINEPROTO-5-UPDOWN: Line protocol on Interface " + s("ifindex") + ", changed state to " +
          (e.kind == "interface.up" ? "up" : "down");
    } else if (e.kind == "adjacency.down" || e.kind == "adjacency.up") {
      m = std::string("%ROUTING-5-ADJCHG: adjacency ") + (e.kind == "adjacency.up" ? "up" : "down") +
          (e.kind == "adjacency.down" ? ", " + s("reason") : "") + " (" + s("adjacencies") + " up)";
    } else if (e.kind == "session.up" || e.kind == "session.down") {
      m = "%BGP-5-ADJCHANGE: neighbor " + s("peer") + (e.kind == "session.up" ? " Up" : " Down (now " + s("state") + ")");
    } else if (e.kind.rfind("bfd.", 0) == 0) {
      m = "%BFD-6-STATE: " + e.kind.substr(4) + " " + e.detail;
    } else {
      return "";
    }
    return "*" + Clock(e.t) + ": " + m;
  }

  std::string ShowLogging(const std::string& dev, double t) const {
    if (auto u = Unreachable(dev, t); !u.empty()) return u;
    std::deque<std::string> lines;
    for (const auto& e : r_.events) {
      if (e.t > t + 1e-9) break;
      if (e.device != dev) continue;
      std::string l = LogLine(e);
      if (l.empty()) continue;
      lines.push_back(l);
      if (lines.size() > 12) lines.pop_front();
    }
    std::ostringstream o;
    o << Sluggish(dev, t) << "Log Buffer (last " << lines.size() << " messages):\n";
    for (const auto& l : lines) o << l << "\n";
    return o.str();
  }

  /// Hop-by-hop path over the links up at t (breadth first, neighbours in name order: deterministic).
  std::vector<std::string> Path(const std::string& a, const std::string& b, double t) const {
    std::map<std::string, std::vector<std::string>> adj;
    for (const auto& l : r_.links) {
      if (l.network == "oob" || !r_.LinkUp(l, t)) continue;
      adj[l.a].push_back(l.b);
      adj[l.b].push_back(l.a);
    }
    for (auto& [k, v] : adj) std::sort(v.begin(), v.end());
    std::map<std::string, std::string> prev;
    std::deque<std::string> q{a};
    prev[a] = a;
    while (!q.empty()) {
      std::string x = q.front();
      q.pop_front();
      if (x == b) break;
      for (const auto& y : adj[x]) {
        if (prev.count(y)) continue;
        // Only routers (and the destination) forward.
        if (y != b && r_.kind.count(y) && r_.kind.at(y) != "router") continue;
        prev[y] = x;
        q.push_back(y);
      }
    }
    if (!prev.count(b)) return {};
    std::vector<std::string> p;
    for (std::string x = b; x != a; x = prev[x]) p.push_back(x);
    p.push_back(a);
    std::reverse(p.begin(), p.end());
    return p;
  }

  double LinkDelay(const std::string& x, const std::string& y) const {
    for (const auto& l : r_.links) {
      if ((l.a == x && l.b == y) || (l.a == y && l.b == x)) return l.delay;
    }
    return 0.001;
  }

  std::string Ping(const std::string& a, const std::string& b, double t) const {
    std::ostringstream o;
    o << "PING " << b << " from " << a << ": 56 data bytes\n";
    auto p = Path(a, b, t);
    double loss = 0, rtt = 0;
    if (p.empty()) {
      loss = 1;
    } else {
      for (size_t i = 1; i < p.size(); ++i) {
        rtt += 2 * LinkDelay(p[i - 1], p[i]);
        if (i + 1 < p.size()) {
          std::string st = r_.Actual(p[i], "data", t);
          if (st == "down") loss = 1;
          else if (st == "degraded") loss = std::max(loss, r_.At(p[i] + " data drop_ratio", t, 0.2));
        }
      }
      for (const auto& h : {a, b}) loss = std::max(loss, r_.At(h + " data loss_ratio", t, 0));
    }
    int received = static_cast<int>(std::lround(5 * (1 - std::clamp(loss, 0.0, 1.0))));
    for (int i = 1; i <= 5; ++i) {
      if (i <= received) {
        o << "64 bytes from " << b << ": icmp_seq=" << i << " ttl=" << (65 - static_cast<int>(p.size())) << " time="
          << Fmt("%.1f", rtt * 1000 * (1 + 0.02 * i)) << " ms\n";
      } else {
        o << (p.empty() ? "From " + a + " icmp_seq=" + std::to_string(i) + " Destination Net Unreachable"
                        : "Request timeout for icmp_seq " + std::to_string(i))
          << "\n";
      }
    }
    o << "--- " << b << " ping statistics ---\n5 packets transmitted, " << received << " received, "
      << Fmt("%.0f", 100.0 * (5 - received) / 5) << "% packet loss\n";
    return o.str();
  }

  std::string Traceroute(const std::string& a, const std::string& b, double t) const {
    std::ostringstream o;
    o << "traceroute to " << b << ", 8 hops max\n";
    auto p = Path(a, b, t);
    if (p.empty()) return o.str() + " 1  " + a + "  !N  (no route)\n";
    double rtt = 0;
    bool dead = false;
    for (size_t i = 1; i < p.size() && i <= 8; ++i) {
      rtt += 2 * LinkDelay(p[i - 1], p[i]);
      const std::string& hop = p[i];
      bool last = i + 1 == p.size();
      // A hop answers with ICMP time-exceeded, which its forwarding plane hands to the route processor: a dead
      // forwarding plane answers nothing (and nothing past it is reached), a saturated route processor drops the
      // punted probe while its forwarding plane carries the rest on.
      if (!last && r_.Actual(hop, "data", t) == "down") dead = true;
      bool answers = !dead && (last || r_.At(hop + " control cpu_utilization", t, 0) < 0.95);
      if (answers) {
        o << " " << i << "  " << hop << "  " << Fmt("%.3f", rtt * 1000) << " ms  " << Fmt("%.3f", rtt * 1010) << " ms  "
          << Fmt("%.3f", rtt * 1020) << " ms\n";
      } else {
        o << " " << i << "  * * *\n";
      }
    }
    return o.str();
  }

  bool ApiDown(double t, std::string* why) const {
    if (apiserver.empty()) {
      *why = "The connection to the server was refused - did you specify the right host or port?\n";
      return true;
    }
    if (r_.Actual(apiserver, "control", t) == "down") {
      *why = "The connection to the server " + apiserver + ":6443 was refused - did you specify the right host or port?\n";
      return true;
    }
    double req = r_.At(apiserver + " management kubectl_requests", t, NAN);
    double err = r_.At(apiserver + " management kubectl_errors", t, 0);
    double req0 = r_.At(apiserver + " management kubectl_requests", t - r_.interval, NAN);
    double err0 = r_.At(apiserver + " management kubectl_errors", t - r_.interval, 0);
    if (std::isfinite(req) && std::isfinite(req0) && req - req0 > 0 && (err - err0) / (req - req0) >= 0.5) {
      *why = "Error from server (Timeout): the server was unable to return a response in the time allotted\n";
      return true;
    }
    return false;
  }

  std::string GetNodes(double t) const {
    std::string why;
    if (ApiDown(t, &why)) return why;
    std::set<std::string> not_ready;
    for (const auto& e : r_.events) {
      if (e.t > t + 1e-9) break;
      if (e.kind != "node.not-ready" && e.kind != "node.ready") continue;
      json d = json::parse(e.detail, nullptr, false);
      std::string n = d.is_object() ? d.value("node", std::string()) : "";
      if (e.kind == "node.not-ready") not_ready.insert(n);
      else not_ready.erase(n);
    }
    std::ostringstream o;
    char line[160];
    std::snprintf(line, sizeof line, "%-12s %-10s %-8s %s\n", "NAME", "STATUS", "ROLES", "AGE");
    o << line;
    for (const auto& n : nodes) {
      std::snprintf(line, sizeof line, "%-12s %-10s %-8s %.0fs\n", n.c_str(), not_ready.count(n) ? "NotReady" : "Ready",
                    "<none>", t);
      o << line;
    }
    return o.str();
  }

  std::string GetPods(double t) const {
    std::string why;
    if (ApiDown(t, &why)) return why;
    std::ostringstream o;
    char line[200];
    std::snprintf(line, sizeof line, "%-18s %-8s %-10s %s\n", "NAME", "READY", "STATUS", "NODE");
    o << line;
    int k = 0;
    for (const auto& n : nodes) {
      int running = static_cast<int>(r_.At(n + " control pods_running", t, 0));
      int ready = static_cast<int>(r_.At(n + " data ready_pods", t, running));
      for (int i = 0; i < running; ++i, ++k) {
        std::snprintf(line, sizeof line, "web-%04d           %-8s %-10s %s\n", k, i < ready ? "1/1" : "0/1", "Running", n.c_str());
        o << line;
      }
    }
    double pending = 0;
    for (const auto& [d, kd] : r_.kind) {
      if (kd == "controller-manager") pending += r_.At(d + " control pending_pods", t, 0);
    }
    for (int i = 0; i < static_cast<int>(pending); ++i, ++k) {
      std::snprintf(line, sizeof line, "web-%04d           %-8s %-10s %s\n", k, "0/1", "Pending", "<none>");
      o << line;
    }
    return o.str();
  }

  std::string Term(const std::string& member, double t) const {
    std::string term = "?";
    for (const auto& e : r_.events) {
      if (e.t > t + 1e-9) break;
      if (e.device == member && e.kind == "store.leader") {
        json d = json::parse(e.detail, nullptr, false);
        if (d.is_object() && d.contains("term")) term = d["term"].dump();
      }
    }
    return term;
  }

  std::string EtcdStatus(double t) const {
    std::ostringstream o;
    char line[200];
    std::snprintf(line, sizeof line, "%-22s %-9s %-10s %s\n", "ENDPOINT", "IS LEADER", "RAFT TERM", "RAFT INDEX");
    o << line;
    for (const auto& m : members) {
      if (!r_.Running(m, t)) {
        o << "Failed to get the status of endpoint https://" << m << ":2379 (context deadline exceeded)\n";
        continue;
      }
      std::string ep = "https://" + m + ":2379";
      double term = r_.At(m + " control term", t, NAN);
      std::snprintf(line, sizeof line, "%-22s %-9s %-10s %.0f\n", ep.c_str(),
                    r_.At(m + " control is_leader", t, 0) >= 1 ? "true" : "false",
                    std::isfinite(term) ? Fmt("%.0f", term).c_str() : Term(m, t).c_str(),
                    r_.At(m + " control commit_index", t, 0));
      o << line;
    }
    return o.str();
  }

  std::string EtcdHealth(double t) const {
    std::ostringstream o;
    for (const auto& m : members) {
      std::string ep = "https://" + m + ":2379";
      if (!r_.Running(m, t)) {
        o << ep << " is unhealthy: failed to connect: context deadline exceeded\n";
        continue;
      }
      if (r_.At(m + " control has_leader", t, 1) < 1) {
        o << ep << " is unhealthy: failed to commit proposal: context deadline exceeded\n";
        continue;
      }
      // etcdctl's health check commits a proposal: it waits for the WAL fsync as well as the backend commit.
      double took = std::max(r_.At(m + " control wal_fsync_duration_p99", t, 0), r_.At(m + " control backend_commit_duration_p99", t, 0));
      if (!std::isfinite(took) || took <= 0) took = 0.002;
      o << ep << " is healthy: successfully committed proposal: took = " << Fmt("%.1f", took * 1000) << "ms\n";
    }
    return o.str();
  }

  std::string Curl(const std::string& client, double t) const {
    double err = r_.At(client + " data error_ratio", t, 0);
    double refused = r_.At(client + " data refused", t, 0) - r_.At(client + " data refused", t - r_.interval, 0);
    double lat = r_.At(client + " data latency_p50", t, 0.01);
    if (refused > 0 && err >= 0.5) return "curl: (7) Failed to connect to svc port 80 after 2 ms: Connection refused\n";
    if (err >= 0.5) return "curl: (28) Operation timed out after 5000 milliseconds with 0 bytes received\n";
    std::string s = "HTTP/1.1 200 OK\ncontent-length: 512\n(answered in " + Fmt("%.0f", std::isfinite(lat) ? lat * 1000 : 10) + " ms)\n";
    if (err > 0.05) s += "(" + Fmt("%.0f", err * 100) + " % of requests from " + client + " fail right now)\n";
    return s;
  }

  /// curl to a pod on `node` (kubectl get pods -o wide gives the node): what its kubelet's pods answer.
  std::string CurlPod(const std::string& node, double t) const {
    auto delta = [&](const char* m) { return r_.At(node + " data " + m, t, 0) - r_.At(node + " data " + m, t - r_.interval, 0); };
    std::string pod = "http://" + node + "-pod:8080/";
    if (r_.At(node + " control pods_running", t, 0) < 1) return "curl " + pod + "\ncurl: (6) Could not resolve host: no pod runs on " + node + "\n";
    if (delta("refused") > 0) return "curl " + pod + "\ncurl: (7) Failed to connect to " + node + "-pod port 8080: Connection refused\n";
    if (delta("overload_drops") > delta("served")) return "curl " + pod + "\ncurl: (28) Operation timed out after 5000 milliseconds\n";
    return "curl " + pod + "\nHTTP/1.1 200 OK\n";
  }

  std::string Cloud(double t) const {
    std::string api;
    for (const auto& [d, k] : r_.kind) if (k == "cloud-api") api = d;
    if (api.empty()) return "";
    auto last_min = [&](const char* m) { return r_.At(api + " control " + m, t, 0) - r_.At(api + " control " + m, t - 60, 0); };
    std::ostringstream o;
    o << "cloud provider console (" << api << ")\n  instances running:   " << Fmt("%.0f", r_.At(api + " control instances_running", t, 0))
      << "\n  launches, last 60 s: " << Fmt("%.0f", last_min("launches") + last_min("launch_failures")) << " requested, " << Fmt("%.0f", last_min("launch_failures"))
      << " failed\n  retirements, last 60 s: " << Fmt("%.0f", last_min("retirements")) << "\n  load balancer targets: "
      << Fmt("%.0f", r_.At(api + " data lb_targets", t, 0)) << "\n";
    if (last_min("launch_failures") > 0) o << "  last error: InsufficientInstanceCapacity / RequestLimitExceeded on RunInstances\n";
    return o.str();
  }

  std::string Dashboard(double t) const {
    std::ostringstream o;
    o << "NMS dashboard (what the monitoring station shows; 'last poll' is how old its data is)\n";
    char line[200];
    std::snprintf(line, sizeof line, "%-14s %-10s %-10s %-11s %s\n", "DEVICE", "DATA", "CONTROL", "MANAGEMENT", "LAST POLL");
    o << line;
    for (const auto& d : r_.device_order) {
      std::string cells[3];
      bool any = false;
      const char* planes[] = {"data", "control", "management"};
      for (int i = 0; i < 3; ++i) {
        const auto* s = r_.HealthAt(d, planes[i], t);
        cells[i] = s ? s->reported : "-";
        any = any || s;
      }
      if (!any) continue;
      std::string poll = r_.Has(d + " management polls_answered") ? Ago(t - r_.LastGrowth(d + " management polls_answered", t)) : "-";
      if (r_.LastGrowth(d + " management polls_answered", t) < 0 && r_.Has(d + " management polls_answered")) poll = "never";
      std::snprintf(line, sizeof line, "%-14s %-10s %-10s %-11s %s\n", d.c_str(), cells[0].c_str(), cells[1].c_str(),
                    cells[2].c_str(), poll.c_str());
      o << line;
    }
    return o.str();
  }

  std::vector<HelpdeskCall> Helpdesk() const {
    std::vector<HelpdeskCall> calls;
    std::vector<std::pair<std::string, std::string>> users;  // device, metric
    for (const auto& h : hosts) users.push_back({h, h + " data loss_ratio"});
    for (const auto& c : clients) users.push_back({c, c + " data error_ratio"});
    for (const auto& [who, key] : users) {
      auto it = r_.series.find(key);
      if (it == r_.series.end()) continue;
      int state = 0;  // 0 fine, 1 some failures, 2 most fail
      for (const auto& [t, v] : it->second) {
        if (!std::isfinite(v)) continue;
        int s = v >= 0.5 ? 2 : v >= 0.05 ? 1 : 0;
        if (s == state) continue;
        std::string text = s == 2   ? "users at " + who + ": \"nothing works, every page times out\""
                           : s == 1 ? "users at " + who + ": \"some requests fail, it is flaky\""
                                    : "users at " + who + ": \"it works again\"";
        calls.push_back({t, text});
        state = s;
      }
    }
    std::stable_sort(calls.begin(), calls.end(), [](const auto& a, const auto& b) { return a.t_s < b.t_s; });
    return calls;
  }

 private:
  const RunData& r_;
};

}  // namespace

const std::vector<std::string>& ConsoleCommands() {
  static const std::vector<std::string> k = {"show interfaces",   "show ip route",       "show ip bgp summary",
                                             "show processes cpu", "show logging",        "ping",
                                             "traceroute",        "kubectl get nodes",   "kubectl get pods",
                                             "etcdctl endpoint status", "etcdctl endpoint health", "curl",
                                             "cloud status", "show dashboard"};
  return k;
}

OperatorView BuildOperatorView(const std::string& run_dir) {
  RunData r;
  try {
    r = Load(run_dir);
  } catch (const std::exception& e) {
    throw std::runtime_error(run_dir + ": " + e.what());
  }
  Views v(r);
  OperatorView out;
  out.routers = v.routers;
  out.hosts = v.hosts;
  out.nodes = v.nodes;
  out.members = v.members;
  out.clients = v.clients;
  auto add = [&](const std::string& command, const std::string& target, const std::function<std::string(double)>& f) {
    std::string last;
    bool first = true;
    size_t steps = static_cast<size_t>(std::floor(r.duration / r.interval + 1e-9));
    for (size_t k = 0; k <= steps; ++k) {
      double t = static_cast<double>(k) * r.interval;
      std::string text = f(t);
      if (!first && text == last) continue;
      out.answers.push_back({command, target, t, text});
      last = text;
      first = false;
    }
  };
  for (const auto& d : v.routers) {
    add("show interfaces", d, [&](double t) { return v.ShowInterfaces(d, t); });
    add("show ip route", d, [&](double t) { return v.ShowIpRoute(d, t); });
    add("show ip bgp summary", d, [&](double t) { return v.ShowBgp(d, t); });
    add("show processes cpu", d, [&](double t) { return v.ShowCpu(d, t); });
    add("show logging", d, [&](double t) { return v.ShowLogging(d, t); });
  }
  for (size_t i = 0; i < v.hosts.size(); ++i) {
    for (size_t j = 0; j < v.hosts.size(); ++j) {
      if (i == j) continue;
      const std::string &a = v.hosts[i], &b = v.hosts[j];
      add("ping", a + " " + b, [&](double t) { return v.Ping(a, b, t); });
      add("traceroute", a + " " + b, [&](double t) { return v.Traceroute(a, b, t); });
    }
  }
  if (!v.nodes.empty() || !v.apiserver.empty()) {
    add("kubectl get nodes", "", [&](double t) { return v.GetNodes(t); });
    add("kubectl get pods", "", [&](double t) { return v.GetPods(t); });
  }
  if (!v.members.empty()) {
    add("etcdctl endpoint status", "", [&](double t) { return v.EtcdStatus(t); });
    add("etcdctl endpoint health", "", [&](double t) { return v.EtcdHealth(t); });
  }
  for (const auto& c : v.clients) add("curl", c, [&](double t) { return v.Curl(c, t); });
  for (const auto& n : v.nodes) add("curl", n, [&](double t) { return v.CurlPod(n, t); });
  if (!v.Cloud(0).empty()) add("cloud status", "", [&](double t) { return v.Cloud(t); });
  add("show dashboard", "", [&](double t) { return v.Dashboard(t); });
  out.helpdesk = v.Helpdesk();
  return out;
}

}  // namespace planelab::classroom
