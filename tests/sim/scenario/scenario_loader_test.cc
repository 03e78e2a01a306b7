#include "sim/scenario/scenario_loader.h"

#include <gtest/gtest.h>

#include <any>
#include <filesystem>

#include "models/cluster/cluster_kinds.h"
#include "models/catalog.h"
#include "models/cluster/cluster_section.h"
#include "models/host/host_kind.h"
#include "models/monitor/monitor_kind.h"
#include "models/monitor/telemetry_section.h"
#include "models/router/router_kind.h"
#include "models/router/routing_section.h"
#include "sim/fault/fault_kinds.h"
#include "sim/topology/topology.h"

namespace planelab {

namespace {
/// The families' catalogue (sections, declarable kinds, kind entries with their metric tables), without the
/// kinds' factories: the loader needs no kernel.
const ModelCatalog& Catalog() { return BuiltinCatalog(); }

std::string Minimal(const std::string& extra = "") {
  return R"({"name": "t", "duration": "10s",
  "topology": {"devices": [{"id": "r1", "kind": "router"}, {"id": "h1", "kind": "host"}, {"id": "h2", "kind": "host"}],
               "links": [{"a": "h1", "b": "r1"}, {"a": "h2", "b": "r1", "rate": "10Mbps", "delay": "5ms"}]})" +
         extra + "}";
}
std::string ErrorOf(const std::string& text) {
  try {
    ParseScenarioText(text, "t.json", Catalog());
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(ScenarioLoader, MinimalScenarioGetsDefaults) {
  Scenario sc = ParseScenarioText(Minimal(), "t.json", Catalog());
  EXPECT_EQ(sc.name, "t");
  EXPECT_EQ(sc.duration, 10 * kSec);
  EXPECT_EQ(sc.seed, 1u);
  ASSERT_EQ(sc.links.size(), 2u);
  EXPECT_EQ(sc.links[0].id, "h1-r1");
  EXPECT_EQ(sc.links[0].rate_bps, 1000000000ULL);
  EXPECT_EQ(sc.links[1].rate_bps, 10000000ULL);
  EXPECT_EQ(sc.links[1].delay, 5 * kMs);
  // Real systems' defaults: OSPF timers (RFC 2328 C.3) and net-snmp's 1 s timeout.
  EXPECT_EQ(sc.families.Get<RoutingSpec>().hello_interval, 10 * kSec);
  EXPECT_EQ(sc.families.Get<RoutingSpec>().dead_interval, 40 * kSec);
  EXPECT_EQ(sc.management.poll_timeout, 1 * kSec);
  EXPECT_EQ(sc.groups["hosts"].size(), 2u);
}

TEST(ScenarioLoader, ErrorsNameFileLinePointerAndFix) {
  std::string text = Minimal(R"(, "faults": [
    {"at": "5s", "target": "r1", "kind": "asic-died"}])");
  std::string err = ErrorOf(text);
  EXPECT_NE(err.find("t.json:4: /faults/0/kind: unknown fault kind \"asic-died\"; known kinds: asic-dead"), std::string::npos)
      << err;
}

TEST(ScenarioLoader, UnknownPropertyIsNamedAtItsOwnPointer) {
  std::string err = ErrorOf(Minimal(R"(, "managment": {})"));
  EXPECT_NE(err.find("/managment: unknown property \"managment\"; allowed here:"), std::string::npos) << err;
}

TEST(ScenarioLoader, CollectsSeveralProblemsAtOnce) {
  std::string err = ErrorOf(Minimal(R"(, "faults": [
    {"at": "50s", "target": "h1", "kind": "asic-dead"}])"));
  EXPECT_NE(err.find("/faults/0/target: \"h1\" is a host; this needs a router"), std::string::npos) << err;
  EXPECT_NE(err.find("/faults/0/at: the fault starts at or after the end of the run (10s)"), std::string::npos) << err;
}

// Issue 18: the "telemetry" section reads the real systems' defaults, and its faults need it and the station.
TEST(ScenarioLoader, TelemetrySectionDefaultsAndItsFaults) {
  Scenario plain = ParseScenarioText(Minimal(), "t.json", Catalog());
  EXPECT_FALSE(plain.families.Get<TelemetrySpec>().enabled);  // the station stays the plain poller
  Scenario sc = ParseScenarioText(Minimal(R"(, "telemetry": {"access": "both"})"), "t.json", Catalog());
  const TelemetrySpec& t = sc.families.Get<TelemetrySpec>();
  EXPECT_TRUE(t.enabled);
  EXPECT_EQ(t.scrape_timeout, 10 * kSec);        // Prometheus scrape_timeout
  EXPECT_EQ(t.lookback, 5 * 60 * kSec);          // --query.lookback-delta
  EXPECT_EQ(t.evaluation_interval, 60 * kSec);   // evaluation_interval
  EXPECT_EQ(t.group_wait, 30 * kSec);            // Alertmanager group_wait
  EXPECT_EQ(t.group_interval, 5 * 60 * kSec);    // group_interval
  EXPECT_EQ(t.repeat_interval, 4 * 3600 * kSec); // repeat_interval
  EXPECT_EQ(t.access, "both");

  std::string err = ErrorOf(Minimal(R"(, "faults": [
    {"at": "5s", "target": "nms", "kind": "collector-down"}])"));
  EXPECT_NE(err.find("/faults/0/kind: fault \"collector-down\" needs the telemetry pipeline"), std::string::npos) << err;
  err = ErrorOf(Minimal(R"(, "telemetry": {"inband_gateway": "h1", "scrape_interval": "5s"}, "faults": [
    {"at": "5s", "target": "r1", "kind": "alerting-down"}])"));
  EXPECT_NE(err.find("/faults/0/target: fault \"alerting-down\" targets the monitoring station (\"nms\"), not \"r1\""),
            std::string::npos) << err;
  EXPECT_NE(err.find("/telemetry/inband_gateway: \"h1\" is not a router of the topology"), std::string::npos) << err;
  EXPECT_NE(err.find("/telemetry/scrape_timeout: the scrape timeout must not be longer than scrape_interval"),
            std::string::npos) << err;
}

// Issue 13: the loader parses a fault's params with its kind's declaration and hands the struct on.
TEST(ScenarioLoader, FaultParamsArriveParsed) {
  Scenario sc = ParseScenarioText(Minimal(R"(, "faults": [
    {"at": "5s", "target": "h1-r1", "kind": "link-flap", "params": {"period": "4s"}},
    {"at": "5s", "target": "r1", "kind": "plane-crash", "params": {"plane": "control"}}])"), "t.json", Catalog());
  ASSERT_EQ(sc.faults.size(), 2u);
  const auto& flap = std::any_cast<const LinkFlapParams&>(sc.faults[0].parsed);
  EXPECT_EQ(flap.period, 4 * kSec);
  EXPECT_EQ(flap.down_for, 2 * kSec);
  EXPECT_EQ(sc.faults[0].params.size(), 1u);  // the text stays as written, for the fault.start event
  EXPECT_EQ(std::any_cast<const PlaneCrashParams&>(sc.faults[1].parsed).plane, "control");
}

// plane-crash takes any device (or the station) and a plane that device has.
TEST(ScenarioLoader, PlaneCrashNeedsAPlaneTheTargetHas) {
  std::string err = ErrorOf(Minimal(R"(, "management": {"enabled": false}, "faults": [
    {"at": "5s", "target": "h1", "kind": "plane-crash", "params": {"plane": "control"}},
    {"at": "5s", "target": "r1", "kind": "plane-crash", "params": {"plane": "management"}},
    {"at": "5s", "target": "h1-r1", "kind": "plane-crash", "params": {"plane": "data"}},
    {"at": "5s", "target": "r1", "kind": "plane-crash"}])"));
  EXPECT_NE(err.find("/faults/0/params/plane: \"h1\" (a host) has no control plane; its planes: data"), std::string::npos)
      << err;
  // Without a management network, a router has no management plane.
  EXPECT_NE(err.find("/faults/1/params/plane: \"r1\" (a router) has no management plane; its planes: data, control"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("/faults/2/target: \"h1-r1\" is not a device of the topology"), std::string::npos) << err;
  EXPECT_NE(err.find("/faults/3/params: fault kind \"plane-crash\" needs parameter \"plane\""), std::string::npos) << err;
  // With one (the default), the router's agent and the station can crash.
  EXPECT_EQ(ErrorOf(Minimal(R"(, "management": {"station": "nms"}, "faults": [
    {"at": "5s", "target": "r1", "kind": "plane-crash", "params": {"plane": "management"}},
    {"at": "5s", "target": "nms", "kind": "plane-crash", "params": {"plane": "management"}}])")),
            "");
}

TEST(ScenarioLoader, ExpectationsNameTheMetricsTheKindsDeclare) {
  auto with = [](const std::string& device, const std::string& plane, const std::string& metric) {
    return Minimal(R"(, "expectations": [{"id": "e", "device": ")" + device + R"(", "plane": ")" + plane +
                   R"(", "metric": ")" + metric + R"(", "stat": "max", "op": "<=", "bound": 1}])");
  };
  // A histogram's derived series, a per-neighbour series (the hole filled with a device id), health.
  EXPECT_EQ(ErrorOf(with("r1", "control", "cpu_wait_p99")), "");
  EXPECT_EQ(ErrorOf(with("r1", "control", "bgp_session_state.r2")), "");
  EXPECT_EQ(ErrorOf(with("h1", "data", "latency_count")), "");
  std::string err = ErrorOf(with("r1", "control", "bgp_session_state."));
  EXPECT_NE(err.find("/expectations/0/metric: a router's control plane has no metric \"bgp_session_state.\""),
            std::string::npos) << err;
  err = ErrorOf(with("h1", "data", "loss_rate"));
  EXPECT_NE(err.find("no metric \"loss_rate\"; it has: health.actual, health.reported, requests_sent,"),
            std::string::npos) << err;
  err = ErrorOf(with("h1", "control", "latency_p99"));
  EXPECT_NE(err.find("a host's control plane has no metric"), std::string::npos) << err;
}

TEST(ScenarioLoader, ShippedScenariosAllValidate) {
  int n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(PLANELAB_SOURCE_DIR "/scenarios")) {
    if (e.path().extension() != ".json" || e.path().filename() == "scenario.schema.json") continue;
    EXPECT_NO_THROW(LoadScenarioFile(e.path().string(), Catalog())) << e.path();
    ++n;
  }
  EXPECT_GE(n, 4);
}

}  // namespace planelab

namespace planelab {

// The cluster family asks the Raft core whether its configuration is valid instead of restating the core's rules.
TEST(ClusterSection, TheRaftCoreJudgesTheStoreConfiguration) {
  std::string err = ErrorOf(R"({"name": "t", "duration": "10s", "topology": {},
    "cluster": {"store": {"heartbeat_interval": "1us", "election_timeout": "20min"}}})");
  EXPECT_NE(err.find("/cluster/store: the store's Raft configuration is not valid: "), std::string::npos) << err;
  err = ErrorOf(R"({"name": "t", "duration": "10s", "topology": {},
    "cluster": {"store": {"heartbeat_interval": "100ms", "election_timeout": "300ms"}}})");
  EXPECT_NE(err.find("/cluster/store/election_timeout: the election timeout must be at least 5x"), std::string::npos) << err;
  ClusterSpec cs;
  raft::Config cfg = StoreRaftConfig(cs, 2);
  EXPECT_EQ(cfg.election_tick, 10);  // etcd: 1000 ms / 100 ms
  EXPECT_EQ(cfg.heartbeat_tick, 1);
  EXPECT_EQ(cfg.peers, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_TRUE(cfg.Validate().empty());
}

// A family's section is found by its key, and the composed schema places it before the timeline.
TEST(ScenarioSections, ComposeTheSchemaAndRefuseADuplicateKey) {
  ScenarioSections s;
  s.Add(RoutingSection());
  EXPECT_THROW(s.Add(RoutingSection()), std::logic_error);
  EXPECT_THROW(s.Add(ScenarioSection{"topology", "", ScenarioSection::Stage::kSettings, "{}", [](SectionContext&) {}, {}}),
               std::logic_error);
  const auto& props = s.Schema()["properties"];
  std::vector<std::string> keys;
  for (auto it = props.begin(); it != props.end(); ++it) keys.push_back(it.key());
  auto at = [&](const std::string& k) { return std::find(keys.begin(), keys.end(), k) - keys.begin(); };
  EXPECT_LT(at("management"), at("routing"));
  EXPECT_LT(at("routing"), at("workloads"));
  ASSERT_NE(s.Find("routing"), nullptr);
  EXPECT_EQ(s.Find("cluster"), nullptr);
}

}  // namespace planelab

namespace planelab {

// The routing family asks the BGP speaker whether its settings are valid, and reports each problem at its setting.
TEST(RoutingSection, TheBgpSpeakerJudgesItsSettings) {
  std::string err = ErrorOf(Minimal(R"(, "routing": {"protocol": "bgp", "bgp": {"hold_time": "9.5s", "keepalive": "3s",
    "damping": {"reuse_threshold": 7000}}})"));
  EXPECT_NE(err.find("/routing/bgp/hold_time: hold_time must be whole seconds"), std::string::npos) << err;
  EXPECT_NE(err.find("/routing/bgp/damping/reuse_threshold: damping reuse_threshold must be below suppress_threshold"),
            std::string::npos) << err;
  EXPECT_EQ(ErrorOf(Minimal(R"(, "routing": {"protocol": "bgp", "bgp": {"hold_time": "9s", "keepalive": "3s"}})")), "");
}

}  // namespace planelab

// Issue 14: what the parser refuses rather than reading into garbage, a signal or a silent choice.
namespace planelab {

namespace {
bool Has(const std::string& err, const std::string& needle) { return err.find(needle) != std::string::npos; }
}  // namespace

// Every quantity is range-checked where it is read, and the message states the range (14.3).
TEST(ScenarioLoader, QuantitiesOutsideTheirRangeAreLocatedWithTheRange) {
  struct Case {
    std::string extra, needle;
  };
  const std::string year = "allowed here from 0s to 8760h (one year of simulated time)";
  std::vector<Case> cases = {
      {R"(, "sample_interval": "99999999999h")", "t.json:3: /sample_interval: \"99999999999h\" is out of range: " + year},
      {R"(, "sample_interval": "9000h")", "/sample_interval: \"9000h\" is out of range"},
      {R"(, "management": {"oob_rate": "0bps"})", "/management/oob_rate: \"0bps\" is out of range: allowed here from 1bps to 10Tbps"},
      {R"(, "management": {"oob_rate": "11Tbps"})", "/management/oob_rate: \"11Tbps\" is out of range"},
      {R"(, "management": {"poll_interval": "99999999999h"})", "/management/poll_interval: \"99999999999h\" is out of range"},
      {R"(, "routing": {"hello_interval": "99999999999h"})", "/routing/hello_interval: \"99999999999h\" is out of range: " + year},
      {R"(, "routing": {"bgp": {"damping": {"half_life": "9999h"}}})", "/routing/bgp/damping/half_life: \"9999h\" is out of range"},
      {R"(, "routing": {"bfd": {"interval": "99999999999h"}})", "/routing/bfd/interval: \"99999999999h\" is out of range"},
      {R"(, "workloads": [{"client": "h1", "server": "h2", "rate": "0.0001pps"}])",
       "/workloads/0/rate: \"0.0001pps\" is out of range: allowed here from 0.001pps to 1Mpps"},
      {R"(, "workloads": [{"client": "h1", "server": "h2", "rate": "10pps", "request_size": "99999999999999999999GB"}])",
       "/workloads/0/request_size: \"99999999999999999999GB\" is out of range: allowed here from 16B to 65KB"},
      {R"(, "workloads": [{"client": "h1", "server": "h2", "rate": "10pps", "stop": "99999999999h"}])",
       "/workloads/0/stop: \"99999999999h\" is out of range"},
      {R"(, "expectations": [{"id": "e", "device": "r1", "plane": "control", "metric": "spf_runs", "bound": 0, "to": "99999999999h"}])",
       "/expectations/0/to: \"99999999999h\" is out of range"},
  };
  for (const auto& c : cases) {
    std::string err = ErrorOf(Minimal(c.extra));
    EXPECT_TRUE(Has(err, c.needle)) << c.extra << "\n" << err;
  }
}

TEST(ScenarioLoader, LinkParametersAreCheckedWhereTheyAreWritten) {
  auto topo = [](const std::string& link_fields, const std::string& extra = "") {
    return R"({"name": "t", "duration": "10s", "topology": {)" + extra +
           R"("devices": [{"id": "r1", "kind": "router"}, {"id": "h1", "kind": "host"}],
      "links": [{"a": "h1", "b": "r1")" + link_fields + "}]}}";
  };
  EXPECT_TRUE(Has(ErrorOf(topo(R"(, "rate": "0bps")")), "t.json:2: /topology/links/0/rate: \"0bps\" is out of range: allowed here from 1bps to 10Tbps"));
  EXPECT_TRUE(Has(ErrorOf(topo(R"(, "rate": "99999999999999999999Tbps")")), "/topology/links/0/rate: \"99999999999999999999Tbps\" is out of range"));
  EXPECT_TRUE(Has(ErrorOf(topo(R"(, "delay": "99999999999h")")), "/topology/links/0/delay: \"99999999999h\" is out of range"));
  EXPECT_TRUE(Has(ErrorOf(topo(R"(, "queue": {"size": "99999999999999999999p"})")),
                  "/topology/links/0/queue/size: \"99999999999999999999p\" is not a queue size from 1p to 1000000p, or from 1B to 1GB"));
  EXPECT_TRUE(Has(ErrorOf(topo("", R"("link_defaults": {"rate": "0bps"}, )")), "/topology/link_defaults/rate: \"0bps\" is out of range"));
  std::string gen = R"({"name": "t", "duration": "10s", "topology": {"generate": [{"kind": "line", "routers": 2, "link": {"delay": "9999h"}}]}})";
  EXPECT_TRUE(Has(ErrorOf(gen), "/topology/generate/0/link/delay: \"9999h\" is out of range"));
  // A good value still reads as before.
  Scenario sc = ParseScenarioText(topo(R"(, "rate": "10Tbps", "delay": "8760h", "queue": {"size": "1000000p"})"), "t.json", Catalog());
  EXPECT_EQ(sc.links[0].rate_bps, 10000000000000ULL);
  EXPECT_EQ(sc.links[0].delay, kMaxScenarioTime);
  EXPECT_EQ(sc.links[0].queue.size, "1000000p");
}

// The run's own clock: a duration beyond the range is refused for what it is, not for its samples.
TEST(ScenarioLoader, TheDurationIsRefusedForItsOwnRange) {
  std::string err = ErrorOf(R"({"name": "t", "duration": "99999999999h", "topology": {"devices": [{"id": "r1", "kind": "router"}]}})");
  EXPECT_TRUE(Has(err, "/duration: \"99999999999h\" is out of range: allowed here from 0s to 8760h")) << err;
  EXPECT_FALSE(Has(err, "samples")) << err;
}

TEST(ClusterSection, QuantitiesAreRangeChecked) {
  auto cluster = [](const std::string& body) {
    return R"({"name": "t", "duration": "60s", "topology": {}, "management": {"enabled": false}, "cluster": )" + body + "}";
  };
  std::string err = ErrorOf(cluster(R"({"deployments": [{"name": "web", "replicas": 2, "pod_capacity": "0pps"}],
    "service_clients": [{"service": "web", "rate": "10pps", "response_size": "20MB",
                         "rate_steps": [{"at": "99999999999h", "rate": "0pps"}]}],
    "timers": {"lease_duration": "9999h"}, "link": {"rate": "0bps"}})"));
  for (const char* needle : {"/cluster/deployments/0/pod_capacity: \"0pps\" is out of range: allowed here from 0.001pps to 1Mpps",
                             "/cluster/service_clients/0/response_size: \"20MB\" is out of range: allowed here from 16B to 10MB",
                             "/cluster/service_clients/0/rate_steps/0/at: \"99999999999h\" is out of range",
                             "/cluster/service_clients/0/rate_steps/0/rate: \"0pps\" is out of range",
                             "/cluster/timers/lease_duration: \"9999h\" is out of range",
                             "/cluster/link/rate: \"0bps\" is out of range"}) {
    EXPECT_TRUE(Has(err, needle)) << needle << "\n" << err;
  }
}

// A key given twice is refused with both places (14.4).
TEST(ScenarioLoader, RepeatedKeysAreRefusedWithBothLines) {
  std::string err = ErrorOf("{\"name\": \"t\",\n \"duration\": \"10s\",\n \"topology\": {\"devices\": [{\"id\": \"r1\", \"kind\": \"router\"}]},\n"
                            " \"duration\": \"20s\"}");
  EXPECT_TRUE(Has(err, "t.json:4: /duration: the key \"duration\" is given twice in one object: first at t.json:2, again at t.json:4"))
      << err;
}

// Size and depth are bounded before anything is parsed (14.2).
TEST(ScenarioLoader, DeepNestingAndHugeTextsAreRefusedUpFront) {
  std::string deep = "{\"name\": \"t\",\n\"x\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  std::string err = ErrorOf(deep);
  EXPECT_TRUE(Has(err, "t.json:2: (document): the JSON nests deeper than 64 levels")) << err;
  std::string huge = "{\"name\": \"t\", \"x\": \"" + std::string(kMaxScenarioFileBytes, 'x') + "\"}";
  err = ErrorOf(huge);
  EXPECT_TRUE(Has(err, "t.json: (document): the file is 16,777,238 bytes; a scenario file may be at most 16 MiB")) << err;
}

// Generators and the cluster are sized from their numbers and refused before they are expanded (14.5).
TEST(ScenarioLoader, TopologiesBeyondTheLimitsAreRefusedBeforeExpanding) {
  auto gen = [](const std::string& g) {
    return R"({"name": "t", "duration": "10s", "topology": {"generate": [)" + g + "]}}";
  };
  struct Case {
    std::string generator, needle;
  };
  std::vector<Case> cases = {
      {R"({"kind": "leaf-spine", "spines": 10000, "leaves": 100000, "hosts_per_leaf": 1000})",
       "/topology/generate/0: this leaf-spine generator makes 100,110,000 devices and 1,100,000,000 links; a scenario may "
       "have at most 100,000 devices and 1,000,000 links in all"},
      {R"({"kind": "line", "routers": 100000, "hosts_per_router": 1})", "this line generator makes 200,000 devices"},
      {R"({"kind": "ring", "routers": 1000, "hosts_per_router": 1000})", "this ring generator makes 1,001,000 devices"},
      {R"({"kind": "star", "routers": 100000})", "this star generator makes 100,001 devices and 100,000 links"},
      {R"({"kind": "internet", "transits": 16, "stubs": 10000, "hosts_per_router": 10})",
       "this internet generator makes 110,016 devices and 120,120 links"},
      {R"({"kind": "line", "routers": 60000}, {"kind": "line", "routers": 60000, "prefix": "b"})",
       "/topology/generate/1: this line generator makes 60,000 devices and 59,999 links; a scenario may have at most "
       "100,000 devices and 1,000,000 links in all (60,000 devices and 59,999 links come before it)"},
  };
  for (const auto& c : cases) {
    std::string err = ErrorOf(gen(c.generator));
    EXPECT_TRUE(Has(err, c.needle)) << c.generator << "\n" << err;
  }
  std::string err = ErrorOf(R"({"name": "t", "duration": "60s", "topology": {}, "management": {"enabled": false},
    "cluster": {"nodes": 100000, "spare_slots": 100000}})");
  EXPECT_TRUE(Has(err, "t.json:2: /cluster: this cluster makes")) << err;
}

// The size computed from a generator's numbers is what expanding it makes.
TEST(Generators, SizeFromTheNumbersIsTheExpandedSize) {
  std::vector<GeneratorSpec> specs;
  for (std::string kind : {"line", "ring", "star", "clique"}) {
    for (int routers : {1, 2, 3, 7}) {
      for (int hosts : {0, 1, 3}) {
        GeneratorSpec g;
        g.kind = kind;
        g.routers = routers;
        g.hosts_per_router = hosts;
        specs.push_back(g);
      }
    }
  }
  for (std::string kind : {"leaf-spine", "internet"}) {
    for (int spines : {1, 2, 5}) {
      for (int leaves : {1, 4}) {
        GeneratorSpec g;
        g.kind = kind;
        g.spines = spines;
        g.leaves = leaves;
        g.hosts_per_router = 2;
        specs.push_back(g);
      }
    }
  }
  for (const auto& g : specs) {
    std::vector<DeviceSpec> devices;
    std::vector<LinkSpec> links;
    std::map<std::string, std::vector<std::string>> groups;
    ExpandGenerator(g, &devices, &links, &groups);
    TopologySize size = GeneratorSize(g);
    EXPECT_EQ(size.devices, devices.size()) << g.kind << " " << g.routers << " " << g.spines << "x" << g.leaves;
    EXPECT_EQ(size.links, links.size()) << g.kind << " " << g.routers << " " << g.spines << "x" << g.leaves;
  }
  for (uint32_t nodes : {1u, 40u, 41u, 100u}) {
    for (uint32_t per : {1u, 7u, 40u}) {
      ClusterSpec c;
      c.nodes = nodes;
      c.spare_slots = 3;
      c.nodes_per_rack = per;
      c.clients = 2;
      std::vector<DeviceSpec> devices;
      std::vector<LinkSpec> links;
      std::map<std::string, std::vector<std::string>> groups;
      ExpandCluster(c, &devices, &links, &groups);
      EXPECT_EQ(ClusterSize(c).devices, devices.size()) << nodes << " " << per;
      EXPECT_EQ(ClusterSize(c).links, links.size()) << nodes << " " << per;
    }
  }
}

}  // namespace planelab

namespace planelab {

// A problem quoting a value of megabytes is shown with its start and its end, not the whole value.
TEST(ScenarioLoader, HugeValuesAreShortenedInMessages) {
  std::string text = R"({"name": "t", "duration": "10s", "topology": {}, "routing": {"protocol": ")" +
                     std::string(200000, 'x') + R"("}})";
  std::string err = ErrorOf(text);
  EXPECT_LT(err.size(), 1200u) << err.size();
  EXPECT_EQ(err.find("t.json:1: /routing/protocol: \"xxxx"), 0u) << err.substr(0, 200);
  EXPECT_NE(err.find(" bytes left out ...] "), std::string::npos);
  EXPECT_NE(err.find("is not allowed; use one of: link-state, bgp"), std::string::npos) << err.substr(err.size() - 200);
  // The problem itself keeps what it found.
  try {
    ParseScenarioText(text, "t.json", Catalog());
  } catch (const ScenarioError& e) {
    EXPECT_GT(e.problems().front().message.size(), 200000u);
  }
}

// valijson's patterns are std::regex, which recurses once per character: a 200,000-character id overflowed the stack.
TEST(ScenarioLoader, LongStringsAreRefusedBeforeThePatternsSeeThem) {
  std::string err = ErrorOf(R"({"name": ")" + std::string(200000, 'x') + R"(", "duration": "10s", "topology": {},
    "workloads": [{"client": "h1", "server": "h2", "rate": ")" + std::string(100000, '1') + R"(pps"}]})");
  EXPECT_NE(err.find("t.json:1: /name: a string of 200,000 characters where an id (at most 64 characters) is expected; "
                     "at most 256 are read"), std::string::npos) << err.substr(0, 300);
  EXPECT_NE(err.find("t.json:2: /workloads/0/rate: a string of 100,003 characters where a packet rate is expected"),
            std::string::npos) << err.substr(0, 600);
  // Long strings without a pattern (descriptions) are read as before.
  EXPECT_EQ(ErrorOf(Minimal(R"(, "description": ")" + std::string(200000, 'x') + "\"")), "");
}

// A noisy neighbour's operations are 1e9 / neighbor_iops ns apart: 0 or 0.001..1e6 (10^12 made the gap 0ns and the
// disk model loop forever).
TEST(FaultKinds, NeighbourIopsIsBounded) {
  auto with = [](const std::string& iops) {
    return ErrorOf(R"({"name": "t", "duration": "60s", "topology": {}, "management": {"enabled": false},
      "cluster": {"nodes": 1},
      "faults": [{"at": "10s", "target": "etcd-1", "kind": "disk-pressure", "params": {"neighbor_iops": )" + iops + "}}]}");
  };
  EXPECT_EQ(with("0"), "");
  EXPECT_EQ(with("1000000"), "");
  for (const char* bad : {"1e12", "0.0000001"}) {
    EXPECT_NE(with(bad).find("/faults/0/params/neighbor_iops: parameter \"neighbor_iops\": 0 (no neighbour) or from 0.001 to "
                             "1000000 operations per second"),
              std::string::npos)
        << bad << "\n" << with(bad);
  }
}

}  // namespace planelab
