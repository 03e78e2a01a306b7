// The switch's management plane: an SNMPv2c agent on the out-of-band port, the router agent's pattern, answering
// the monitoring station with what the switch believes (ports, flows, controller channels).
#pragma once
#include <memory>

#include "models/proto/mgmt_protocol.h"
#include "models/switch/switch_plane_messages.h"
#include "sim/core/plane_actor.h"

namespace planelab {

class Network;

/// An SNMPv2c agent (RFC 3416 on UDP 161), community "public", answering from a snapshot it refreshes from the
/// data and control planes every second: IF-MIB ports, and flows and controller channels in the enterprise arc.
class SwitchMgmtAgent : public PlaneActor {
 public:
  SwitchMgmtAgent(RunContext& ctx, const std::string& device, Network& net, Port<StatusQuery>& to_data,
                  Port<StatusQuery>& to_control);
  ~SwitchMgmtAgent() override;
  void Start() override;
  Health MeasureHealth() override;
  void OnDataStatus(const SwitchDataStatus& s) { data_ = s; }
  void OnControlStatus(const SwitchControlStatus& s) { control_ = s; }

 protected:
  /// A crash of the agent loses its socket and its snapshot.
  void HandleCrash() override;

 private:
  void Refresh();
  snmp::MibView View() const;
  Network& net_;
  Port<StatusQuery>& to_data_;
  Port<StatusQuery>& to_control_;
  SwitchDataStatus data_;
  SwitchControlStatus control_;
  uint64_t query_id_ = 0;
  struct Socket;
  std::unique_ptr<Socket> socket_;
  Counter* answered_;
  Gauge* oob_reachable_;
};

}  // namespace planelab
