// Every fault kind PlaneLab can inject, as one list: built from the declarations in fault_kinds.h.
#pragma once
#include <any>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sim/fault/fault_kinds.h"
#include "sim/fault/fault_params.h"

namespace planelab {

/// A fault kind as documented by `planelab faults` and parsed by the loader, whatever its parameter struct.
struct FaultKind {
  std::string name;
  std::string plane;      // the plane it hits: data | control | management; "" = the one its `plane` param names
  std::string target;     // "router", "link", "device" (a managed device or the station), "any" (any device or the
                          // station), or another device kind
  std::vector<FaultParam> params;
  std::string summary;    // what PlaneLab does, in one line (docs/scenarios.md)
  std::string effect;     // what PlaneLab does
  std::string follows;    // what the reference texts say follows
  std::vector<std::string> crashes;  // a crash kind: the planes it crashes, in order (restarted in reverse)
  /// The kind's parameter struct (e.g. LinkFlapParams) for these params, or an empty std::any when `problems`
  /// got any: unknown parameters, bad values, failed checks.
  std::function<std::any(const FaultParamText&, FaultProblems&)> parse;
};

/// The catalogue, in a stable order.
const std::vector<FaultKind>& FaultCatalog();
/// The kind named `name`, or null.
const FaultKind* FindFaultKind(const std::string& name);

}  // namespace planelab
