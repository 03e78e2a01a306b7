// The SDN controller's control plane: one member of the controller cluster (ONOS-like). It accepts the switches'
// OpenFlow channels, discovers links with LLDP probes, computes paths, installs flows proactively or on
// packet-ins, takes operators' intents, and replicates intents and per-switch mastership with the project's
// Raft core (models/store/control/raft) among the members.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/sdn_controller/control/fabric_core.h"
#include "models/sdn_controller/sdn_controller_plane_messages.h"
#include "models/sdn_controller/sdn_controller_section.h"
#include "models/store/control/raft/raft_node.h"
#include "sim/core/plane_actor.h"

namespace planelab {

class Network;
class MessageSocket;
class OfConn;

/// What the controllers are configured with (ONOS's network configuration): switches, their ports, hosts and
/// where they attach, and the cluster's members. Links are not in it: they are discovered.
struct SdnNetcfg {
  std::vector<uint64_t> switches;
  std::map<uint64_t, std::string> switch_name;
  std::map<std::string, uint64_t> dpid_of;
  std::map<uint64_t, std::vector<uint32_t>> ports;
  std::map<std::string, uint32_t> host_addr;
  std::map<uint32_t, sdn::PortRef> host_at;
  std::vector<std::pair<std::string, uint32_t>> members;  // device and address; member id = position + 1
};

/// One controller member: OpenFlow channels, discovery, path computation, flow installation, intents, Raft.
class SdnControlPlane : public PlaneActor {
 public:
  SdnControlPlane(RunContext& ctx, const std::string& device, Network& net, const SdnControllerSpec& spec,
                  std::shared_ptr<const SdnNetcfg> cfg);
  ~SdnControlPlane() override;
  void Start() override;
  Health MeasureHealth() override;
  /// Fault hook (controller-partition): drop traffic with the switches, the other members, or both.
  void SetPartition(bool from_switches, bool from_members);
  /// A northbound call from the member's management plane (the REST API); the answer goes out on `reply`.
  void OnNorthbound(const NorthboundRequest& req, Port<NorthboundReply>& reply);

 protected:
  /// The process dies: channels and cluster sockets close; the Raft log (its disk) survives.
  void HandleCrash() override;
  /// Back from the log: Raft restarts from what it persisted and the cluster state is re-applied.
  void HandleRestart() override;

 private:
  struct SwConn;
  struct PeerMsg;
  struct Pending;

  // Cluster (Raft over the peer socket).
  void NewRaft(bool from_log);
  void RaftTick();
  void Pump();
  void SendPeer(uint64_t to, std::shared_ptr<PeerMsg> m, uint32_t bytes);
  void OnPeer(std::shared_ptr<const void> msg);
  void Applied(const sdn::ClusterCommand& c);
  void LeaderDuties();
  bool Propose(const sdn::ClusterCommand& c);
  uint64_t self() const { return member_; }
  bool Master(uint64_t dpid) const { return cluster_.MasterOf(dpid).first == member_; }

  // Switches (OpenFlow).
  void Listen();
  void OnSwitchMessage(SwConn* c, const of13::Message& m);
  void SwitchGone(SwConn* c);
  void ClaimRole(uint64_t dpid);
  void Sync(uint64_t dpid);
  void Program(uint64_t dpid, std::vector<of13::Message> mods, std::vector<std::string> intents, SimTime setup_start);
  void SendMods(uint64_t dpid, std::vector<of13::Message> mods, std::vector<std::string> intents, SimTime setup_start);
  SwConn* ConnOf(uint64_t dpid) const;
  void OpenFlowTick();

  // Discovery and paths.
  void ProbeLinks();
  void LinkSeen(sdn::PortRef from, sdn::PortRef to, bool gossip);
  void TopologyChanged();
  void RecomputeProactive();
  std::vector<of13::Message> ProactiveFor(uint64_t dpid, std::map<uint32_t, std::string>* keys) const;
  std::map<uint64_t, std::vector<of13::Message>> IntentFlows(const sdn::Intent& in) const;
  void OnPacketIn(SwConn* c, const of13::Message& m);

  // Northbound. AskIntent returns whether the intent was proposed to the cluster (else `why` it was refused).
  bool AskIntent(const IntentSpec& in, std::string* why = nullptr);
  sdn::Summary Summarize();

  Network& net_;
  SdnControllerSpec spec_;
  std::shared_ptr<const SdnNetcfg> cfg_;
  uint64_t member_ = 0;
  std::map<uint64_t, uint32_t> peers_;  // member -> address
  std::unique_ptr<raft::RaftNode> raft_;
  raft::PersistentState log_;  // what the member's disk holds
  sdn::ClusterState cluster_;
  std::unique_ptr<MessageSocket> peer_sock_;
  std::map<uint64_t, SimTime> heard_;  // member -> last message from it
  uint64_t last_leader_ = 0;
  std::map<uint64_t, uint64_t> proposed_terms_;  // leader: dpid -> mastership term proposed (not proposed twice)
  sdn::FabricGraph graph_;
  std::map<std::pair<sdn::PortRef, sdn::PortRef>, SimTime> link_seen_;
  bool recompute_armed_ = false;
  std::vector<std::pair<sdn::PortRef, sdn::PortRef>> gossip_out_;  // links to tell the other members
  bool gossip_armed_ = false;
  struct Listener;
  std::unique_ptr<Listener> listener_;
  std::vector<std::unique_ptr<SwConn>> conns_;
  std::map<uint64_t, SwConn*> by_dpid_;
  std::map<uint64_t, std::map<uint32_t, std::string>> programmed_;  // proactive: dpid -> dst -> what is there
  std::map<uint32_t, std::unique_ptr<Pending>> pending_;             // barrier xid -> batch
  uint32_t next_xid_ = 1;
  bool cut_switches_ = false, cut_members_ = false;
  Gauge* has_leader_;
  Gauge* is_leader_;
  Counter* mastership_changes_;
  Gauge* mastered_;
  Gauge* connected_;
  Gauge* orphans_;
  Gauge* links_;
  Counter* packet_ins_;
  Counter* flow_mods_;
  Counter* flow_mod_errors_;
  Histogram* flow_mod_latency_;
  Histogram* setup_latency_;
  Counter* intents_asked_;
  Counter* intents_refused_;
  Counter* intents_installed_;
  Gauge* intents_pending_;
  Histogram* intent_latency_;
  Gauge* intents_known_;
  uint64_t pending_here_ = 0;
  // With the northbound API: the switches each other member has channels to, from its liveness beats (as ONOS's
  // device store shares which member sees which device), for the dashboard's "available".
  std::map<uint64_t, std::set<uint64_t>> peer_connected_;
};

}  // namespace planelab
