#include "sim/fault/fault_catalog.h"

#include <cstdlib>

#include "sim/util/units.h"

namespace planelab {

const std::vector<FaultKind>& FaultCatalog() {
  static const std::vector<FaultKind> kCatalog = {
      {"asic-dead", "data", "router", {},
       "Transit packets are dropped in the router's forwarding ASIC; packets addressed to the router "
       "itself are still punted to its CPU. Control and management planes are untouched, so routing "
       "adjacencies stay up and the agent keeps answering polls.",
       "\"Your core router is reachable, NMS graphs are clean, and every dashboard insists the device is "
       "healthy - but traffic is somehow just vanishing.\" Users feel it at once (loss, timeouts, resets); "
       "the management plane still reports green (004, opening)."},
      {"link-down", "data", "link",
       {},
       "The wire is cut: nothing crosses the link and both ends see carrier loss, which their data planes "
       "punt to the control planes.",
       "Traffic through the link is lost until the control plane reconverges on a redundant path; the "
       "data plane keeps using the last known forwarding state until then (004, enterprise networking)."},
      {"link-degrade", "data", "link",
       {{"loss", "ratio", "0", "share of packets lost in each direction, 0..1"},
        {"extra_delay", "duration", "0ms", "one-way delay added to the link"},
        {"rate", "bitrate", "", "new link rate (omit to keep the rate)"}},
       "The link stays up but loses packets, adds delay, or runs slower.",
       "Latency spikes, packets drop, retransmits and timeouts rise: data-plane failures that \"rarely emit "
       "clear log messages\" (004, data plane)."},
      {"control-cpu-saturation", "control", "router",
       {{"load", "ratio", "0.98", "share of the route processor taken by other work, 0..0.999"}},
       "A runaway process takes `load` of the route processor: every control-plane work item (protocol "
       "messages, route computation) queues and runs 1/(1-load) times slower. Forwarding is untouched.",
       "\"I've melted the CPU in a lab switch and the packets kept moving.\" Changes slow down or stop; "
       "traffic flows on the last programmed state (004, enterprise networking)."},
      {"link-flap", "data", "link",
       {{"period", "duration", "10s", "one down-and-up cycle"},
        {"down_for", "duration", "2s", "how long the link stays down in each cycle"}},
       "The link goes down for down_for at the start of every period (carrier loss at both ends), then comes back.",
       "Every flap makes the control plane reconverge twice; with BGP, \"sessions flap, routing tables stop "
       "converging, but the data plane keeps using the last known forwarding state\" (004, enterprise networking)."},
      {"bgp-session-flap", "control", "router",
       {{"peer", "text", "", "neighbour router whose session flaps (omit: every session of the target)"},
        {"period", "duration", "10s", "time between two resets"}},
       "The BGP session is reset (NOTIFICATION Cease) at the start and then every period; it comes back after the "
       "connect-retry timer. Every reset withdraws the session's routes. Needs \"routing\": {\"protocol\": \"bgp\"}.",
       "\"BGP sessions flap, routing tables stop converging, but the data plane keeps using the last known forwarding "
       "state\" except where routes are withdrawn; route flap damping trades reachability for stability (004)."},
      {"bgp-daemon-crash", "control", "router",
       {},
       "The BGP daemon crashes at `at` (sessions drop, its RIBs are lost) and restarts at `until`; the FIB keeps its "
       "last routes meanwhile. Needs \"routing\": {\"protocol\": \"bgp\"}.",
       "Existing traffic keeps flowing on the last programmed state while neighbours withdraw the routes they "
       "learned from it; what stops is change (004, control plane)."},
      {"fib-programming-stall", "control", "router",
       {},
       "The control plane keeps computing routes but the FIB stops taking them: programs queue until `until`.",
       "\"The control plane has computed routes, but the data plane\" forwards on old state: the RIB says one "
       "thing, the FIB another (004)."},
      {"mgmt-oob-down", "management", "device",
       {},
       "The out-of-band management path of the target is cut (target the station to cut every OOB path).",
       "\"When the management plane fails, you don't lose traffic immediately, but you lose the ability to "
       "see why you might be losing traffic.\" Dashboards go stale; traffic is unaffected (004, management "
       "plane)."},
      {"disk-pressure", "control", "store-member",
       {{"extra_fsync_latency", "duration", "0ms", "latency added to every fsync of the member's disk"},
        {"iops_factor", "ratio", "1", "share of the disk's IOPS left, 0..1"},
        {"neighbor_iops", "number", "0", "operations per second of a noisy neighbour sharing the disk queue"}},
       "The store member's disk slows: every WAL append waits longer for its fsync. The Raft loop of the member "
       "blocks on the fsync, so its heartbeats and replies go out late.",
       "\"etcd under heavy disk I/O pressure: deployments stall, autoscaling stops reacting, API calls time out; "
       "existing workloads keep serving\" (004, Kubernetes)."},
      {"store-member-crash", "control", "store-member",
       {},
       "The store member's process dies at `at` (both planes stop; what its WAL holds survives) and restarts at "
       "`until`, replaying its log and rejoining as a follower.",
       "Losing one of three members keeps quorum; losing two stops every write while reads served from the API "
       "server's cache go on (etcd docs, \"Failure modes\")."},
      {"store-partition", "control", "store-member",
       {{"from", "text", "", "comma-separated members it is cut from (omit: every other member)"}},
       "Peer traffic (port 2380) between the target and the listed members is dropped both ways; clients still "
       "reach it.",
       "A leader cut from the majority steps down after an election timeout (CheckQuorum); the majority elects a new "
       "one (Raft §5.2, etcd docs \"Failure modes\")."},
      {"cni-broken", "data", "node",
       {},
       "The node's pod network breaks: service traffic entering the node or sent to its pods is refused, while the "
       "kubelet keeps renewing its lease.",
       "\"kubectl get nodes says Ready while curl says Connection refused\" (004, Kubernetes)."},
      {"provisioning-api-degraded", "control", "cloud-api",
       {{"error_rate", "ratio", "1", "share of instance launches that fail"},
        {"extra_latency", "duration", "0ms", "latency added to every instance API call"}},
       "Instance launches fail (or answer slowly); instances that retire are not replaced.",
       "Replacement instances fail to join; capacity shrinks slowly until load exceeds what is left and the "
       "service tips over (004, public cloud)."},
  };
  return kCatalog;
}

const FaultKind* FindFaultKind(const std::string& name) {
  for (const auto& k : FaultCatalog()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::vector<std::string> FaultParamList(const std::string& value) {
  std::vector<std::string> items;
  for (size_t a = 0; a <= value.size();) {
    size_t b = value.find(',', a);
    if (b == std::string::npos) b = value.size();
    items.push_back(value.substr(a, b - a));
    a = b + 1;
  }
  return items;
}

std::string FaultParamOr(const FaultKind& kind, const std::map<std::string, std::string>& params,
                         const std::string& name) {
  auto it = params.find(name);
  if (it != params.end()) return it->second;
  for (const auto& p : kind.params) {
    if (p.name == name) return p.default_value;
  }
  return "";
}

std::string CheckFaultParams(const FaultKind& kind, const std::map<std::string, std::string>& params) {
  for (const auto& [name, value] : params) {
    const FaultParam* param = nullptr;
    for (const auto& p : kind.params) {
      if (p.name == name) param = &p;
    }
    if (!param) {
      std::string allowed;
      for (const auto& p : kind.params) allowed += (allowed.empty() ? "" : ", ") + p.name;
      return "fault kind \"" + kind.name + "\" has no parameter \"" + name + "\"; allowed: " +
             (allowed.empty() ? "none" : allowed);
    }
    if (param->type == "duration") {
      auto d = ParseDuration(value);
      if (!d) return "parameter \"" + name + "\": " + d.error;
    } else if (param->type == "bitrate") {
      auto r = ParseBitRate(value);
      if (!r) return "parameter \"" + name + "\": " + r.error;
    } else if (param->type == "text") {
      if (value.empty()) return "parameter \"" + name + "\" is empty";
    } else if (param->type == "number") {
      char* end = nullptr;
      double v = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || v < 0) {
        return "parameter \"" + name + "\": \"" + value + "\" is not a number of 0 or more";
      }
    } else if (param->type == "ratio") {
      char* end = nullptr;
      double v = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || v < 0 || v > 1) {
        return "parameter \"" + name + "\": \"" + value + "\" is not a ratio between 0 and 1";
      }
      if (kind.name == "control-cpu-saturation" && v > 0.999) {
        return "parameter \"load\": at most 0.999 (a CPU fully taken would never finish any work)";
      }
    }
  }
  return "";
}

}  // namespace planelab
