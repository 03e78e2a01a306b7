// The router's management plane: a status agent on the out-of-band port, answering polls with what the device believes.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "models/proto/mgmt_protocol.h"
#include "models/proto/plane_messages.h"
#include "models/proto/telemetry_stream.h"
#include "sim/core/clock.h"
#include "sim/core/plane_actor.h"

namespace planelab {

class Network;

/// An SNMPv2c agent (RFC 3416 on UDP 161, RFC 3417): answers the station's Get, GetNext and GetBulk
/// requests, community "public", from a snapshot it refreshes from the other planes. The objects
/// served are listed in models/proto/mgmt_protocol.h (IF-MIB, HOST-RESOURCES-MIB, an enterprise arc). It also
/// streams the same state gNMI-style (models/proto/telemetry_stream.h) to a station that subscribes on port 9339.
class RouterMgmtAgent : public PlaneActor {
 public:
  RouterMgmtAgent(RunContext& ctx, const std::string& device, Network& net, Port<StatusQuery>& to_data,
                  Port<StatusQuery>& to_control);
  ~RouterMgmtAgent() override;
  void Start() override;
  Health MeasureHealth() override;
  void OnDataStatus(const DataStatus& s) { data_ = s; }
  void OnControlStatus(const ControlStatus& s) {
    control_ = s;
    control_heard_ = Clock::Now();
  }

 protected:
  /// A crash of the agent loses its socket and its snapshot; the restart opens the port and refreshes.
  void HandleCrash() override;

 private:
  void Refresh();
  /// Sends what the stream subscription says is due now.
  void Stream();
  /// Whether the routing daemon has stopped answering: no answer to the refreshes for longer than net-snmp's
  /// AgentX master waits on a subagent (agentxTimeout 1 s x agentxRetries 5, snmpd.conf(5)).
  bool DaemonGone() const;
  /// The MIB as the snapshot has it now.
  snmp::MibView View() const;
  Network& net_;
  Port<StatusQuery>& to_data_;
  Port<StatusQuery>& to_control_;
  DataStatus data_;
  ControlStatus control_;
  // When the routing daemon last answered the agent's refresh (its subagent, as AgentX has it).
  SimTime control_heard_ = 0;
  uint64_t query_id_ = 0;
  struct Socket;
  std::unique_ptr<Socket> socket_;
  // The streaming subscriber (one station), its per-path subscriptions, where to send.
  std::optional<telemetry::StreamSubscribe> subscribed_;
  std::map<std::string, telemetry::StreamSubscription> streams_;
  Counter* answered_;
  Gauge* oob_reachable_;
};

}  // namespace planelab
