// Metric declarations and the device-kind catalogue derived from them: a kind's entry is its planes' tables.
#include "sim/scenario/kind_catalog.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "models/apiserver/control/api_server_control_metrics.h"
#include "models/cluster/cluster_kinds.h"
#include "models/host/host_data_metrics.h"
#include "models/host/host_kind.h"
#include "models/monitor/monitor_kind.h"
#include "models/router/control/router_control_metrics.h"
#include "models/router/data/router_data_metrics.h"
#include "models/router/mgmt/router_mgmt_metrics.h"
#include "models/router/router_kind.h"
#include "sim/core/link_metrics.h"

namespace planelab {

namespace {

/// Every kind PlaneLab ships, registered the way models/models.cc does, without the kernel.
const KindCatalog& Kinds() {
  static const KindCatalog kinds = [] {
    KindCatalog k;
    k.Add(RouterKind());
    k.Add(HostKind());
    k.Add(MonitorKind());
    for (DeviceKindDecl& d : ClusterKinds()) k.Add(std::move(d));
    k.Add(LinkKind());
    return k;
  }();
  return kinds;
}

/// What a kind's catalogue entry must be: each table's series, in order, on the table's plane.
std::vector<MetricDoc> Expand(const std::vector<const MetricTable*>& tables) {
  std::vector<MetricDoc> out;
  for (const MetricTable* t : tables) {
    for (const MetricDecl* d : t->metrics()) {
      EXPECT_EQ(d->plane, t->plane()) << d->name;
      for (const SeriesDoc& s : d->Series()) out.push_back({ToString(t->plane()), s.name, s.unit, s.kind, s.help, t->only()});
    }
  }
  return out;
}

bool operator==(const MetricDoc& a, const MetricDoc& b) {
  return a.plane == b.plane && a.name == b.name && a.unit == b.unit && a.kind == b.kind && a.help == b.help &&
         a.only == b.only;
}

struct TwoTables : MetricTable {
  explicit TwoTables(Plane p) : MetricTable(p) {}
  const CounterDecl& sent = DeclareCounter("sent", "messages", "messages sent");
};

}  // namespace

TEST(MetricDecl, AHistogramRecordsThreeSeriesAsTheRegistryNamesThem) {
  const HistogramDecl& wait = RouterControlMetrics::Get().cpu_wait;
  auto s = wait.Series();
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].name, "cpu_wait_p50");
  EXPECT_EQ(s[0].kind, "histogram-p50");
  EXPECT_EQ(s[0].unit, "s");
  EXPECT_EQ(s[0].help, "queueing delay of control work (median of the interval)");
  EXPECT_EQ(s[1].name, "cpu_wait_p99");
  EXPECT_EQ(s[2].name, "cpu_wait_count");
  EXPECT_EQ(s[2].unit, "1");  // a count, whatever the histogram's unit
  EXPECT_EQ(s[2].kind, "histogram-count");
}

TEST(MetricDecl, AnInstanceFillsTheHoleInNameAndHelp) {
  const GaugeDecl& state = BgpControlMetrics::Get().bgp_session_state;
  EXPECT_EQ(state.hole(), "neighbour");
  GaugeDecl r4 = state.Instance("r4");
  EXPECT_EQ(r4.name, "bgp_session_state.r4");
  EXPECT_EQ(r4.help.rfind("state of the session with r4 as BGP4-MIB bgpPeerState: 1 idle,", 0), 0u) << r4.help;
  EXPECT_EQ(r4.hole(), "");
  // An open hole stays open in the catalogue; a closed one lists its instances.
  ASSERT_EQ(state.Series().size(), 1u);
  EXPECT_EQ(state.Series()[0].name, "bgp_session_state.<neighbour>");
  const CounterDecl& requests = ApiServerControlMetrics::Get().requests;
  std::vector<std::string> names;
  for (const auto& s : requests.Series()) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"requests_get", "requests_list", "requests_create", "requests_update",
                                             "requests_delete", "requests_watch"}));
  EXPECT_EQ(requests.Instance("watch").help, "apiserver_request_total{verb=watch}");
  EXPECT_THROW(requests.Instance("patch"), std::logic_error);
  EXPECT_THROW(RouterDataMetrics::Get().fib_routes.Instance("x"), std::logic_error);
}

TEST(KindCatalog, AKindsEntryIsItsPlanesTables) {
  const DeviceKindDoc* router = Kinds().Find("router");
  ASSERT_NE(router, nullptr);
  EXPECT_EQ(router->planes, (std::vector<std::string>{"data", "control", "management"}));
  std::vector<MetricDoc> want = Expand({&RouterDataMetrics::Get(), &RouterControlMetrics::Get(),
                                        &LinkStateControlMetrics::Get(), &BgpControlMetrics::Get(),
                                        &RouterMgmtMetrics::Get()});
  ASSERT_EQ(router->metrics.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_TRUE(router->metrics[i] == want[i]) << want[i].name;

  const DeviceKindDoc* host = Kinds().Find("host");
  ASSERT_NE(host, nullptr);
  EXPECT_EQ(host->planes, (std::vector<std::string>{"data"}));
  want = Expand({&HostDataMetrics::Get()});
  ASSERT_EQ(host->metrics.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_TRUE(host->metrics[i] == want[i]) << want[i].name;

  // Every kind: its entry is its tables, each plane it lists has a table, no plane records a name twice.
  std::set<std::string> kinds;
  for (const DeviceKindDoc& k : Kinds().all()) {
    kinds.insert(k.kind);
    EXPECT_FALSE(k.help.empty()) << k.kind;
    want = Expand(k.tables);
    ASSERT_EQ(k.metrics.size(), want.size()) << k.kind;
    for (size_t i = 0; i < want.size(); ++i) EXPECT_TRUE(k.metrics[i] == want[i]) << k.kind << " " << want[i].name;
    std::set<std::string> planes, names;
    for (const MetricTable* t : k.tables) planes.insert(ToString(t->plane()));
    EXPECT_EQ(planes, std::set<std::string>(k.planes.begin(), k.planes.end())) << k.kind;
    for (const MetricDoc& m : k.metrics) EXPECT_TRUE(names.insert(m.plane + "." + m.name).second) << k.kind << m.name;
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"router", "host", "monitor", "store-member", "api-server",
                                          "controller-manager", "node", "cloud-api", "service-client", "link"}));
}

TEST(KindCatalog, MatchesRecordedNamesAgainstTheDeclarations) {
  const KindCatalog& k = Kinds();
  EXPECT_TRUE(k.HasMetric("router", "control", "bgp_session_state.r4"));
  EXPECT_FALSE(k.HasMetric("router", "control", "bgp_session_state."));
  EXPECT_FALSE(k.HasMetric("router", "data", "bgp_session_state.r4"));
  EXPECT_TRUE(k.HasMetric("router", "control", "convergence_p99"));
  EXPECT_FALSE(k.HasMetric("router", "control", "convergence"));  // a histogram is recorded as its three series
  EXPECT_TRUE(k.HasMetric("api-server", "control", "latency_delete_count"));
  EXPECT_FALSE(k.HasMetric("api-server", "control", "latency_patch_p99"));
  EXPECT_TRUE(k.HasMetric("store-member", "control", "safety_violations"));
  EXPECT_TRUE(k.HasMetric("host", "data", "health.reported"));
  EXPECT_FALSE(k.HasMetric("host", "control", "health.actual"));  // hosts have no control plane
  EXPECT_FALSE(k.HasMetric("toaster", "data", "health.actual"));
  std::string value;
  MetricDoc pattern{"control", "bgp_session_state.<neighbour>", "state", "gauge", "", "BGP"};
  EXPECT_TRUE(MatchesMetric(pattern, "bgp_session_state.edge-7", &value));
  EXPECT_EQ(value, "edge-7");
}

TEST(KindCatalog, RefusesAKindTwiceAndASeriesTwiceOnAPlane) {
  KindCatalog k;
  k.Add(HostKind());
  EXPECT_THROW(k.Add(HostKind()), std::logic_error);
  static const TwoTables a(Plane::kControl), b(Plane::kControl), c(Plane::kData);
  EXPECT_THROW(k.Add({"twice", "two tables declare control.sent", {&a, &b}}), std::logic_error);
  EXPECT_NO_THROW(k.Add({"once-a-plane", "data.sent and control.sent", {&a, &c}}));
}

}  // namespace planelab
