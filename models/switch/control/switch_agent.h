// The switch's control plane: the OpenFlow agent (Open vSwitch's connmgr/rconn) that keeps a channel to every
// controller of the cluster, honours their roles, probes idle channels, reconnects with backoff and, in
// standalone fail mode, hands forwarding to the hardware's MAC learning while no controller speaks.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/switch/switch_plane_messages.h"
#include "models/switch/switch_section.h"
#include "sim/core/plane_actor.h"

namespace planelab {

class Network;
class OfConn;

/// One controller the switch is configured with (ovs-vsctl set-controller tcp:<addr>:6653).
struct ControllerTarget {
  std::string device;
  uint32_t addr = 0;
};

/// The OpenFlow agent: channels, roles (OF 1.3.5 §6.3.6), echo probes, backoff, fail mode.
class SwitchAgent : public PlaneActor {
 public:
  SwitchAgent(RunContext& ctx, const std::string& device, Network& net, const SwitchSpec& spec, uint64_t dpid,
              std::vector<ControllerTarget> controllers, uint32_t local_addr, Port<SwitchCommand>& to_data);
  ~SwitchAgent() override;
  void Start() override;
  Health MeasureHealth() override;
  void OnDataEvent(const SwitchEvent& e);
  /// The management agent asks about the channels; the answer goes out on `to_mgmt`.
  void OnStatusQuery(const StatusQuery& q, Port<SwitchControlStatus>& to_mgmt);
  /// Fault hook (control-channel-down): every channel is cut at the agent and no new one is opened.
  void SetChannelBlocked(bool blocked);

 protected:
  /// The agent process dies: its channels close (the controllers see the switch go); the hardware keeps
  /// forwarding on its table.
  void HandleCrash() override;
  void HandleRestart() override;

 private:
  struct Ctl;
  void Connect(size_t i);
  void Connected(size_t i);
  void Down(size_t i, const std::string& why);
  void Retry(size_t i);
  void OnMessage(size_t i, const of13::Message& m);
  void Tick();
  void UpdateGauges();
  void SendError(size_t i, const of13::Message& m, uint16_t type, uint16_t code);

  Network& net_;
  SwitchSpec spec_;
  uint64_t dpid_;
  uint32_t local_addr_;
  Port<SwitchCommand>& to_data_;
  std::vector<std::unique_ptr<Ctl>> ctls_;
  uint32_t conn_seq_ = 0;
  bool have_generation_ = false;
  uint64_t generation_ = 0;
  SimTime last_any_rx_ = 0;
  bool fail_open_ = false;
  bool blocked_ = false;
  Gauge* connected_;
  Gauge* has_master_;
  Histogram* echo_rtt_;
  Counter* drops_;
  Counter* flow_mods_;
  Counter* packet_ins_;
  Counter* packet_ins_dropped_;
  Counter* role_changes_;
};

}  // namespace planelab
