// Messages between a switch's planes: the agent (control) programs the forwarding hardware (data) with OpenFlow
// messages and gets packet-ins, removals and errors back; both report status to the management agent.
#pragma once
#include <cstdint>
#include <vector>

#include "models/proto/openflow13.h"
#include "models/proto/plane_messages.h"

namespace planelab {

/// Control -> data: an OpenFlow message to apply (FLOW_MOD, GROUP_MOD, PACKET_OUT, BARRIER_REQUEST), from the
/// controller connection `conn`, or the fail-open switch.
struct SwitchCommand {
  enum class Kind { kOpenFlow, kFailOpen } kind = Kind::kOpenFlow;
  of13::Message msg;
  uint32_t conn = 0;       // which controller connection sent it: replies and errors go back there
  bool fail_open = false;  // kFailOpen: install (true) or remove (false) the standalone fallback
};

/// Data -> control: an asynchronous OpenFlow message (PACKET_IN, FLOW_REMOVED) for the controllers, or a reply
/// (ERROR, BARRIER_REPLY) for connection `conn`.
struct SwitchEvent {
  of13::Message msg;
  uint32_t conn = 0;   // 0: asynchronous, for every controller whose role receives it
  bool reset = false;  // the hardware restarted with empty tables: the agent reconnects, so controllers resync
};

/// Data -> management: what the forwarding hardware holds, for the agent's answers.
struct SwitchDataStatus {
  std::vector<InterfaceStatus> interfaces;  // every data interface (OpenFlow ports and the control port)
  uint32_t flows = 0, capacity = 0, groups = 0;
  uint64_t lookups = 0, matched = 0;
  uint32_t ports_up = 0, ports = 0;
  bool fail_open = false;
};

/// Control -> management: the controller connections as the agent sees them.
struct SwitchControlStatus {
  uint32_t controllers = 0, connected = 0;
  bool has_master = false;
};

}  // namespace planelab
