// The catalogue of broken scenario files: each must be refused with a clear message and exit code 2,
// and `run` must leave nothing behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"

namespace planelab::testing {

namespace fs = std::filesystem;

TEST(BrokenScenarios, EachIsRefusedWithItsMessage) {
  std::string dir = std::string(PLANELAB_SOURCE_DIR) + "/tests/scenarios/broken";
  nlohmann::json expected = nlohmann::json::parse(ReadFile(dir + "/expected.json"));
  ASSERT_GE(expected.size(), 20u);
  for (auto it = expected.begin(); it != expected.end(); ++it) {
    std::string file = "tests/scenarios/broken/" + it.key();
    CmdResult v = RunPlanelab("validate " + file);
    EXPECT_EQ(v.code, 2) << file << "\n" << v.err;
    EXPECT_EQ(v.err.rfind("error: " + file, 0), 0u) << "the message must start by naming the file: " << v.err;
    for (const auto& needle : it.value()["contains"]) {
      EXPECT_NE(v.err.find(needle.get<std::string>()), std::string::npos) << file << " lacks \"" << needle << "\":\n" << v.err;
    }
    int line = it.value().value("line", 0);
    if (line > 0) {
      EXPECT_NE(v.err.find(file + ":" + std::to_string(line) + ":"), std::string::npos) << file << " line\n" << v.err;
    }
  }
}

TEST(BrokenScenarios, EveryBrokenFileIsRefusedAndRunLeavesNothing) {
  std::string dir = std::string(PLANELAB_SOURCE_DIR) + "/tests/scenarios/broken";
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename() == "expected.json") continue;
    std::string out = FreshPath("run");
    CmdResult r = RunPlanelab("run " + e.path().string() + " --out " + out);
    EXPECT_EQ(r.code, 2) << e.path() << "\n" << r.err;
    EXPECT_NE(r.err.find("nothing was run"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out)) << "a refused run left " << out;
    EXPECT_TRUE(r.out.empty()) << r.out;
    ++n;
  }
  EXPECT_GE(n, 20);
}

}  // namespace planelab::testing
