#include "sim/fault/fault_catalog.h"

#include <gtest/gtest.h>

namespace planelab {

namespace {
// Parses `text` as `kind`'s params; returns the problems as "name: message" lines.
std::vector<std::string> ProblemsOf(const std::string& kind, const FaultParamText& text) {
  FaultProblems problems;
  std::any parsed = FindFaultKind(kind)->parse(text, problems);
  EXPECT_EQ(parsed.has_value(), problems.empty()) << kind;
  std::vector<std::string> out;
  for (const auto& [name, message] : problems.items()) out.push_back(name + ": " + message);
  return out;
}
bool Mentions(const std::vector<std::string>& problems, const std::string& needle) {
  for (const auto& p : problems) {
    if (p.find(needle) != std::string::npos) return true;
  }
  return false;
}
}  // namespace

TEST(FaultCatalog, EveryIssueFaultIsThereWithItsPlane) {
  std::map<std::string, std::string> expected = {{"asic-dead", "data"},
                                                 {"link-down", "data"},
                                                 {"link-degrade", "data"},
                                                 {"control-cpu-saturation", "control"},
                                                 {"mgmt-oob-down", "management"}};
  for (const auto& [name, plane] : expected) {
    const FaultKind* k = FindFaultKind(name);
    ASSERT_NE(k, nullptr) << name;
    EXPECT_EQ(k->plane, plane);
    EXPECT_FALSE(k->effect.empty());
    EXPECT_FALSE(k->follows.empty());
  }
  EXPECT_EQ(FindFaultKind("nope"), nullptr);
}

// Issue 13: each kind parses its own params into its struct, with the defaults it documents.
TEST(FaultCatalog, ParamsParseIntoTheKindsStructWithItsDefaults) {
  FaultProblems problems;
  std::any a = FindFaultKind("link-degrade")->parse({{"loss", "0.1"}, {"extra_delay", "20ms"}}, problems);
  ASSERT_TRUE(problems.empty());
  const auto& degrade = std::any_cast<const LinkDegradeParams&>(a);
  EXPECT_DOUBLE_EQ(degrade.loss, 0.1);
  EXPECT_EQ(degrade.extra_delay, 20 * kMs);
  EXPECT_FALSE(degrade.rate.has_value());

  a = FindFaultKind("link-flap")->parse({}, problems);
  EXPECT_EQ(std::any_cast<const LinkFlapParams&>(a).period, 10 * kSec);
  EXPECT_EQ(std::any_cast<const LinkFlapParams&>(a).down_for, 2 * kSec);
  a = FindFaultKind("control-cpu-saturation")->parse({}, problems);
  EXPECT_DOUBLE_EQ(std::any_cast<const ControlCpuSaturationParams&>(a).load, 0.98);
  a = FindFaultKind("store-partition")->parse({{"from", "etcd-2,etcd-3"}}, problems);
  EXPECT_EQ(std::any_cast<const StorePartitionParams&>(a).from, (std::vector<std::string>{"etcd-2", "etcd-3"}));
  a = FindFaultKind("plane-crash")->parse({{"plane", "management"}}, problems);
  EXPECT_EQ(std::any_cast<const PlaneCrashParams&>(a).plane, "management");
  EXPECT_TRUE(problems.empty());
}

TEST(FaultCatalog, ParamsAreCheckedAndUnknownOnesRefused) {
  EXPECT_TRUE(ProblemsOf("link-degrade", {{"loss", "0.1"}, {"extra_delay", "20ms"}, {"rate", "10Mbps"}}).empty());
  EXPECT_TRUE(Mentions(ProblemsOf("link-degrade", {{"loss", "1.5"}}), "loss: parameter \"loss\": \"1.5\" is not a ratio"));
  EXPECT_TRUE(Mentions(ProblemsOf("link-degrade", {{"extra_delay", "20"}}), "not a duration"));
  EXPECT_TRUE(Mentions(ProblemsOf("link-degrade", {{"rate", "fast"}}), "not a bit rate"));
  EXPECT_TRUE(Mentions(ProblemsOf("link-degrade", {{"jitter", "1ms"}}),
                       "jitter: fault kind \"link-degrade\" has no parameter \"jitter\"; allowed: loss, extra_delay, rate"));
  EXPECT_TRUE(Mentions(ProblemsOf("asic-dead", {{"x", "1"}}), "allowed: none"));
  EXPECT_TRUE(Mentions(ProblemsOf("control-cpu-saturation", {{"load", "1"}}), "load: parameter \"load\": at most 0.999"));
  EXPECT_TRUE(Mentions(ProblemsOf("disk-pressure", {{"neighbor_iops", "-3"}}), "is not a number of 0 or more"));
  EXPECT_TRUE(Mentions(ProblemsOf("bgp-session-flap", {{"peer", ""}}), "parameter \"peer\" is empty"));
}

// The checks across parameters live with the kind, not in the loader.
TEST(FaultCatalog, CrossParameterChecksLiveWithTheKind) {
  EXPECT_TRUE(Mentions(ProblemsOf("link-flap", {{"period", "2s"}}),
                       "down_for: down_for must be above zero and shorter than period"));
  EXPECT_TRUE(Mentions(ProblemsOf("link-flap", {{"period", "10s"}, {"down_for", "0s"}}), "down_for must be above zero"));
  EXPECT_TRUE(ProblemsOf("link-flap", {{"period", "5s"}, {"down_for", "1s"}}).empty());
  EXPECT_TRUE(Mentions(ProblemsOf("bgp-session-flap", {{"period", "0s"}}), "period: the period must be longer than zero"));
  // A check across parameters waits for each to parse: one problem, not two.
  EXPECT_EQ(ProblemsOf("link-flap", {{"period", "often"}}).size(), 1u);
}

TEST(FaultCatalog, PlaneCrashNeedsAPlaneItKnows) {
  EXPECT_TRUE(Mentions(ProblemsOf("plane-crash", {}), ": fault kind \"plane-crash\" needs parameter \"plane\""));
  EXPECT_TRUE(Mentions(ProblemsOf("plane-crash", {{"plane", "dta"}}),
                       "plane: parameter \"plane\": \"dta\" is not one of data, control, management"));
}

// The documentation is the declaration: names, types and defaults as the structs hold them.
TEST(FaultCatalog, DocumentationIsDerivedFromTheDeclaration) {
  auto doc = [](const std::string& kind, const std::string& param) {
    for (const auto& p : FindFaultKind(kind)->params) {
      if (p.name == param) return p.type + " " + (p.required ? "required" : p.default_value);
    }
    return std::string("missing");
  };
  EXPECT_EQ(doc("link-flap", "period"), "duration 10s");
  EXPECT_EQ(doc("link-flap", "down_for"), "duration 2s");
  EXPECT_EQ(doc("link-degrade", "loss"), "ratio 0");
  EXPECT_EQ(doc("link-degrade", "rate"), "bitrate ");
  EXPECT_EQ(doc("control-cpu-saturation", "load"), "ratio 0.98");
  EXPECT_EQ(doc("disk-pressure", "neighbor_iops"), "number 0");
  EXPECT_EQ(doc("provisioning-api-degraded", "error_rate"), "ratio 1");
  EXPECT_EQ(doc("plane-crash", "plane"), "choice required");
  EXPECT_EQ(FindFaultKind("store-member-crash")->crashes, (std::vector<std::string>{"control", "data"}));
  EXPECT_EQ(FindFaultKind("bgp-daemon-crash")->crashes, (std::vector<std::string>{"control"}));
}

}  // namespace planelab
