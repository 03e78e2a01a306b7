// Run folders as users name them and runs as users stop them (issue 14, items 9 and 10, and the small ones):
// --out in any spelling keeps the run or is refused before anything runs; SIGINT/SIGTERM keep a marked
// partial folder and exit 130/143; a later run removes the partial folders of dead processes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli_test_util.h"
#include "sim/trace/run_reader.h"

namespace planelab::testing {

namespace fs = std::filesystem;

namespace {

const std::string kShort = "scenarios/basics/link-degrade.json";
// 5,400 s simulated, about a minute of wall time: always still running when it is signalled.
const std::string kLong = "scenarios/incidents/capacity-shrink.json";

void Replace(std::string& s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
}

std::vector<std::string> Listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::recursive_directory_iterator(dir)) names.push_back(fs::relative(e.path(), dir).string());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<fs::path> PartialsOf(const std::string& out) {
  std::vector<fs::path> found;
  fs::path p(out);
  for (const auto& e : fs::directory_iterator(p.parent_path())) {
    if (e.path().filename().string().rfind(p.filename().string() + ".partial-", 0) == 0) found.push_back(e.path());
  }
  return found;
}

bool IsCompleteRun(const std::string& dir) {
  return fs::exists(dir + "/manifest.json") && fs::exists(dir + "/summary.json") && fs::exists(dir + "/run.sqlite");
}

/// `planelab run <scenario> --quiet --out <out>` started in the background, as a terminal's job would be.
struct Background {
  pid_t pid = -1;
  std::string err_path;
};

Background Start(const std::string& scenario, const std::string& out) {
  Background b;
  b.err_path = FreshPath("bg-stderr.txt");
  b.pid = ::fork();
  if (b.pid == 0) {
    if (::chdir(PLANELAB_SOURCE_DIR) != 0) ::_exit(99);
    int fd = ::open(b.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 2);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    ::execl(PLANELAB_BIN, PLANELAB_BIN, "run", scenario.c_str(), "--quiet", "--out", out.c_str(), nullptr);
    ::_exit(98);
  }
  return b;
}

struct Ended {
  int code = -1;     // exit code, or -signal when killed by one
  double seconds = 0;  // from the signal to the exit
  std::string err;
};

/// Waits until the run has a partial folder with its store (so the simulation is under way), sends `sig`.
Ended SignalAndWait(const Background& b, const std::string& out, int sig) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline &&
         !fs::exists(out + ".partial-" + std::to_string(b.pid) + "/run.sqlite")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  auto t0 = std::chrono::steady_clock::now();
  ::kill(b.pid, sig);
  int status = 0;
  ::waitpid(b.pid, &status, 0);
  Ended e;
  e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  e.code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? -WTERMSIG(status) : -1000;
  e.err = ReadFile(b.err_path);
  return e;
}

}  // namespace

// Bad command lines: each is refused with exit 2 and a message that names what is wrong, and nothing is made.
TEST(BrokenCommandLines, EachIsRefusedWithItsMessage) {
  std::string tmp = FreshPath("cmdlines");
  fs::create_directories(tmp + "/notes");
  { std::ofstream(tmp + "/afile") << "mine"; }
  { std::ofstream(tmp + "/notes/notes.txt") << "precious"; }
  fs::create_symlink(tmp + "/nowhere", tmp + "/dangling");
  const std::vector<std::string> before = Listing(tmp);
  std::set<std::string> source_before;
  for (const auto& e : fs::directory_iterator(PLANELAB_SOURCE_DIR)) source_before.insert(e.path().filename());

  nlohmann::json cases =
      nlohmann::json::parse(ReadFile(std::string(PLANELAB_SOURCE_DIR) + "/tests/cli/broken_command_lines.json"));
  ASSERT_GE(cases.size(), 20u);
  for (auto it = cases.begin(); it != cases.end(); ++it) {
    std::string args = it.value()["args"];
    Replace(args, "{tmp}", tmp);
    CmdResult r = RunPlanelab(args);
    EXPECT_EQ(r.code, 2) << it.key() << ": planelab " << args << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << it.key() << "\n" << r.out;
    for (const auto& needle : it.value()["contains"]) {
      std::string n = needle;
      Replace(n, "{tmp}", tmp);
      EXPECT_NE(r.err.find(n), std::string::npos) << it.key() << ": planelab " << args << "\nlacks \"" << n << "\":\n" << r.err;
    }
    for (const auto& needle : it.value().value("lacks", nlohmann::json::array())) {
      EXPECT_EQ(r.err.find(needle.get<std::string>()), std::string::npos) << it.key() << " says " << needle << ":\n" << r.err;
    }
  }
  EXPECT_EQ(Listing(tmp), before) << "a refused command line made or removed something";
  EXPECT_EQ(ReadFile(tmp + "/afile"), "mine");
  EXPECT_EQ(ReadFile(tmp + "/notes/notes.txt"), "precious");
  for (const auto& e : fs::directory_iterator(PLANELAB_SOURCE_DIR)) {
    EXPECT_TRUE(source_before.count(e.path().filename())) << "a refused command line made " << e.path();
  }
}

// Item 9: "dir/", an existing empty "dir/", "../x/" and "x//" all keep the run under the folder's own name
// (the partial folder used to go inside the target, and the run was lost at the end with exit 3).
TEST(RunFolder, EverySpellingOfAFolderKeepsTheRun) {
  std::string tmp = FreshPath("spellings");
  fs::create_directories(tmp + "/empty");
  fs::create_directories(tmp + "/sub");
  struct Case {
    std::string out, final_dir;
  };
  for (const Case& c : {Case{tmp + "/new/", tmp + "/new"}, Case{tmp + "/empty/", tmp + "/empty"},
                        Case{tmp + "/sub/../up/", tmp + "/up"}, Case{tmp + "/two//", tmp + "/two"},
                        Case{tmp + "/./dot/./", tmp + "/dot"}}) {
    CmdResult r = RunPlanelab("run " + kShort + " --quiet --out " + c.out);
    EXPECT_EQ(r.code, 0) << c.out << "\n" << r.err;
    EXPECT_TRUE(IsCompleteRun(c.final_dir)) << c.out;
    EXPECT_EQ(Listing(c.final_dir), (std::vector<std::string>{"manifest.json", "run.sqlite", "scenario.json", "summary.json"}))
        << c.out;
    EXPECT_TRUE(PartialsOf(c.final_dir).empty()) << c.out;
  }
  // With --force, "dir/" replaces the earlier run, and nothing is left beside it.
  CmdResult again = RunPlanelab("run " + kShort + " --quiet --force --out " + tmp + "/new/");
  EXPECT_EQ(again.code, 0) << again.err;
  EXPECT_TRUE(IsCompleteRun(tmp + "/new"));
  EXPECT_EQ(Listing(tmp), (std::vector<std::string>{"dot", "dot/manifest.json", "dot/run.sqlite", "dot/scenario.json",
                                                    "dot/summary.json", "empty", "empty/manifest.json",
                                                    "empty/run.sqlite", "empty/scenario.json", "empty/summary.json",
                                                    "new", "new/manifest.json", "new/run.sqlite", "new/scenario.json",
                                                    "new/summary.json", "sub", "two", "two/manifest.json",
                                                    "two/run.sqlite", "two/scenario.json", "two/summary.json", "up",
                                                    "up/manifest.json", "up/run.sqlite", "up/scenario.json",
                                                    "up/summary.json"}));
}

// A link to a folder: the run goes where it points, and the link stays.
TEST(RunFolder, ASymbolicLinkIsFollowed) {
  std::string tmp = FreshPath("links");
  fs::create_directories(tmp + "/target");
  fs::create_directory_symlink(tmp + "/target", tmp + "/link");
  CmdResult r = RunPlanelab("run " + kShort + " --quiet --out " + tmp + "/link/");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(tmp + "/link"));
  EXPECT_TRUE(IsCompleteRun(tmp + "/target"));
}

// A mount point cannot be renamed onto: refused before the run, with a folder inside it suggested; a read-only
// place is named as not writable. Needs `unshare -m` (root, or user namespaces); skipped otherwise.
TEST(RunFolder, AMountPointOrAReadOnlyPlaceIsRefusedBeforeTheRun) {
  if (std::system("unshare -m true >/dev/null 2>&1") != 0) GTEST_SKIP() << "unshare -m is not available here";
  std::string tmp = FreshPath("mounts");
  fs::create_directories(tmp + "/mnt");
  fs::create_directories(tmp + "/ro");
  std::string err = FreshPath("mount-stderr.txt");
  std::string script = "mount -t tmpfs none " + tmp + "/mnt && mount -t tmpfs -o ro none " + tmp + "/ro && cd " +
                       PLANELAB_SOURCE_DIR + " && { " + PLANELAB_BIN + " run " + kShort + " --quiet --out " + tmp +
                       "/mnt/; echo \"rc=$?\"; " + PLANELAB_BIN + " run " + kShort + " --quiet --out " + tmp +
                       "/ro/run1; echo \"rc=$?\"; " + PLANELAB_BIN + " run " + kShort + " --quiet --out " + tmp +
                       "/mnt/run1; echo \"rc=$?\"; ls " + tmp + "/mnt; }";
  FILE* p = ::popen(("unshare -m sh -c '" + script + "' 2>" + err).c_str(), "r");
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  std::string e = ReadFile(err);
  if (out.find("rc=") == std::string::npos) GTEST_SKIP() << "cannot mount here: " << e;
  EXPECT_EQ(out, "rc=2\nrc=2\nrc=0\nrun1\n") << e;
  EXPECT_NE(e.find(tmp + "/mnt is a mount point"), std::string::npos) << e;
  EXPECT_NE(e.find("e.g. --out " + tmp + "/mnt/run1"), std::string::npos) << e;
  EXPECT_NE(e.find("the folder " + tmp + "/ro is not writable"), std::string::npos) << e;
}

// Item 10: SIGINT and SIGTERM stop the run at the next event boundary; what it recorded is kept in the partial
// folder, marked INTERRUPTED and complete = false in the store, never under the final name; exit 130 / 143.
TEST(Interrupts, SigintAndSigtermKeepAMarkedPartialFolder) {
  for (int sig : {SIGINT, SIGTERM}) {
    std::string name = sig == SIGINT ? "SIGINT" : "SIGTERM";
    std::string out = FreshPath("interrupted-" + name);
    Background b = Start(kLong, out);
    Ended e = SignalAndWait(b, out, sig);
    EXPECT_EQ(e.code, 128 + sig) << name << "\n" << e.err;
    EXPECT_LT(e.seconds, 10.0) << name << ": the run must stop at the next event, not finish";
    std::string partial = out + ".partial-" + std::to_string(b.pid);
    EXPECT_FALSE(fs::exists(out)) << "an interrupted run must not appear under the final name";
    ASSERT_TRUE(fs::is_directory(partial)) << e.err;
    EXPECT_EQ(Listing(partial), (std::vector<std::string>{"INTERRUPTED", "run.sqlite"}));
    std::string marker = ReadFile(partial + "/INTERRUPTED");
    EXPECT_EQ(marker.rfind(name + " at ", 0), 0u) << marker;
    EXPECT_NE(marker.find(" s simulated\n"), std::string::npos) << marker;
    RunStoreReader store(partial + "/run.sqlite");
    EXPECT_EQ(store.Meta("complete"), "false");
    double at = std::stod(store.Meta("interrupted_at_s"));
    EXPECT_GE(at, 0.0);
    EXPECT_LT(at, 5400.0);
    EXPECT_EQ(marker, name + " at " + store.Meta("interrupted_at_s") + " s simulated\n");
    EXPECT_NE(e.err.find("interrupted (" + name + ") at "), std::string::npos) << e.err;
    EXPECT_NE(e.err.find("Kept what it recorded until then in " + partial), std::string::npos) << e.err;
    // The next run to the same folder removes it, says so, and completes (complete = true).
    CmdResult r = RunPlanelab("run " + kShort + " --quiet --out " + out);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("note: removed " + partial + ", the unfinished folder of an earlier run to " + out +
                         " (process " + std::to_string(b.pid) + ", interrupted)"),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(fs::exists(partial));
    EXPECT_TRUE(IsCompleteRun(out));
    EXPECT_EQ(RunStoreReader(out + "/run.sqlite").Meta("complete"), "true");
    EXPECT_EQ(RunStoreReader(out + "/run.sqlite").Meta("interrupted_at_s"), "");
  }
}

// SIGKILL cannot be caught: the partial folder stays unmarked, and the next run to the same folder removes it.
// A partial folder of a live process, or one holding files a run does not write, is never removed.
TEST(Interrupts, AKilledRunsFolderIsRemovedByTheNextRunOnly) {
  std::string out = FreshPath("killed");
  Background b = Start(kLong, out);
  Ended e = SignalAndWait(b, out, SIGKILL);
  EXPECT_EQ(e.code, -SIGKILL);
  std::string partial = out + ".partial-" + std::to_string(b.pid);
  ASSERT_TRUE(fs::is_directory(partial));
  EXPECT_FALSE(fs::exists(partial + "/INTERRUPTED"));
  EXPECT_FALSE(fs::exists(partial + "/summary.json"));

  std::string live = out + ".partial-" + std::to_string(::getpid());  // this test process: alive
  fs::create_directories(live);
  { std::ofstream(live + "/run.sqlite") << "being written"; }
  std::string foreign;  // named like a dead process's partial folder, but not a run's
  for (int pid = 4194000; pid > 4190000; --pid) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) {
      foreign = out + ".partial-" + std::to_string(pid);
      break;
    }
  }
  if (!foreign.empty()) {
    fs::create_directories(foreign);
    std::ofstream(foreign + "/thesis.tex") << "mine";
  }

  CmdResult r = RunPlanelab("run " + kShort + " --quiet --out " + out);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("note: removed " + partial + ", the unfinished folder of an earlier run to " + out +
                       " (process " + std::to_string(b.pid) + ", killed)"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(partial));
  EXPECT_TRUE(IsCompleteRun(out));
  EXPECT_EQ(ReadFile(live + "/run.sqlite"), "being written");
  if (!foreign.empty()) {
    EXPECT_EQ(ReadFile(foreign + "/thesis.tex"), "mine");
    EXPECT_NE(r.err.find("note: left " + foreign + " in place"), std::string::npos) << r.err;
    fs::remove_all(foreign);
  }
  fs::remove_all(live);
}

// A completed run says so in its store.
TEST(Interrupts, ACompletedRunIsMarkedComplete) {
  std::string out = FreshPath("complete");
  ASSERT_EQ(RunPlanelab("run " + kShort + " --quiet --out " + out).code, 0);
  EXPECT_EQ(RunStoreReader(out + "/run.sqlite").Meta("complete"), "true");
  EXPECT_FALSE(fs::exists(out + "/INTERRUPTED"));
}

}  // namespace planelab::testing
