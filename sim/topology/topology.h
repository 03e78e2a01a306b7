// The topology model on Boost.Graph: devices as vertices, data links as edges.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace planelab {

/// A topology problem found by validation, with the JSON pointer of the offending entry.
struct TopologyIssue {
  std::string pointer;
  std::string message;
};

/// Graph view of a scenario's devices and links, for validation and path questions.
class Topology {
 public:
  Topology(const std::vector<DeviceSpec>& devices, const std::vector<LinkSpec>& links);
  ~Topology();
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  /// Duplicate ids, dangling links, self-links and unreachable hosts (parallel links are allowed).
  std::vector<TopologyIssue> Validate() const;
  /// Number of connected components (data links only).
  int ComponentCount() const;
  bool Connected(const std::string& a, const std::string& b) const;
  /// Hop count of a shortest path, -1 if unreachable.
  int HopDistance(const std::string& a, const std::string& b) const;
  bool HasDevice(const std::string& id) const { return index_.count(id) > 0; }

 private:
  struct Impl;
  Impl* impl_;
  std::vector<DeviceSpec> devices_;
  std::vector<LinkSpec> links_;
  std::map<std::string, int> index_;
};

/// The most devices and links a scenario may have, generated or written. The largest shipped scenario
/// (scenarios/scale/clos-1000-bgp.json) has 1,996 devices and 4,980 links; bench/ runs up to about 10,000 devices
/// (bgp_fabric.sh 5000: 5,000 routers and 4,992 hosts) and 45,000 links. The limits are ten times that and more, and
/// low enough that `validate` of a topology at the limit takes seconds and well under a gigabyte; a generator
/// asking for more is refused from its numbers, before anything is expanded.
constexpr uint64_t kMaxDevices = 100000;
constexpr uint64_t kMaxLinks = 1000000;

struct TopologySize {
  uint64_t devices = 0;
  uint64_t links = 0;
};
/// What ExpandGenerator makes of `g`, computed from its numbers without expanding it.
TopologySize GeneratorSize(const GeneratorSpec& g);
/// Empty when `adding` fits beside `existing` within kMaxDevices and kMaxLinks; otherwise the message that says
/// Routers per row of a "grid" generator of `routers` routers: ceil(sqrt(routers)).
uint64_t GridColumns(int routers);
/// the size (of `what`, e.g. "this leaf-spine generator") and the limits.
std::string TopologyLimitProblem(TopologySize existing, TopologySize adding, const std::string& what);
/// 1234567 -> "1,234,567".
std::string WithThousands(uint64_t n);

/// Expands a generator into devices, links and groups (appended to the given lists).
void ExpandGenerator(const GeneratorSpec& g, std::vector<DeviceSpec>* devices, std::vector<LinkSpec>* links,
                     std::map<std::string, std::vector<std::string>>* groups);

/// Appends a generated device (managed when it is a router) and lists it in its groups.
void AddDevice(std::vector<DeviceSpec>* devices, std::map<std::string, std::vector<std::string>>* groups,
               const std::string& id, const std::string& kind, std::vector<std::string> member_of, uint32_t asn = 0);
/// Appends a generated link "a-b" with `base`'s parameters.
void AddLink(std::vector<LinkSpec>* links, const LinkSpec& base, const std::string& a, const std::string& b);

}  // namespace planelab
