// Plain configuration structs for a scenario, with defaults. The loader parses the shared parts (topology,
// management network, workloads, faults, expectations); each model family parses its own section.
#pragma once
#include <any>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <typeindex>
#include <typeinfo>
#include <vector>

#include "sim/util/units.h"

namespace planelab {

/// A device as the scenario declares it; `kind` selects the model ("router", "host").
struct DeviceSpec {
  std::string id;
  std::string kind;
  std::vector<std::string> groups;  // e.g. "spines", "leaves", "hosts"
  bool managed = true;              // routers: reachable by the monitoring station over OOB
  uint32_t asn = 0;                 // routers under BGP: AS number (0 = assigned by the loader)
  std::optional<std::pair<double, double>> pos;  // where the replay draws it (scene units, y down)
  // The Prometheus /metrics endpoint its process serves (port 0: none), declared by its family; the monitoring
  // station scrapes it when ManagementSpec::scrape_components is set.
  uint16_t metrics_port = 0;
  std::string metrics_job;  // Prometheus job label, e.g. "apiserver", "etcd", "kubelet"
};

/// Queue discipline on a link's egress; chosen on purpose (ns-3 would add FqCoDel otherwise).
struct QueueSpec {
  std::string kind = "fifo";     // fifo | red | codel | fq-codel
  std::string size = "100p";     // ns-3 QueueSize text, e.g. "100p" or "150000B"
};

/// A point-to-point link between two devices.
struct LinkSpec {
  std::string id;
  std::string a, b;
  uint64_t rate_bps = 1000000000ULL;  // 1Gbps
  SimTime delay = 1 * kMs;
  QueueSpec queue;
  uint32_t cost = 1;                  // routing metric
  // IP MTU in bytes: Ethernet's 1,500 (RFC 894); backbones run jumbo frames (9,000 and more). Routing protocols
  // pack their packets up to it, and IP fragments what exceeds it.
  uint32_t mtu = 1500;
};

/// The out-of-band management network: a station with its own links to every managed device.
struct ManagementSpec {
  bool enabled = true;
  std::string station = "nms";
  uint64_t oob_rate_bps = 100000000ULL;  // 100Mbps, a typical OOB copper port
  SimTime oob_delay = 1 * kMs;
  // The dashboard's poll cadence: NMS tools poll every 1-5 min; runs here are short, so 5s.
  SimTime poll_interval = 5 * kSec;
  // net-snmp's default request timeout is 1 s (snmp.conf "timeout").
  SimTime poll_timeout = 1 * kSec;
  // Set by the "telemetry" section: devices with a metrics endpoint get a management link too, and the station
  // scrapes them as Prometheus does.
  bool scrape_components = false;
};

/// A request/response workload between two hosts, as users feel it.
struct WorkloadSpec {
  std::string id;
  std::string protocol = "udp";  // udp | tcp
  std::string client, server;
  double rate_pps = 100;
  uint64_t request_bytes = 200;
  uint64_t response_bytes = 1000;
  SimTime timeout = 1 * kSec;
  SimTime start = 1 * kSec;
  std::optional<SimTime> stop;
  uint16_t port = 0;  // 0: assigned
};

/// A fault from the scenario's timeline: {at, until, target, kind, params}.
struct FaultSpec {
  SimTime at = 0;
  std::optional<SimTime> until;
  std::string target;
  std::string kind;
  std::map<std::string, std::string> params;  // as written (text), as the fault.start event records them
  std::any parsed;                            // the kind's parameter struct (e.g. LinkFlapParams), parsed once
  std::string pointer;                        // JSON pointer, for error messages
};

/// One expectation: a metric (or a health state) of a plane of a device or group over a window.
struct ExpectationSpec {
  std::string id;
  std::string device;  // a device id, or
  std::string group;   // a group name
  std::string plane;   // data | control | management
  std::string metric;  // a metric name, or "health.actual" / "health.reported"
  SimTime from = 0;
  std::optional<SimTime> to;
  std::string stat = "mean";  // mean | max | min | last | sum | delta | fraction
  std::string op = ">=";      // < <= > >= == !=
  double bound = 0;
  std::string state;          // for health: the state whose time fraction is compared
  std::string pointer;
};

/// Topology generator request ("line", "ring", "star", "grid", "leaf-spine", "internet", "clique").
struct GeneratorSpec {
  std::string kind;
  int routers = 0;          // line, ring, star (leaves of the star)
  int spines = 0, leaves = 0;  // internet: transits, stubs
  int hosts_per_router = 0;  // line, ring, star leaves, leaf-spine leaves
  std::string prefix;        // id prefix, to combine several generators
  uint32_t asn_base = 0;     // leaf-spine: spines share asn_base, leaf i gets asn_base + i (RFC 7938 §5.2.1)
  LinkSpec link;             // link parameters for generated links
  std::string pointer;
};

/// The settings of the model families present in a scenario, one config struct per family, by type. A family
/// whose section the file does not have reads as its struct's defaults, so models never test for presence.
class FamilyConfigs {
 public:
  template <class T>
  const T& Get() const {
    auto it = configs_.find(std::type_index(typeid(T)));
    if (it == configs_.end()) {
      static const T kDefaults{};
      return kDefaults;
    }
    return *std::any_cast<T>(&it->second);
  }
  template <class T>
  T& Mutable() {
    std::any& a = configs_[std::type_index(typeid(T))];
    if (!a.has_value()) a = T{};
    return *std::any_cast<T>(&a);
  }

 private:
  std::map<std::type_index, std::any> configs_;
};

/// The whole scenario as loaded from JSON.
struct Scenario {
  std::string path;
  std::string text;  // the file's bytes, for the manifest hash
  std::string name;
  std::string description;
  uint64_t seed = 1;
  SimTime duration = 60 * kSec;
  SimTime sample_interval = 1 * kSec;
  std::vector<GeneratorSpec> generators;
  std::vector<DeviceSpec> devices;  // after generation: every device
  std::vector<LinkSpec> links;      // after generation: every data link
  std::map<std::string, std::vector<std::string>> groups;
  ManagementSpec management;
  std::vector<WorkloadSpec> workloads;
  /// Each model family's own settings (routing, cluster, ...), parsed by the family's section.
  FamilyConfigs families;
  std::vector<FaultSpec> faults;
  std::vector<ExpectationSpec> expectations;
};

}  // namespace planelab
