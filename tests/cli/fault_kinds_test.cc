// Issue 13, "a fault kind lives in one place": the docs are printed from the kinds' declarations, and plane-crash
// is served by the plane actors themselves, so every device kind has it: each plane of each kind crashes (health
// down, lifecycle crashed), restarts, and is working again afterwards.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cli_test_util.h"
#include "sim/trace/run_reader.h"

namespace planelab::testing {

namespace {

using nlohmann::json;

constexpr int kFirst = 10, kLength = 4, kGap = 6, kTail = 20;

struct Crashed {
  std::string device, plane;
  int at = 0;
};

json Load(const std::string& rel) { return json::parse(ReadFile(std::string(PLANELAB_SOURCE_DIR) + "/" + rel)); }

/// Runs `doc` once as it is (to learn its devices and their planes), then again with a plane-crash of every plane
/// of every device, one after another; checks each crash and returns what was crashed.
std::vector<Crashed> CrashEveryPlane(json doc, const std::string& name) {
  doc.erase("expectations");
  doc.erase("faults");
  doc["name"] = name;
  std::string file = FreshPath(name + ".json");
  std::ofstream(file) << doc.dump(1);
  std::string plain = FreshPath(name + "-plain");
  CmdResult r = RunPlanelab("run " + file + " --quiet --out " + plain);
  EXPECT_EQ(r.code, 0) << r.err;
  json summary = json::parse(ReadFile(plain + "/summary.json"));

  std::vector<Crashed> crashed;
  json faults = json::array();
  int at = kFirst;
  for (auto d = summary["devices"].begin(); d != summary["devices"].end(); ++d) {
    // Slots of the cloud that never held an instance have nothing to crash.
    bool present = false;
    for (auto p = d.value().begin(); p != d.value().end(); ++p) {
      for (const auto& iv : p.value()) present |= iv["actual"] != "absent";
    }
    if (!present) continue;
    for (auto p = d.value().begin(); p != d.value().end(); ++p) {
      crashed.push_back({d.key(), p.key(), at});
      faults.push_back({{"at", std::to_string(at) + "s"},
                        {"until", std::to_string(at + kLength) + "s"},
                        {"target", d.key()},
                        {"kind", "plane-crash"},
                        {"params", {{"plane", p.key()}}}});
      at += kGap;
    }
  }
  doc["faults"] = faults;
  doc["duration"] = std::to_string(at + kTail) + "s";
  std::ofstream(file) << doc.dump(1);
  std::string out = FreshPath(name);
  r = RunPlanelab("run " + file + " --quiet --out " + out);
  EXPECT_EQ(r.code, 0) << r.err;
  RunStoreReader store(out + "/run.sqlite");
  for (const auto& c : crashed) {
    std::string where = "device = '" + c.device + "' AND plane = '" + c.plane + "'";
    // Down, measured, at every sample of its window; the lifecycle says why.
    EXPECT_EQ(store.QueryInt("SELECT count(*) FROM health WHERE " + where + " AND actual = 'down' AND t_s > " +
                             std::to_string(c.at) + " AND t_s <= " + std::to_string(c.at + kLength)),
              kLength)
        << c.device << " " << c.plane;
    EXPECT_EQ(store.QueryInt("SELECT count(*) FROM events WHERE " + where +
                             " AND kind = 'lifecycle' AND detail LIKE '%\"reason\":\"plane-crash\",\"to\":\"crashed\"%'"),
              1)
        << c.device << " " << c.plane;
    // Back: its lifecycle turned up at the restart, and it is not measured down at the end of the run.
    EXPECT_EQ(store.QueryInt("SELECT count(*) FROM events WHERE " + where +
                             " AND kind = 'lifecycle' AND detail LIKE '%\"from\":\"crashed\"%\"to\":\"up\"%' AND t_s = " +
                             std::to_string(c.at + kLength)),
              1)
        << c.device << " " << c.plane;
    EXPECT_EQ(store.QueryInt("SELECT count(*) FROM health WHERE " + where + " AND actual = 'down' AND t_s = " +
                             std::to_string(at + kTail)),
              0)
        << c.device << " " << c.plane << " is still down at the end";
  }
  return crashed;
}

}  // namespace

TEST(FaultKinds, TheDocsTableIsPrintedFromTheDeclarations) {
  CmdResult r = RunPlanelab("faults --markdown");
  ASSERT_EQ(r.code, 0);
  std::string docs = ReadFile(std::string(PLANELAB_SOURCE_DIR) + "/docs/scenarios.md");
  EXPECT_NE(docs.find(r.out), std::string::npos)
      << "docs/scenarios.md's table of fault kinds is not `planelab faults --markdown`; paste this in:\n" << r.out;
}

TEST(FaultKinds, ListingShowsParamsAsDeclared) {
  CmdResult r = RunPlanelab("faults --json");
  ASSERT_EQ(r.code, 0);
  std::map<std::string, json> kinds;
  for (const auto& k : json::parse(r.out)) kinds[k["kind"]] = k;
  ASSERT_TRUE(kinds.count("plane-crash"));
  EXPECT_EQ(kinds["plane-crash"]["target"], "any");
  EXPECT_EQ(kinds["plane-crash"]["params"][0]["name"], "plane");
  EXPECT_TRUE(kinds["plane-crash"]["params"][0]["required"].get<bool>());
  EXPECT_EQ(kinds["store-member-crash"]["crashes"], json({"control", "data"}));
  EXPECT_EQ(kinds["link-flap"]["params"][1]["default"], "2s");
  CmdResult text = RunPlanelab("faults");
  EXPECT_NE(text.out.find("param:   plane (choice, required)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("target:  any device id, or the station"), std::string::npos) << text.out;
}

TEST(PlaneCrash, EveryPlaneOfEveryDeviceKindCrashesAndComesBack) {
  // Routers with agents, hosts and the station; and a cluster: store members, API server, controllers, nodes,
  // the cloud, a service client, and its (unmanaged) routers.
  json routers = Load("scenarios/incidents/oob-management-down.json");
  json cluster = Load("scenarios/incidents/cni-broken.json");
  json sdn = Load("scenarios/basics/sdn-fabric.json");
  sdn["sdn_controller"]["northbound"] = json::object();  // the controllers' management plane (northbound API)
  json ceph = Load("scenarios/incidents/storage-data-failure.json");
  cluster["cluster"]["nodes"] = 2;
  cluster["cluster"]["deployments"][0]["replicas"] = 4;
  cluster["cluster"]["service_clients"][0]["rate"] = "100pps";
  std::set<std::string> planes_crashed;
  for (const auto& c : CrashEveryPlane(routers, "crash-routers")) planes_crashed.insert(c.device + "/" + c.plane);
  for (const auto& c : CrashEveryPlane(cluster, "crash-cluster")) planes_crashed.insert(c.device + "/" + c.plane);
  // An SDN fabric: managed switches (data, control, management), controllers, the control network's router.
  for (const auto& c : CrashEveryPlane(sdn, "crash-sdn")) planes_crashed.insert("sdn:" + c.device + "/" + c.plane);
  // The same cluster in a service mesh: its 22 planes with sidecars, and istiod's control and management.
  json mesh = cluster;
  mesh["mesh"] = json::object();
  for (const auto& c : CrashEveryPlane(mesh, "crash-mesh")) planes_crashed.insert("mesh:" + c.device + "/" + c.plane);
  // A storage cluster: monitors (control), OSDs and clients (data, control), its router.
  for (const auto& c : CrashEveryPlane(ceph, "crash-ceph")) planes_crashed.insert("ceph:" + c.device + "/" + c.plane);
  // r1-r3 x 3, h1, h3, nms; the cluster's 22 planes; the fabric's 5 switches x 3, 3 controllers x 2 (control and
  // the northbound API), ctl x 3, 6 hosts, nms; the meshed cluster's 22 + 2; the storage cluster's 3 monitors,
  // 4 OSDs x 2, 2 clients x 2, tor x 2 (unmanaged)
  EXPECT_EQ(planes_crashed.size(), 12u + 22u + 31u + 24u + 17u);
  // Every device kind PlaneLab models is among them, with each of its planes.
  std::map<std::string, std::string> example = {{"router", "r2"},           {"host", "h1"},
                                                {"monitor", "nms"},         {"store-member", "etcd-1"},
                                                {"api-server", "apiserver"}, {"controller-manager", "controllers"},
                                                {"node", "node-1"},         {"cloud-api", "cloud"},
                                                {"service-client", "client-1"}, {"switch", "sdn:leaf1"},
                                                {"sdn-controller", "sdn:c1"}, {"istiod", "mesh:istiod"},
                                                {"ceph-mon", "ceph:mon-1"}, {"ceph-osd", "ceph:osd-0"},
                                                {"ceph-client", "ceph:vm-1"}};
  CmdResult kinds = RunPlanelab("kinds --json");
  ASSERT_EQ(kinds.code, 0);
  for (const auto& k : json::parse(kinds.out)) {
    std::string kind = k["kind"];
    if (kind == "link") continue;
    ASSERT_TRUE(example.count(kind)) << "a new device kind: add a device of it to this test (" << kind << ")";
    for (const auto& p : k["planes"]) {
      EXPECT_TRUE(planes_crashed.count(example[kind] + "/" + p.get<std::string>())) << kind << " " << p;
    }
  }
}

}  // namespace planelab::testing
