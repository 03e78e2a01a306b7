// The SDN controller's decisions, pure (no ns-3): the fabric graph it discovered, shortest paths with ECMP, the
// flows an intent needs, and the replicated cluster state (intents, per-switch mastership with a term) that every
// member applies in Raft log order. Unit-tested in tests/models/sdn_controller/control/fabric_core_test.cc.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "models/proto/openflow13.h"

namespace planelab::sdn {

/// A switch port: datapath id and OpenFlow port number.
struct PortRef {
  uint64_t dpid = 0;
  uint32_t port = 0;
  bool operator<(const PortRef& o) const { return dpid != o.dpid ? dpid < o.dpid : port < o.port; }
  bool operator==(const PortRef& o) const { return dpid == o.dpid && port == o.port; }
};

/// What the controller knows of the fabric: switch-to-switch links (from LLDP-like discovery) and where hosts
/// attach (ONOS's netcfg "hosts" with their locations, or learnt from packet-ins).
class FabricGraph {
 public:
  /// A discovered directed link: a probe sent out of `from` arrived at `to`.
  void AddLink(PortRef from, PortRef to);
  /// A port went down or stopped answering probes: the links through it go.
  void RemovePort(PortRef p);
  void AddHost(uint32_t ipv4, PortRef at);
  std::optional<PortRef> HostAt(uint32_t ipv4) const;
  size_t links() const { return links_.size(); }
  const std::map<PortRef, PortRef>& link_map() const { return links_; }

  /// For every switch that has a shortest path towards `dst_ipv4`'s switch: the ports of its equal-cost next
  /// hops (on the destination switch, the host's port). Hop count is the cost, as ONOS's default path service.
  std::map<uint64_t, std::vector<uint32_t>> NextHopsTo(uint32_t dst_ipv4) const;
  /// The switches on some shortest path from `from` to `dst_ipv4`'s switch, each with its next-hop ports.
  std::map<uint64_t, std::vector<uint32_t>> PathTo(uint64_t from, uint32_t dst_ipv4) const;

 private:
  void Changed() { cache_.clear(); into_.clear(); }
  std::map<PortRef, PortRef> links_;
  std::map<uint32_t, PortRef> hosts_;
  // Computed on demand and kept until the graph changes: a fabric asks for the same destinations again and
  // again (every packet-in), and a thousand switches' BFS per packet-in is what the cache saves.
  mutable std::map<uint32_t, std::map<uint64_t, std::vector<uint32_t>>> cache_;
  mutable std::map<uint64_t, std::vector<std::pair<uint64_t, uint32_t>>> into_;  // to -> (from, from's port)
};

/// One flow a controller wants on one switch: a destination match and the ports to spread it over.
struct FlowPlan {
  uint64_t dpid = 0;
  of13::Message flow_mod;                 // a FLOW_MOD (add)
  std::optional<of13::Message> group_mod;  // the SELECT group it uses, when it has several next hops
};

/// The FLOW_MODs (and groups) that forward traffic for `dst_ipv4` along `hops`, with this priority, cookie and
/// timeouts; a switch with several next hops gets a SELECT group (ECMP) whose id is derived from its ports.
std::vector<FlowPlan> PlanDestination(const std::map<uint64_t, std::vector<uint32_t>>& hops, uint32_t dst_ipv4,
                                      uint16_t priority, uint64_t cookie, uint16_t idle_timeout,
                                      uint16_t hard_timeout);

/// An operator's intent (ONOS's intent framework): connect two hosts, deny traffic between them (an ACL), or
/// move a pair's path off a switch.
struct Intent {
  std::string id;
  std::string kind = "connect";  // connect | acl-deny | avoid
  uint32_t a = 0, b = 0;         // host addresses
  uint64_t avoid_dpid = 0;       // for "avoid"
};

/// A command of the replicated log.
struct ClusterCommand {
  enum class Kind { kIntent, kMastership } kind = Kind::kIntent;
  Intent intent;
  uint64_t dpid = 0;
  uint64_t master = 0;  // Raft member id
  uint64_t term = 0;    // mastership term: the OpenFlow generation_id the master claims with (OF §6.3.6)
};

/// The cluster's replicated state machine: what every member applies in log order.
class ClusterState {
 public:
  void Apply(const ClusterCommand& c);
  const std::map<std::string, Intent>& intents() const { return intents_; }
  /// Master member of a switch and its term; {0, 0} when none was ever assigned.
  std::pair<uint64_t, uint64_t> MasterOf(uint64_t dpid) const;
  const std::map<uint64_t, std::pair<uint64_t, uint64_t>>& masters() const { return masters_; }
  uint64_t mastership_changes() const { return changes_; }

 private:
  std::map<std::string, Intent> intents_;
  std::map<uint64_t, std::pair<uint64_t, uint64_t>> masters_;  // dpid -> (member, term)
  uint64_t changes_ = 0;
};

/// The mastership commands a leader proposes so that every switch has a live master: switches without one, or
/// whose master is not in `live`, go to the live member mastering the fewest (ties: lowest id), with the term
/// one above the switch's last (ONOS's mastership service balances likewise). Nothing moves otherwise.
std::vector<ClusterCommand> Rebalance(const ClusterState& state, const std::vector<uint64_t>& switches,
                                      const std::set<uint64_t>& live);

}  // namespace planelab::sdn
