// The catalogue of broken scenario files: each must be refused with a clear message and exit code 2,
// and `run` must leave nothing behind.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"

namespace planelab::testing {

namespace fs = std::filesystem;

TEST(BrokenScenarios, EachIsRefusedWithItsMessage) {
  std::string dir = std::string(PLANELAB_SOURCE_DIR) + "/tests/scenarios/broken";
  nlohmann::json expected = nlohmann::json::parse(ReadFile(dir + "/expected.json"));
  // Issue 14: at least 60 cases, each with its message (and line) asserted.
  ASSERT_GE(expected.size(), 60u);
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name != "expected.json") EXPECT_TRUE(expected.contains(name)) << name << " has no entry in expected.json";
  }
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
  EXPECT_GE(n, 60);
}

namespace {

/// Runs a shell command line from the source folder (PLANELAB stands for the binary), with the address space
/// capped at `kib` KiB when given (ulimit -v: a machine without that much memory).
CmdResult RunShell(const std::string& line, size_t kib = 0) {
  std::string err_path = FreshPath("stderr.txt"), command = line;
  for (size_t at; (at = command.find("PLANELAB")) != std::string::npos;) command.replace(at, 8, PLANELAB_BIN);
  std::string cmd = std::string("cd ") + PLANELAB_SOURCE_DIR + " && " +
                    (kib ? "ulimit -v " + std::to_string(kib) + " && " : "") + command + " 2>" + err_path;
  CmdResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = ReadFile(err_path);
  fs::remove(err_path);
  return r;
}

}  // namespace

// Issue 14.2: a file's size is checked before it is read, from its size or, for a pipe, as it is read.
TEST(BrokenScenarios, AHugeFileIsRefusedBeforeItIsRead) {
  std::string big = FreshPath("big.json");
  { std::ofstream(big) << "{"; }
  fs::resize_file(big, 8ULL << 30);  // 8 GiB, sparse: reading it under the cap below would run out of memory
  CmdResult r = RunShell("PLANELAB validate " + big, 1000000);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find(big + ": (document): the file is 8,589,934,592 bytes; a scenario file may be at most 16 MiB "
                             "(16,777,216 bytes)"), std::string::npos) << r.err;
  fs::remove(big);
  r = RunShell("head -c 20000000 /dev/zero | PLANELAB validate /dev/stdin");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("/dev/stdin: (document): the file is more than 16,777,216 bytes"), std::string::npos) << r.err;
}

// Issue 14.5: running out of memory is a message and an exit code, never a signal: 2 while loading (bad input),
// 3 while running.
TEST(BrokenScenarios, RunningOutOfMemoryIsAnErrorNotASignal) {
  const size_t cap_kib = 400000;  // 400 MB of address space: enough for planelab and a small scenario
  CmdResult small = RunShell("PLANELAB validate scenarios/scale/clos-1000-bgp.json", cap_kib);
  ASSERT_EQ(small.code, 0) << "the cap is too small for this machine's planelab:\n" << small.err;
  // A million links (a 1000 x 1000 leaf-spine, within the limits) need about 600 MB to load.
  std::string wide = FreshPath("wide.json");
  std::ofstream(wide) << R"({"name": "wide", "duration": "1s", "management": {"enabled": false},
    "topology": {"generate": [{"kind": "leaf-spine", "spines": 1000, "leaves": 1000}]}})";
  for (const std::string& command : {"validate " + wide, "run " + wide + " --quiet --out " + FreshPath("wide-run")}) {
    CmdResult r = RunShell("PLANELAB " + command, cap_kib);
    EXPECT_EQ(r.code, 2) << command << "\n" << r.err;
    EXPECT_NE(r.err.find(wide + ": (document): there is not enough memory to load this scenario"), std::string::npos)
        << command << "\n" << r.err;
  }
  // 100,000 devices load in about 180 MB and run out of memory while the network is built (under BGP: a spine with
  // 9,990 links is beyond what one OSPFv2 router-LSA can describe, which validation refuses).
  std::string many = FreshPath("many.json"), out = FreshPath("many-run");
  std::ofstream(many) << R"({"name": "many", "duration": "1s", "routing": {"protocol": "bgp"},
    "topology": {"generate": [{"kind": "leaf-spine", "spines": 10, "leaves": 9990, "hosts_per_leaf": 9}]}})";
  CmdResult r = RunShell("PLANELAB run " + many + " --quiet --out " + out, 900000);
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("internal error: the run ran out of memory (99910 devices, 189810 links)"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace planelab::testing
