#include "sim/cli/run_folder.h"

#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "sim/cli/runner.h"
#include "sim/trace/run_store.h"
#include "sim/util/hash.h"

namespace planelab {

namespace fs = std::filesystem;

namespace {

fs::path ChooseOutDir(const std::string& out_dir, bool force, const std::string& name, uint64_t seed) {
  if (!out_dir.empty()) {
    fs::path p(out_dir);
    if (fs::exists(p) && !(fs::is_directory(p) && fs::is_empty(p))) {
      bool is_run = fs::exists(p / "manifest.json") && fs::exists(p / "run.sqlite");
      if (!force) {
        throw UsageError("--out " + out_dir + ": the folder exists and is not empty; nothing was overwritten. "
                         "Choose another folder" + std::string(is_run ? ", or add --force to replace that earlier run" : ""));
      }
      if (!is_run) {
        throw UsageError("--out " + out_dir + ": the folder is not a PlaneLab run folder, so --force will not "
                         "replace it; choose another folder");
      }
    }
    return p;
  }
  std::string base = "runs/" + name + "-s" + std::to_string(seed);
  std::string dir = base;
  for (int i = 2; fs::exists(dir); ++i) dir = base + "-" + std::to_string(i);
  return dir;
}

}  // namespace

RunFolder::RunFolder(const std::string& out_dir, bool force, const std::string& scenario_name, uint64_t seed,
                     bool create)
    : final_(ChooseOutDir(out_dir, force, scenario_name, seed)),
      tmp_(final_.string() + ".partial-" + std::to_string(::getpid())) {
  if (!create) return;
  std::error_code ec;
  fs::remove_all(tmp_, ec);
  fs::create_directories(tmp_, ec);
  if (ec) {
    throw UsageError("cannot create the run folder next to " + final_.string() + " (" + ec.message() +
                     "); choose a writable place with --out");
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
  if (fs::exists(final_)) fs::remove_all(final_);  // only an empty folder, or a run replaced with --force
  if (final_.has_parent_path()) fs::create_directories(final_.parent_path());
  fs::rename(tmp_, final_);
  armed_ = false;
}

}  // namespace planelab
