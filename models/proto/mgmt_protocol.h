// The status-poll protocol between the monitoring station and device agents (JSON over UDP).
#pragma once
#include <cstdint>

namespace planelab {

/// The agent's UDP port (SNMP's, RFC 3417 §3).
inline constexpr uint16_t kAgentPort = 161;

}  // namespace planelab
