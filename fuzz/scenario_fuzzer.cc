// libFuzzer harness around the real scenario-loading entry point: any bytes in, a Scenario or a ScenarioError
// out, never a crash, a sanitizer report, an uncaught exception or a leak. Built with clang
// (-fsanitize=fuzzer,address,undefined) by fuzz/CMakeLists.txt in a build without ns-3 (PLANELAB_PURE_ONLY);
// seeded with every shipped and broken scenario (fuzz/corpus), with the scenario keys as a dictionary
// (fuzz/scenario.dict). Run by the ctest fuzz.scenario-parser (fuzz/run_fuzzer.sh).
#include <cstddef>
#include <cstdint>
#include <string>

#include "models/catalog.h"
#include "sim/scenario/scenario_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    // The families' catalogue as `planelab` reads scenarios against it (pure: no kernel, no factories).
    planelab::ParseScenarioText(text, "fuzz.json", planelab::BuiltinCatalog());
  } catch (const planelab::ScenarioError& e) {
    // A refusal with located problems is the expected answer to bad input; it must say something.
    if (e.problems().empty() || e.problems().front().message.empty()) __builtin_trap();
  }
  return 0;
}
