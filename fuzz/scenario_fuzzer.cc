// libFuzzer harness around the real scenario-loading entry point: any bytes in, a Scenario or a ScenarioError
// out, never a crash, a sanitizer report, an uncaught exception or a leak. Built with clang
// (-fsanitize=fuzzer,address,undefined) by fuzz/CMakeLists.txt in a build without ns-3 (PLANELAB_PURE_ONLY);
// seeded with every shipped and broken scenario (fuzz/corpus), with the scenario keys as a dictionary
// (fuzz/scenario.dict). Run by the ctest fuzz.scenario-parser (fuzz/run_fuzzer.sh).
#include <cstddef>
#include <cstdint>
#include <string>

#include "models/cluster/cluster_kinds.h"
#include "models/cluster/cluster_section.h"
#include "models/host/host_kind.h"
#include "models/monitor/monitor_kind.h"
#include "models/router/router_kind.h"
#include "models/router/routing_section.h"
#include "sim/scenario/scenario_loader.h"

namespace {

/// The families' catalogue as `planelab` registers it (models/models.cc), without the kinds' factories: the
/// loader needs no kernel. Built the way tests/unit/scenario_loader_test.cc builds it.
const planelab::ModelCatalog& Catalog() {
  static const planelab::ModelCatalog catalog = [] {
    planelab::ModelCatalog c;
    c.sections.Add(planelab::RoutingSection());
    c.sections.Add(planelab::ClusterSection());
    c.kinds.Add(planelab::RouterKind());
    c.kinds.Add(planelab::HostKind());
    c.kinds.Add(planelab::MonitorKind());
    for (planelab::DeviceKindDecl& k : planelab::ClusterKinds()) c.kinds.Add(std::move(k));
    return c;
  }();
  return catalog;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    planelab::ParseScenarioText(text, "fuzz.json", Catalog());
  } catch (const planelab::ScenarioError& e) {
    // A refusal with located problems is the expected answer to bad input; it must say something.
    if (e.problems().empty() || e.problems().front().message.empty()) __builtin_trap();
  }
  return 0;
}
