// Runs Raft conformance scripts (see raft_script.h) and compares each command's output with the expected output
// written in the script. With --rewrite, or PLANELAB_REWRITE=1 in the environment, it writes the actual outputs
// into the scripts instead (etcd's `go test -rewrite`, SimGrid's tesh): review the diff before committing it.
//
//   raft_scripts [--rewrite] [--quiet] script.txt...
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/models/store/control/raft/raft_script.h"

int main(int argc, char** argv) {
  bool rewrite = false, quiet = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--rewrite") == 0) {
      rewrite = true;
    } else if (std::strcmp(argv[i], "--quiet") == 0) {
      quiet = true;
    } else {
      files.push_back(argv[i]);
    }
  }
  const char* env = std::getenv("PLANELAB_REWRITE");
  if (env != nullptr && std::strcmp(env, "1") == 0) rewrite = true;
  if (files.empty()) {
    std::cerr << "usage: raft_scripts [--rewrite] [--quiet] script.txt...\n";
    return 2;
  }
  int failed = 0, commands = 0, lines = 0;
  for (const std::string& path : files) {
    std::ifstream in(path);
    if (!in) {
      std::cerr << path << ": cannot read\n";
      ++failed;
      continue;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    std::string name = path.substr(path.rfind('/') + 1);
    planelab::raft::script::ScriptResult r = planelab::raft::script::RunScript(text, name);
    commands += r.commands;
    lines += r.expected_lines;
    if (r.error) {
      std::cout << r.report;
      ++failed;
      continue;
    }
    if (rewrite) {
      if (r.rewritten != text) {
        std::ofstream(path) << r.rewritten;
        std::cout << name << ": rewrote (" << r.mismatches << " outputs changed)\n";
      } else if (!quiet) {
        std::cout << name << ": unchanged\n";
      }
      continue;
    }
    if (r.mismatches > 0) {
      std::cout << r.report << name << ": " << r.mismatches << " of " << r.commands
                << " outputs differ (PLANELAB_REWRITE=1 rewrites them; review the diff)\n";
      ++failed;
    } else if (!quiet) {
      std::cout << name << ": " << r.commands << " commands, " << r.expected_lines << " lines of output, ok\n";
    }
  }
  if (files.size() > 1 && !quiet) {
    std::cout << files.size() << " scripts, " << commands << " commands, " << lines << " lines of output, " << failed
              << " failed\n";
  }
  return failed == 0 ? 0 : 1;
}
