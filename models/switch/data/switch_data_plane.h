// The switch's data plane: the forwarding hardware holding an OpenFlow flow table (ns-3 IPv4 node, transit
// packets decided by the table instead of a FIB), programmed only over its port from the agent.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <vector>

#include "models/switch/data/flow_table.h"
#include "models/switch/switch_plane_messages.h"
#include "models/switch/switch_section.h"
#include "sim/core/plane_actor.h"

namespace planelab {

class Network;

/// Looks every transit packet up in the flow table; misses and CONTROLLER actions become packet-ins; entries
/// expire on their timeouts; in fail-open, a MAC-learning switch (OFPP_NORMAL) forwards instead.
class SwitchDataPlane : public PlaneActor {
 public:
  /// `of_ports`: the interfaces that are OpenFlow ports (towards switches and hosts); `dpid`: the datapath id.
  SwitchDataPlane(RunContext& ctx, const std::string& device, Network& net, const SwitchSpec& spec, uint64_t dpid,
                  std::vector<uint32_t> of_ports, Port<SwitchEvent>& to_control);
  ~SwitchDataPlane() override;
  void Start() override;
  Health MeasureHealth() override;

  void OnCommand(const SwitchCommand& c);
  /// The management agent asks what the hardware holds; the answer goes out on `to_mgmt`.
  void OnStatusQuery(const StatusQuery& q, Port<SwitchDataStatus>& to_mgmt);
  /// In-band control (switch.control_network "in-band"): the hidden routes of the control traffic, by destination
  /// address, which the hardware applies above every OpenFlow flow (Open vSwitch's ofproto/in-band.c).
  void SetInbandRoutes(std::map<uint32_t, uint32_t> routes) { inband_ = std::move(routes); }
  /// Fault hook (asic-dead): every transit packet is dropped; the table and the agent are untouched.
  void SetAsicAlive(bool alive);
  /// Fault hook (flow-table-full): the table takes no new entry beyond what it holds now (or comes back).
  void SetTableFull(bool full);
  const sdn::FlowTable& table() const { return table_; }
  bool fail_open() const { return fail_open_; }

 protected:
  /// The forwarding hardware reboots: the flow and group tables are lost, the fallback too.
  void HandleCrash() override;
  void HandleRestart() override;

 private:
  void Decide(const of13::PacketFields& p, uint32_t hash, std::vector<uint32_t>* out);
  void Normal(const of13::PacketFields& p, std::vector<uint32_t>* out);
  void PacketIn(const of13::PacketFields& p, uint8_t reason, uint64_t cookie);
  void Apply(const SwitchCommand& c);
  void Pump();
  void ExpireTick();
  void Removed(const std::vector<sdn::RemovedFlow>& gone);
  void SendLldp(uint32_t port, const std::vector<uint8_t>& frame);
  bool PortUp(uint32_t port) const;

  Network& net_;
  SwitchSpec spec_;
  uint64_t dpid_;
  std::vector<uint32_t> of_ports_;
  Port<SwitchEvent>& to_control_;
  sdn::FlowTable table_;
  size_t configured_capacity_;
  std::deque<SwitchCommand> queue_;
  bool busy_ = false;
  bool asic_alive_ = true;
  bool fail_open_ = false;
  std::map<uint64_t, uint32_t> macs_;  // fail-open MAC learning: eth_src -> port
  std::map<uint32_t, bool> carrier_;
  std::map<uint32_t, uint32_t> inband_;  // in-band control: destination -> port
  struct Lldp;
  std::unique_ptr<Lldp> lldp_;
  uint64_t n_transit_ = 0, n_forwarded_ = 0, n_dropped_ = 0, n_miss_ = 0, n_bytes_ = 0;
  uint64_t last_transit_ = 0, last_dropped_ = 0, last_bytes_ = 0;
  SimTime last_sample_ = 0;
  Gauge* occupancy_;
  Gauge* entries_;
  Counter* transit_;
  Counter* forwarded_;
  Counter* dropped_;
  Counter* misses_;
  Counter* packet_ins_;
  Counter* expired_;
  Counter* mods_;
  Counter* full_;
  Gauge* fail_open_g_;
  Gauge* bps_;
  uint64_t last_forwarded_ = 0, last_miss_ = 0;
};

}  // namespace planelab
