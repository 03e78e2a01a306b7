// JSON-pointer overrides of scenario documents (sim/experiment/overrides.h).
#include "sim/experiment/overrides.h"

#include <gtest/gtest.h>

#include "sim/scenario/scenario_error.h"
#include "sim/scenario/scenario_loader.h"

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

// Issue 14: what the loader refuses before it parses is refused before the overrides parse and rewrite the text: a
// repeated key would be lost in the rewritten document, and 100,000 nested lists overflowed the stack when dumped.
TEST(Overrides, TheLoadersTextChecksComeFirst) {
  auto error_of = [](const std::string& doc) -> std::string {
    try {
      ApplyOverrides(doc, "d.json", {ParseOverride("/duration=20s")});
    } catch (const ScenarioError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error_of("{\"duration\": \"1s\",\n \"duration\": \"2s\"}")
                .find("d.json:2: /duration: the key \"duration\" is given twice in one object: first at d.json:1"),
            std::string::npos);
  std::string deep = "{\"x\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_NE(error_of(deep).find("d.json:1: (document): the JSON nests deeper than 64 levels"), std::string::npos);
  EXPECT_NE(error_of("{\"x\": \"" + std::string(kMaxScenarioFileBytes, 'x') + "\"}").find("a scenario file may be at most 16 MiB"),
            std::string::npos);
  // Broken JSON is left to the loader, which says where.
  EXPECT_EQ(error_of("{\"a\": 1 \"a\": 2}"), "");
}
