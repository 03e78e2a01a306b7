// JSON-pointer overrides of scenario documents (sim/experiment/overrides.h).
#include "sim/experiment/overrides.h"

#include <gtest/gtest.h>

#include "sim/scenario/scenario_error.h"

using namespace planelab;
using namespace planelab::experiment;

TEST(Overrides, ValueIsJsonWhenItParsesElseAString) {
  EXPECT_EQ(ParseOverride("/a=800").value, 800);
  EXPECT_EQ(ParseOverride("/a=800ms").value, "800ms");
  EXPECT_EQ(ParseOverride("/a=\"x\"").value, "x");
  EXPECT_EQ(ParseOverride("/a=[1,2]").value.size(), 2u);
  EXPECT_EQ(ParseOverride("/a/b=c=d").value, "c=d");
  EXPECT_THROW(ParseOverride("a=1"), std::invalid_argument);
  EXPECT_THROW(ParseOverride("/a"), std::invalid_argument);
}

TEST(Overrides, AppliesInPlaceKeepingKeyOrder) {
  std::string doc = R"({"z": 1, "a": {"list": [1, 2], "k": "v"}})";
  std::string out = ApplyOverrides(doc, "d.json", {ParseOverride("/a/list/1=5"), ParseOverride("/a/new=true"),
                                                   ParseOverride("/a/list/-=9")});
  auto j = nlohmann::ordered_json::parse(out);
  EXPECT_EQ(j["a"]["list"], nlohmann::ordered_json({1, 5, 9}));
  EXPECT_EQ(j["a"]["new"], true);
  EXPECT_EQ(j.begin().key(), "z");
}

TEST(Overrides, AMissingParentIsALocatedError) {
  std::string doc = R"({"faults": [{"until": "1s"}]})";
  try {
    ApplyOverrides(doc, "d.json", {ParseOverride("/faults/3/until=2s")});
    FAIL();
  } catch (const ScenarioError& e) {
    ASSERT_EQ(e.problems().size(), 1u);
    EXPECT_EQ(e.problems()[0].file, "d.json");
    EXPECT_EQ(e.problems()[0].pointer, "/faults");
    EXPECT_NE(e.problems()[0].message.find("no item 3"), std::string::npos);
  }
  EXPECT_THROW(ApplyOverrides(doc, "d.json", {ParseOverride("/nope/x=1")}), ScenarioError);
  EXPECT_THROW(ApplyOverrides(doc, "d.json", {ParseOverride("/faults/0/until/x=1")}), ScenarioError);
  EXPECT_EQ(OverriddenPath("d.json", {ParseOverride("/x=1")}), "d.json (with --set /x=1)");
}
