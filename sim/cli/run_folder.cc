#include "sim/cli/run_folder.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "sim/cli/runner.h"
#include "sim/trace/run_store.h"
#include "sim/util/hash.h"

namespace planelab {

namespace fs = std::filesystem;

namespace {

bool IsRun(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p / "manifest.json", ec) && fs::is_regular_file(p / "run.sqlite", ec);
}

/// The folder --out names, as the run will use it: "dir/" is "dir", "a/./b" is "a/b". The current folder,
/// a parent and the root are refused: the run folder is created and renamed as a whole, so it needs a name
/// of its own (given "dir/", the partial folder used to land inside dir and the final rename failed).
fs::path NormalOutDir(const std::string& out_dir) {
  fs::path p = fs::path(out_dir).lexically_normal();
  while (!p.empty() && !p.has_filename() && p.has_relative_path()) p = p.parent_path();
  std::string f = p.filename().string();
  if (p.empty() || f == "." || f == ".." || !p.has_relative_path()) {
    std::string what = !p.has_relative_path() && p.has_root_path() ? "the root folder"
                       : f == ".."                                  ? "a parent folder"
                                                                    : "the current folder";
    throw UsageError("--out " + out_dir + ": that is " + what + "; a run folder is created whole and renamed into " +
                     "place, so give it a name of its own, e.g. --out " +
                     (p.empty() || f == "." ? std::string("run1") : (p / "run1").string()) + "");
  }
  return p;
}

/// True when `p` (an existing folder) is the root of a mounted file system: nothing can be renamed onto it.
bool IsMountPoint(const fs::path& p) {
#ifdef STATX_ATTR_MOUNT_ROOT
  struct statx sx {};
  if (::statx(AT_FDCWD, p.c_str(), 0, STATX_BASIC_STATS, &sx) == 0 && (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)) {
    return (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  }
#endif
  struct stat self {}, parent {};
  if (::stat(p.c_str(), &self) != 0 || ::stat((p / "..").c_str(), &parent) != 0) return false;
  return self.st_dev != parent.st_dev || self.st_ino == parent.st_ino;
}

/// The folder a new entry `p` is made in must exist as a folder we can write, or be creatable under one.
void CheckWritableParent(const fs::path& p, const std::string& shown) {
  fs::path parent = p.parent_path();
  if (parent.empty()) parent = ".";
  fs::path existing = parent;
  std::error_code ec;
  while (!fs::exists(existing, ec) && existing.has_relative_path() && existing.has_parent_path() &&
         existing.parent_path() != existing) {
    existing = existing.parent_path();
  }
  if (existing.empty()) existing = ".";
  if (!fs::exists(existing, ec)) return;  // nothing more to say; creating it will report the error
  if (!fs::is_directory(existing, ec)) {
    throw UsageError("--out " + shown + ": " + existing.string() + " is a file, so no folder can be made under it; "
                     "choose a writable place with --out");
  }
  if (::access(existing.c_str(), W_OK | X_OK) != 0) {
    throw UsageError("cannot create the run folder " + p.string() + ": the folder " + existing.string() +
                     " is not writable (" + std::strerror(errno) + "); choose a writable place with --out");
  }
}

fs::path ChooseOutDir(const std::string& out_dir, bool force, const std::string& name, uint64_t seed) {
  if (out_dir.empty()) {
    std::string base = "runs/" + name + "-s" + std::to_string(seed);
    std::string dir = base;
    for (int i = 2; fs::exists(dir); ++i) dir = base + "-" + std::to_string(i);
    CheckWritableParent(dir, dir);
    return dir;
  }
  fs::path p = NormalOutDir(out_dir);
  std::error_code ec;
  if (fs::is_symlink(p, ec)) {
    if (!fs::exists(p, ec)) {
      throw UsageError("--out " + out_dir + ": a symbolic link to " + fs::read_symlink(p, ec).string() +
                       ", which does not exist. Give a folder, or make the link's target first");
    }
    p = fs::canonical(p);  // the run goes where the link points; the link stays
  }
  if (fs::exists(p, ec)) {
    if (!fs::is_directory(p, ec)) {
      throw UsageError("--out " + out_dir + ": " + p.string() + " is " +
                       (fs::is_regular_file(p, ec) ? "a file" : "not a folder") +
                       ", not a folder; nothing was overwritten. Give the name of a folder to create, e.g. --out " +
                       p.string() + ".run");
    }
    if (IsMountPoint(p)) {
      throw UsageError("--out " + out_dir + ": " + p.string() + " is a mount point; a run folder is written beside " +
                       "its place and renamed into it, which a mount point does not allow. Give a folder inside it, "
                       "e.g. --out " + (p / "run1").string() + "");
    }
    if (!fs::is_empty(p, ec)) {
      bool is_run = IsRun(p);
      if (!force) {
        throw UsageError("--out " + out_dir + ": the folder exists and is not empty; nothing was overwritten. "
                         "Choose another folder" + std::string(is_run ? ", or add --force to replace that earlier run" : ""));
      }
      if (!is_run) {
        throw UsageError("--out " + out_dir + ": the folder is not a PlaneLab run folder (no manifest.json and "
                         "run.sqlite), so --force will not replace it; choose another folder");
      }
    }
  }
  CheckWritableParent(p, out_dir);
  return p;
}

/// Only what a run writes: so a folder is removed as a dead run's leftover only if it is one.
bool LooksLikePartialRun(const fs::path& dir) {
  static const std::set<std::string> kFiles = {"run.sqlite", "run.sqlite-journal", "summary.json", "scenario.json",
                                               "manifest.json", "INTERRUPTED"};
  std::error_code ec;
  if (fs::is_symlink(dir, ec) || !fs::is_directory(dir, ec)) return false;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string f = it->path().filename().string();
    if (f == "pcap" && fs::is_directory(it->symlink_status())) {
      for (fs::directory_iterator p(it->path(), ec); !ec && p != end; p.increment(ec)) {
        if (p->path().extension() != ".pcap" || !fs::is_regular_file(p->symlink_status())) return false;
      }
    } else if (!kFiles.count(f) || !fs::is_regular_file(it->symlink_status())) {
      return false;
    }
  }
  return !ec;
}

/// Removes "<final>.partial-<pid>" folders whose process no longer exists (a killed or interrupted run), and
/// says so; folders of live processes, and anything holding files a run does not write, are left alone.
void RemoveStalePartials(const fs::path& final_dir) {
  fs::path parent = final_dir.parent_path();
  if (parent.empty()) parent = ".";
  const std::string prefix = final_dir.filename().string() + ".partial-";
  std::error_code ec;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    std::string f = it->path().filename().string();
    if (f.size() <= prefix.size() || f.compare(0, prefix.size(), prefix) != 0) continue;
    std::string digits = f.substr(prefix.size());
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid <= 0 || pid == ::getpid()) continue;  // our own name is cleared by the caller
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // a live run (or one we may not signal): not ours
    fs::path stale = parent / f;
    bool interrupted = fs::exists(stale / "INTERRUPTED", ec);
    if (!LooksLikePartialRun(stale)) {
      std::cerr << "note: left " << stale.string() << " in place: it is named like an unfinished run's folder "
                << "but holds files a run does not write\n";
      continue;
    }
    std::error_code rm;
    fs::remove_all(stale, rm);
    if (rm) {
      std::cerr << "note: could not remove " << stale.string() << " (" << rm.message() << ")\n";
    } else {
      std::cerr << "note: removed " << stale.string() << ", the unfinished folder of an earlier run to "
                << final_dir.string() << " (process " << pid << ", "
                << (interrupted ? "interrupted" : "killed") << ")\n";
    }
  }
}

}  // namespace

RunFolder::RunFolder(const std::string& out_dir, bool force, const std::string& scenario_name, uint64_t seed,
                     bool create)
    : final_(ChooseOutDir(out_dir, force, scenario_name, seed)),
      tmp_(final_.string() + ".partial-" + std::to_string(::getpid())),
      force_(force) {
  if (!create) return;
  RemoveStalePartials(final_);
  std::error_code ec;
  if (fs::exists(tmp_, ec) && LooksLikePartialRun(tmp_)) fs::remove_all(tmp_, ec);  // this pid's own leftover
  ec.clear();
  if (fs::exists(tmp_) || !fs::create_directories(tmp_, ec) || ec) {
    throw UsageError("cannot create the run folder " + tmp_.string() + " next to " + final_.string() + " (" +
                     (ec ? ec.message() : std::string("it exists")) + "); choose a writable place with --out");
  }
  armed_ = true;
}

RunFolder::~RunFolder() {
  if (!armed_) return;
  std::error_code ec;
  fs::remove_all(tmp_, ec);
}

void RunFolder::Write(const std::string& file, const std::string& text) const {
  std::ofstream out(tmp_ / file, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + (tmp_ / file).string());
}

void RunFolder::Commit(const std::string& scenario_name, const std::string& scenario_path, uint64_t seed,
                       const std::string& scenario_text, const std::string& summary_text) {
  Write("summary.json", summary_text);
  Write("scenario.json", scenario_text);
  nlohmann::ordered_json manifest;
  manifest["schema"] = "planelab.manifest/1";
  manifest["planelab_version"] = PLANELAB_VERSION;
  manifest["scenario"] = scenario_name;
  manifest["scenario_path"] = scenario_path;
  manifest["seed"] = seed;
  manifest["run_store_schema"] = kRunStoreSchema;
  manifest["files"] = {{"scenario.json", "fnv1a64:" + Fnv1a64Hex(scenario_text)},
                       {"summary.json", "fnv1a64:" + Fnv1a64Hex(summary_text)}};
  Write("manifest.json", manifest.dump(2) + "\n");

  // The folder was checked before the run; check again, as it may have changed meanwhile. An empty folder
  // is replaced by the rename itself; an earlier run (with --force) is moved aside first and removed only
  // once the new one is in place. Nothing else is ever removed: the run is kept where it is instead.
  auto keep = [this](const std::string& why) {
    armed_ = false;
    throw RunKeptError("the run completed, but " + why + "; it was kept in " + tmp_.string() +
                       " (rename that folder yourself)");
  };
  std::error_code ec;
  fs::path aside;
  if (fs::exists(fs::symlink_status(final_, ec))) {
    if (fs::is_directory(fs::symlink_status(final_, ec)) && fs::is_empty(final_, ec)) {
      // the rename replaces it
    } else if (force_ && !fs::is_symlink(final_, ec) && IsRun(final_)) {
      aside = final_.string() + ".replaced-" + std::to_string(::getpid());
      fs::rename(final_, aside, ec);
      if (ec) keep("the earlier run in " + final_.string() + " could not be moved aside (" + ec.message() + ")");
    } else {
      keep(final_.string() + " was filled meanwhile with something that is not an earlier run");
    }
  }
  if (final_.has_parent_path()) fs::create_directories(final_.parent_path(), ec);
  ec.clear();
  fs::rename(tmp_, final_, ec);
  if (ec) {
    std::error_code back;
    if (!aside.empty()) fs::rename(aside, final_, back);
    keep("it could not be renamed to " + final_.string() + " (" + ec.message() + ")");
  }
  armed_ = false;
  if (!aside.empty()) fs::remove_all(aside, ec);
}

void RunFolder::KeepInterrupted(const std::string& signal_name, double sim_time_s) {
  Write("INTERRUPTED", signal_name + " at " + std::to_string(sim_time_s) + " s simulated\n");
  armed_ = false;
}

}  // namespace planelab
