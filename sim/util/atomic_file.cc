#include "sim/util/atomic_file.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace planelab {

bool WriteFileAtomically(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  fs::path tmp = path + ".tmp-" + (host[0] ? host : "host") + "-" + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);
  return !ec;
}

}  // namespace planelab
