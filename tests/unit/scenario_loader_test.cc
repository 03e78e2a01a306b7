#include "sim/scenario/scenario_loader.h"

#include <gtest/gtest.h>

#include <any>
#include <filesystem>

#include "sim/fault/fault_kinds.h"

namespace planelab {

namespace {
std::string Minimal(const std::string& extra = "") {
  return R"({"name": "t", "duration": "10s",
  "topology": {"devices": [{"id": "r1", "kind": "router"}, {"id": "h1", "kind": "host"}, {"id": "h2", "kind": "host"}],
               "links": [{"a": "h1", "b": "r1"}, {"a": "h2", "b": "r1", "rate": "10Mbps", "delay": "5ms"}]})" +
         extra + "}";
}
std::string ErrorOf(const std::string& text) {
  try {
    ParseScenarioText(text, "t.json");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(ScenarioLoader, MinimalScenarioGetsDefaults) {
  Scenario sc = ParseScenarioText(Minimal(), "t.json");
  EXPECT_EQ(sc.name, "t");
  EXPECT_EQ(sc.duration, 10 * kSec);
  EXPECT_EQ(sc.seed, 1u);
  ASSERT_EQ(sc.links.size(), 2u);
  EXPECT_EQ(sc.links[0].id, "h1-r1");
  EXPECT_EQ(sc.links[0].rate_bps, 1000000000ULL);
  EXPECT_EQ(sc.links[1].rate_bps, 10000000ULL);
  EXPECT_EQ(sc.links[1].delay, 5 * kMs);
  // Real systems' defaults: OSPF timers (RFC 2328 C.3) and net-snmp's 1 s timeout.
  EXPECT_EQ(sc.routing.hello_interval, 10 * kSec);
  EXPECT_EQ(sc.routing.dead_interval, 40 * kSec);
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

// Issue 13: the loader parses a fault's params with its kind's declaration and hands the struct on.
TEST(ScenarioLoader, FaultParamsArriveParsed) {
  Scenario sc = ParseScenarioText(Minimal(R"(, "faults": [
    {"at": "5s", "target": "h1-r1", "kind": "link-flap", "params": {"period": "4s"}},
    {"at": "5s", "target": "r1", "kind": "plane-crash", "params": {"plane": "control"}}])"), "t.json");
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

TEST(ScenarioLoader, ShippedScenariosAllValidate) {
  int n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(PLANELAB_SOURCE_DIR "/scenarios")) {
    if (e.path().extension() != ".json" || e.path().filename() == "scenario.schema.json") continue;
    EXPECT_NO_THROW(LoadScenarioFile(e.path().string())) << e.path();
    ++n;
  }
  EXPECT_GE(n, 4);
}

}  // namespace planelab
