#include "sim/fault/fault_catalog.h"

#include <gtest/gtest.h>

namespace planelab {

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

TEST(FaultCatalog, ParamsAreChecked) {
  const FaultKind& k = *FindFaultKind("link-degrade");
  EXPECT_EQ(CheckFaultParams(k, {{"loss", "0.1"}, {"extra_delay", "20ms"}}), "");
  EXPECT_NE(CheckFaultParams(k, {{"loss", "1.5"}}).find("not a ratio"), std::string::npos);
  EXPECT_NE(CheckFaultParams(k, {{"extra_delay", "20"}}).find("not a duration"), std::string::npos);
  EXPECT_NE(CheckFaultParams(k, {{"jitter", "1ms"}}).find("allowed: loss, extra_delay, rate"), std::string::npos);
  EXPECT_EQ(FaultParamOr(k, {}, "loss"), "0");
  const FaultKind& cpu = *FindFaultKind("control-cpu-saturation");
  EXPECT_EQ(FaultParamOr(cpu, {}, "load"), "0.98");
  EXPECT_NE(CheckFaultParams(cpu, {{"load", "1"}}), "");
}

}  // namespace planelab
