// The command line as users meet it: help, exit codes, outputs, pcap, and never losing their files.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include <fstream>
#include <set>
#include <sstream>
#include <map>
#include "sim/scenario/kind_catalog.h"
#include "sim/trace/run_reader.h"

namespace planelab::testing {

namespace fs = std::filesystem;

TEST(Cli, HelpTeaches) {
  CmdResult r = RunPlanelab("--help");
  EXPECT_EQ(r.code, 0);
  for (const char* s : {"run", "validate", "faults", "Exit codes", "dead-asic.json"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
  }
  CmdResult run_help = RunPlanelab("run --help");
  EXPECT_NE(run_help.out.find("--pcap"), std::string::npos);
  EXPECT_NE(run_help.out.find("--seed"), std::string::npos);
}

TEST(Cli, BadArgumentsExitTwo) {
  EXPECT_EQ(RunPlanelab("").code, 2);
  EXPECT_EQ(RunPlanelab("run").code, 2);
  EXPECT_EQ(RunPlanelab("frobnicate").code, 2);
  EXPECT_EQ(RunPlanelab("run scenarios/incidents/dead-asic.json --seed banana").code, 2);
  CmdResult missing = RunPlanelab("run no/such/file.json");
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("no/such/file.json"), std::string::npos);
  CmdResult folder = RunPlanelab("run scenarios/");
  EXPECT_EQ(folder.code, 2);
  EXPECT_NE(folder.err.find("is a folder"), std::string::npos) << folder.err;
  CmdResult unwritable = RunPlanelab("run scenarios/incidents/dead-asic.json --out /proc/planelab-nope");
  EXPECT_EQ(unwritable.code, 2);
  EXPECT_NE(unwritable.err.find("choose a writable place with --out"), std::string::npos) << unwritable.err;
  EXPECT_EQ(RunPlanelab("run scenarios/incidents/dead-asic.json --seed -5").code, 2);
  EXPECT_EQ(RunPlanelab("run scenarios/incidents/dead-asic.json --seed 4294967296").code, 2);
  // The largest seed is accepted and runs (ns-3's generator needs seeds below 4294967087: mapped).
  EXPECT_EQ(RunPlanelab("run scenarios/basics/link-degrade.json --quiet --seed 4294967295 --out " + FreshPath("maxseed")).code, 0);
  CmdResult pcap = RunPlanelab("run scenarios/incidents/dead-asic.json --pcap r9 --out " + FreshPath("p"));
  EXPECT_EQ(pcap.code, 2);
  EXPECT_NE(pcap.err.find("--pcap r9"), std::string::npos) << pcap.err;
}

TEST(Cli, NeverOverwritesWhatTheUserHad) {
  std::string dir = FreshPath("mine");
  fs::create_directories(dir);
  { std::ofstream(dir + "/notes.txt") << "precious"; }
  CmdResult r = RunPlanelab("run scenarios/incidents/dead-asic.json --quiet --out " + dir);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("nothing was overwritten"), std::string::npos) << r.err;
  r = RunPlanelab("run scenarios/incidents/dead-asic.json --quiet --force --out " + dir);
  EXPECT_EQ(r.code, 2) << "--force must not replace a folder that is not a run";
  EXPECT_EQ(ReadFile(dir + "/notes.txt"), "precious");
  EXPECT_EQ(fs::directory_iterator(dir)->path().filename(), "notes.txt");
}

TEST(Cli, FaultsListsEveryKindWithItsPlane) {
  CmdResult r = RunPlanelab("faults --json");
  ASSERT_EQ(r.code, 0);
  auto j = nlohmann::json::parse(r.out);
  std::map<std::string, std::string> planes;
  for (const auto& k : j) planes[k["kind"]] = k["plane"];
  EXPECT_EQ(planes["asic-dead"], "data");
  EXPECT_EQ(planes["control-cpu-saturation"], "control");
  EXPECT_EQ(planes["mgmt-oob-down"], "management");
  EXPECT_EQ(RunPlanelab("faults").code, 0);
}

// The shipped schema is the composition of the loader's base and every family's fragment, never edited apart.
TEST(Cli, ShippedSchemaIsTheFamiliesComposition) {
  CmdResult r = RunPlanelab("schema");
  ASSERT_EQ(r.code, 0);
  EXPECT_EQ(r.out, ReadFile(std::string(PLANELAB_SOURCE_DIR) + "/scenarios/scenario.schema.json"))
      << "scenarios/scenario.schema.json is out of date: run `planelab schema > scenarios/scenario.schema.json`";
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["properties"].contains("routing"));
  EXPECT_TRUE(j["properties"].contains("cluster"));
}

// Issue 12.8: the story tells the operators' view of every kind with a dashboard, and nothing the run
// does not show.
TEST(Cli, StoryIsTrueForClusterKinds) {
  CmdResult r = RunPlanelab("run scenarios/incidents/cni-broken.json --out " + FreshPath("cni-story"));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("data        30s-90s  actual down, reported up   <- the dashboard is green while this plane is down"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Note: a green dashboard is not proof that users are served (node-3 data"), std::string::npos)
      << r.out;
  // No router changed a route: a cluster run has no convergence to tell.
  EXPECT_EQ(r.out.find("Routing convergence"), std::string::npos) << r.out;
}

TEST(Cli, StoryDoesNotCallTheDashboardsLagALie) {
  // From the second flap on, r2 drops transit packets for the 2 s the link is down (the SPF back-off waits 5 s),
  // well inside the station's 5 s poll interval.
  CmdResult r = RunPlanelab("run scenarios/basics/link-flap.json --out " + FreshPath("flap-story"));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("the dashboard is green"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("a green dashboard is not proof"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("not on the dashboard yet (it refreshes every 5s)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Routing convergence"), std::string::npos) << r.out;
}

TEST(Cli, DeadAsicRunTellsTheStoryAndKeepsItsPromises) {
  std::string out = FreshPath("dead-asic");
  CmdResult r = RunPlanelab("run scenarios/incidents/dead-asic.json --out " + out + " --pcap r2");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("the dashboard is green while this plane is down"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("carrying traffic: YES"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("making changes: no"), std::string::npos) << r.out;
  // The summary contract.
  auto s = nlohmann::json::parse(ReadFile(out + "/summary.json"));
  EXPECT_EQ(s["schema"], "planelab.summary/1");
  EXPECT_EQ(s["scenario"], "dead-asic");
  EXPECT_EQ(s["seed"], 1);
  EXPECT_EQ(s["sim_time_s"], 60.0);
  bool found = false;
  for (const auto& iv : s["devices"]["r2"]["data"]) {
    if (iv["actual"] == "down") {
      found = true;
      EXPECT_EQ(iv["reported"], "up");
      EXPECT_DOUBLE_EQ(iv["from_s"].get<double>(), 20.0);
      EXPECT_DOUBLE_EQ(iv["to_s"].get<double>(), 45.0);
    }
  }
  EXPECT_TRUE(found);
  for (const auto& e : s["expectations"]) EXPECT_TRUE(e["passed"].get<bool>()) << e.dump();
  // pcap files, one per interface of r2 (two data links and its OOB port), in pcap format.
  int pcaps = 0;
  for (const auto& e : fs::directory_iterator(out + "/pcap")) {
    std::string head = ReadFile(e.path().string()).substr(0, 4);
    EXPECT_EQ(head, std::string("\xd4\xc3\xb2\xa1", 4)) << e.path();
    ++pcaps;
  }
  EXPECT_EQ(pcaps, 3);
  // The run store: readable, and every series a model declared is documented for expectations.
  RunStoreReader store(out + "/run.sqlite");
  EXPECT_EQ(store.Meta("scenario"), "dead-asic");
  EXPECT_GT(store.QueryInt("SELECT count(*) FROM events WHERE kind = 'fault.start'"), 0);
  EXPECT_EQ(store.QueryInt("SELECT count(*) FROM health WHERE device='r2' AND plane='data' AND actual='down'"), 25);
  // Every series belongs to a device or, for utilisation, to a link.
  EXPECT_EQ(store.QueryInt("SELECT count(*) FROM series WHERE device IN (SELECT id FROM devices) OR "
                           "(metric = 'utilization' AND device IN (SELECT id FROM links))"),
            store.QueryInt("SELECT count(*) FROM series"));
  EXPECT_EQ(store.QueryInt("SELECT count(*) FROM series WHERE metric = 'utilization'"), 4);
  auto manifest = nlohmann::json::parse(ReadFile(out + "/manifest.json"));
  EXPECT_EQ(manifest["run_store_schema"], "planelab.run/1");
  EXPECT_FALSE(fs::exists(out + ".partial-" + std::to_string(0)));
}

/// The rows of one table of a run store, split into fields (DumpAll's stable text form).
std::vector<std::vector<std::string>> TableRows(const RunStoreReader& r, const std::string& table) {
  std::string dump = r.DumpAll();
  auto pos = dump.find("## " + table + "\n");
  std::vector<std::vector<std::string>> out;
  if (pos == std::string::npos) return out;
  pos += table.size() + 4;
  auto end = dump.find("\n## ", pos - 1);
  std::istringstream rows(dump.substr(pos, end == std::string::npos ? std::string::npos : end + 1 - pos));
  std::string row;
  while (std::getline(rows, row)) {
    std::vector<std::string>& f = out.emplace_back();
    std::stringstream ss(row);
    std::string x;
    while (std::getline(ss, x, '|')) f.push_back(x);
  }
  return out;
}

/// The series each kind declares, as `planelab kinds --json` prints them (derived from the models' tables).
const nlohmann::json& DeclaredKinds() {
  static const nlohmann::json kinds = [] {
    CmdResult r = RunPlanelab("kinds --json");
    EXPECT_EQ(r.code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }();
  return kinds;
}

/// Runs `scenario` and checks every series it recorded against its device kind's declarations: the name (an
/// open hole matching any value), unit, type and help (the hole's value filled in). Returns the kinds seen.
std::set<std::string> ExpectEverySeriesDeclared(const std::string& scenario, const std::string& name) {
  std::string out = FreshPath(name);
  EXPECT_EQ(RunPlanelab("run " + scenario + " --quiet --out " + out).code, 0) << scenario;
  RunStoreReader store(out + "/run.sqlite");
  std::map<std::string, std::string> kind_of;
  for (const auto& f : TableRows(store, "devices")) kind_of[f.at(0)] = f.at(1);
  for (const auto& f : TableRows(store, "links")) kind_of[f.at(0)] = "link";
  std::map<std::string, std::vector<MetricDoc>> declared;
  for (const auto& k : DeclaredKinds()) {
    for (const auto& m : k["series"]) {
      declared[k["kind"]].push_back({m["plane"], m["name"], m["unit"], m["kind"], m["help"], m["only"]});
    }
  }
  std::set<std::string> kinds;
  auto rows = TableRows(store, "series");
  EXPECT_GT(rows.size(), 20u) << scenario;
  for (const auto& f : rows) {
    if (f.size() != 7) {
      ADD_FAILURE() << "series row: " << ::testing::PrintToString(f);
      continue;
    }
    const std::string &device = f[1], &plane = f[2], &metric = f[3], &unit = f[4], &type = f[5], &help = f[6];
    std::string kind = kind_of.count(device) ? kind_of[device] : "?";
    kinds.insert(kind);
    const MetricDoc* match = nullptr;
    std::string value;
    for (const auto& d : declared[kind]) {
      if (d.plane == plane && MatchesMetric(d, metric, &value)) match = &d;
      if (match) break;
    }
    if (!match) {
      ADD_FAILURE() << scenario << ": " << device << " (" << kind << ") records " << plane << "." << metric
                    << ", which its kind does not declare";
      continue;
    }
    std::string want_help = match->help;
    auto hole = match->name.find('<');
    if (hole != std::string::npos) {
      std::string mark = match->name.substr(hole, match->name.find('>') - hole + 1);
      for (auto at = want_help.find(mark); at != std::string::npos; at = want_help.find(mark, at + value.size())) {
        want_help.replace(at, mark.size(), value);
      }
    }
    EXPECT_EQ(unit, match->unit) << device << " " << metric;
    EXPECT_EQ(type, match->kind) << device << " " << metric;
    EXPECT_EQ(help, want_help) << device << " " << metric;
  }
  return kinds;
}

TEST(Cli, EveryRecordedSeriesIsDeclared) {
  // Routers (link-state), hosts, the monitoring station and links.
  EXPECT_EQ(ExpectEverySeriesDeclared("scenarios/incidents/control-cpu-melt.json", "declared-router"),
            (std::set<std::string>{"router", "host", "monitor", "link"}));
  // BGP: per-neighbour session states.
  EXPECT_EQ(ExpectEverySeriesDeclared("scenarios/basics/bgp-diamond.json", "declared-bgp"),
            (std::set<std::string>{"router", "host", "link"}));
  // The six cluster kinds, with the routers and links under them.
  EXPECT_EQ(ExpectEverySeriesDeclared("scenarios/basics/cluster-autoscale.json", "declared-cluster"),
            (std::set<std::string>{"store-member", "api-server", "controller-manager", "node", "cloud-api",
                                   "service-client", "router", "link"}));
  // A service mesh: istiod, and the sidecars' series on the nodes and the client.
  EXPECT_EQ(ExpectEverySeriesDeclared("scenarios/incidents/sidecar-crash.json", "declared-mesh"),
            (std::set<std::string>{"store-member", "api-server", "controller-manager", "node", "cloud-api",
                                   "service-client", "istiod", "router", "link"}));
}

TEST(Cli, MeshStoryNamesThePlanesAndEnvoyLogsTheFlags) {
  // stale-endpoints with 60 s certificates: istiod is down from 30 s, so certificates expire during the run too.
  auto doc = nlohmann::json::parse(ReadFile(PLANELAB_SOURCE_DIR "/scenarios/incidents/stale-endpoints.json"));
  doc["name"] = "mesh-short-certs";
  doc["mesh"]["certificates"] = {{"ttl", "60s"}};
  doc.erase("expectations");
  std::string file = FreshPath("mesh-short-certs.json");
  std::ofstream(file) << doc.dump(1);
  std::string out = FreshPath("mesh-story");
  CmdResult r = RunPlanelab("run " + file + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  // istiod is the control plane: its outage stops change; the sidecars are the data plane: users are hurt.
  EXPECT_NE(r.out.find("istiod (istiod)\n  control     30s-200s  actual down"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("making changes: YES ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("istiod control)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("carrying traffic: YES (client-1 data"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("seeing the system: YES (istiod management)"), std::string::npos) << r.out;
  RunStoreReader store(out + "/run.sqlite");
  // Envoy's access log: stale endpoints refuse (UF, retries exhausted: URX); expired certificates fail mTLS.
  EXPECT_GT(store.QueryInt("SELECT count(*) FROM events WHERE kind = 'envoy.access_log' AND detail LIKE '% 503 UF,URX %'"), 0);
  EXPECT_GT(store.QueryInt("SELECT count(*) FROM events WHERE kind = 'envoy.access_log' AND "
                           "detail LIKE '%CERTIFICATE_EXPIRED%'"), 0);
  EXPECT_GT(store.QueryInt("SELECT count(*) FROM events WHERE kind = 'sidecar.xds_disconnected'"), 0);
  // The access log is sampled (10 lines a second per proxy); the counters count every request.
  EXPECT_LE(store.QueryInt("SELECT count(*) FROM events WHERE kind = 'envoy.access_log'"), 10 * 300);
}

TEST(Cli, OutputsMdListsEveryDeclaredMetric) {
  // docs/outputs.md's per-kind table is `planelab kinds --markdown`, between these markers.
  CmdResult r = RunPlanelab("kinds --markdown");
  ASSERT_EQ(r.code, 0) << r.err;
  std::string doc = ReadFile(PLANELAB_SOURCE_DIR "/docs/outputs.md");
  const std::string begin = "<!-- planelab kinds --markdown: begin -->\n", end = "<!-- planelab kinds --markdown: end -->";
  auto b = doc.find(begin), e = doc.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), r.out)
      << "docs/outputs.md is behind the models' metric tables: paste the output of `planelab kinds --markdown` "
         "between its markers";
  // Each kind's row lists the declarations: every metric name appears.
  for (const auto& k : DeclaredKinds()) {
    for (const auto& m : k["metrics"]) {
      EXPECT_NE(r.out.find("`" + m["name"].get<std::string>() + "`"), std::string::npos) << m["name"];
    }
  }
}

TEST(Cli, BgpSessionStateFollowsTheFsm) {
  std::string out = FreshPath("bgp-session-state");
  ASSERT_EQ(RunPlanelab("run scenarios/basics/bgp-diamond.json --quiet --out " + out).code, 0);
  RunStoreReader r(out + "/run.sqlite");
  EXPECT_GT(r.QueryInt("SELECT count(*) FROM series WHERE metric LIKE 'bgp_session_state.%'"), 0);
  // The session state series follows the FSM: established (6) before the cut; after it, r4 (the
  // higher address, which connects) is idle (1) until its connect-retry timer, r2 listens (active, 3).
  auto st = r.Samples("r2", "control", "bgp_session_state.r4", 0, 25);
  ASSERT_FALSE(st.empty());
  EXPECT_EQ(r.Samples("r2", "control", "bgp_session_state.r4", 19, 19.9).back().second, 6);
  EXPECT_EQ(st.back().second, 3);
  EXPECT_EQ(r.Samples("r4", "control", "bgp_session_state.r2", 0, 25).back().second, 1);
}

}  // namespace planelab::testing

namespace planelab::testing {

// Hand computation for link-failure-reroute (ring r1-r2-r3-r4, link-state defaults): at 20s r1-r2
// loses carrier. r2 learns it over the punt port (10us), spends 200us of CPU and floods its new LSA;
// it reaches r3 after 2ms of link delay (plus 0.1us of serialisation), costs 200us of CPU there and
// arms the SPF throttle (50ms); SPF costs 5ms and FIB programming 10ms. The last FIB programmed in
// the network is therefore at 0.01 + 0.2 + 2.0001 + 0.2 + 50 + 5 + 10 = 67.41ms after the cut.
TEST(Convergence, MatchesTheHandComputationOnARing) {
  std::string out = FreshPath("ring");
  ASSERT_EQ(RunPlanelab("run scenarios/basics/link-failure-reroute.json --quiet --out " + out).code, 0);
  auto s = nlohmann::json::parse(ReadFile(out + "/summary.json"));
  const auto& conv = s["convergence"];
  ASSERT_EQ(conv.size(), 3u);
  EXPECT_EQ(conv[1]["trigger"], "fault.start link-down r1-r2");
  // Carrier loss is punted (10 us) and handled (200 us of route-processor time). The origination throttle
  // (start 50 ms) and the SPF back-off (QUIET: 50 ms) fire together; the SPF (5 ms) runs before the origination
  // (200 us). The update crosses the 2 ms link, the far router handles it (200 us), waits its own INITIAL_SPF_DELAY
  // (50 ms), computes (5 ms) and programs its FIB (10 ms). The last router to finish (r4) is one message of CPU
  // time later than this path: its route processor handles one more packet first.
  const double punt = 10e-6, cpu = 200e-6, link = 2e-3, spf = 5e-3, fib = 10e-3, wait = 50e-3;
  EXPECT_NEAR(conv[1]["converged_after_s"].get<double>(),
              punt + cpu + wait + spf + cpu + link + cpu + wait + spf + fib + cpu, 0.00002);
  EXPECT_EQ(conv[1]["routers_changed"], 4);
}

TEST(Convergence, BgpDiamondMatchesTheHandComputation) {
  // The derivation is in the scenario's description: after the r2-r4 cut, r2 withdraws h4's
  // prefix from r1, r1 falls back to r3 and announces that path to r2, which installs it.
  std::string out = FreshPath("bgp-diamond");
  ASSERT_EQ(RunPlanelab("run scenarios/basics/bgp-diamond.json --quiet --out " + out).code, 0);
  auto s = nlohmann::json::parse(ReadFile(out + "/summary.json"));
  const auto& conv = s["convergence"];
  ASSERT_EQ(conv.size(), 2u);
  EXPECT_EQ(conv[1]["trigger"], "fault.start link-down r2-r4");
  const double punt = 10e-6, cpu = 200e-6, link = 1e-3, fib = 10e-3;
  // Withdrawal 27 bytes and announcement 55 bytes of BGP, each plus TCP (with timestamps), IPv4
  // and PPP headers (54 bytes), at 1 Gbps.
  const double wire = (27 + 54 + 55 + 54) * 8 / 1e9;
  EXPECT_NEAR(conv[1]["converged_after_s"].get<double>(), punt + 3 * cpu + 2 * link + wire + fib, 1e-6);
  EXPECT_EQ(conv[1]["routers_changed"], 3);  // r2 twice, r4 (one ECMP member less), r1
}

}  // namespace planelab::testing
