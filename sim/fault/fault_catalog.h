// Every fault kind PlaneLab can inject: which plane it hits, its parameters, what should follow.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace planelab {

/// One parameter of a fault kind; `type` is duration | ratio | number | bitrate | text.
struct FaultParam {
  std::string name;
  std::string type;
  std::string default_value;  // "" = no default: optional, the fault does without it
  std::string help;
};

/// A fault kind as documented by `planelab faults`.
struct FaultKind {
  std::string name;
  std::string plane;      // the plane it hits: data | control | management
  std::string target;     // "router", "link", "device" (any managed device)
  std::vector<FaultParam> params;
  std::string effect;     // what PlaneLab does
  std::string follows;    // what the reference texts say follows
};

/// The catalogue, in a stable order.
const std::vector<FaultKind>& FaultCatalog();
/// The kind named `name`, or null.
const FaultKind* FindFaultKind(const std::string& name);
/// Checks a fault's params against its kind; returns "" or a message naming the bad param and what is allowed.
std::string CheckFaultParams(const FaultKind& kind, const std::map<std::string, std::string>& params);
/// The items of a comma-separated parameter value ("etcd-2,etcd-3"), in order.
std::vector<std::string> FaultParamList(const std::string& value);
/// The value of `name` for a fault: the given one or the kind's default.
std::string FaultParamOr(const FaultKind& kind, const std::map<std::string, std::string>& params,
                         const std::string& name);

}  // namespace planelab
