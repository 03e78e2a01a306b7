// Small synthetic run folders for the tests of sim/experiment: two routers, five events, two series, health.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/trace/run_store.h"

namespace planelab::experiment::testing {

namespace fs = std::filesystem;

struct Variant {
  std::string scenario = "toy";
  double fault_at = 10;          // when r2 goes down
  double recover_at = 20;        // when it comes back
  bool pass = true;              // the expectation's outcome
  double extra = 0;              // added to r2's latency series from fault_at on
  bool complete = true;
  bool finish = true;
};

inline fs::path Scratch(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("experiment_test-" + std::to_string(::getpid())) / name;
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

inline fs::path MakeRun(const std::string& name, const Variant& v) {
  fs::path dir = Scratch(name);
  {
    RunStoreWriter w((dir / "run.sqlite").string());
    w.PutMeta("schema", "planelab.run/1");
    w.PutMeta("scenario", v.scenario);
    w.PutMeta("scenario_hash", "fnv1a64:" + std::to_string(v.fault_at));
    w.PutMeta("seed", "1");
    w.PutMeta("duration_s", "30");
    w.AddDevice("r1", "router", "[]", true);
    w.AddDevice("r2", "router", "[]", true);
    w.AddSeries(1, "r2", "data", "latency", "s", "gauge", "");
    w.AddSeries(2, "r1", "data", "latency", "s", "gauge", "");
    w.AddEvent(0, "r1", "data", "lifecycle", "start");
    w.AddEvent(0, "r2", "data", "lifecycle", "start");
    w.AddEvent(1, "r1", "control", "note", "ready");
    w.AddEvent(v.fault_at, "r2", "data", "fault", "down");
    w.AddEvent(v.recover_at, "r2", "data", "fault", "up");
    for (int t = 1; t <= 30; ++t) {
      bool down = t >= v.fault_at && t < v.recover_at;
      w.AddHealth(t, "r1", "data", "up", "up");
      w.AddHealth(t, "r2", "data", down ? "down" : "up", down && t >= v.fault_at + 2 ? "down" : "up");
      w.AddSample(t, 1, 0.001 + (t >= v.fault_at ? v.extra : 0));
      w.AddSample(t, 2, 0.002);
    }
    w.PutMeta("complete", v.complete ? "true" : "false");
    if (v.finish) w.Finish();
  }
  std::ofstream(dir / "manifest.json") << "{}";
  std::ofstream(dir / "summary.json") << nlohmann::json{
      {"expectations", {{{"id", "r2-recovers"}, {"passed", v.pass}, {"observed", v.pass ? 1.0 : 0.0}}}}};
  return dir;
}

}  // namespace planelab::experiment::testing
