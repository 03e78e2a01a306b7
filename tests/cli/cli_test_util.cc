#include "cli_test_util.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace planelab::testing {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string FreshPath(const std::string& name) {
  static int counter = 0;
  // Normal form (TempDir() ends in "/"): planelab prints the folders it names normalised.
  std::string p = (std::filesystem::path(::testing::TempDir()) /
                   ("planelab-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" + name))
                      .lexically_normal()
                      .string();
  std::filesystem::remove_all(p);
  return p;
}

CmdResult RunPlanelab(const std::string& args) {
  std::string err_path = FreshPath("stderr.txt");
  std::string cmd = std::string("cd ") + PLANELAB_SOURCE_DIR + " && " + PLANELAB_BIN + " " + args + " 2>" + err_path;
  CmdResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = ReadFile(err_path);
  std::filesystem::remove(err_path);
  return r;
}

}  // namespace planelab::testing
