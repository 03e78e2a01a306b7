// Runs the planelab binary as a user would and captures what it prints.
#pragma once
#include <string>

namespace planelab::testing {

struct CmdResult {
  int code = -1;
  std::string out, err;
};

/// Runs `planelab ARGS` from the source folder.
CmdResult RunPlanelab(const std::string& args);
std::string ReadFile(const std::string& path);
/// A fresh, not yet existing path under the test temp folder.
std::string FreshPath(const std::string& name);

}  // namespace planelab::testing
