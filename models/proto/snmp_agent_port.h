// The SNMP agent's UDP port on a device's out-of-band address, shared by every management plane that answers the
// station's polls (router, switch): how requests are taken, filtered and answered is one rule, net-snmp's.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "models/proto/snmp_pdu.h"

namespace ns3 {
class Socket;
template <typename T>
class Ptr;
}  // namespace ns3

namespace planelab {

class Network;

/// The device's out-of-band (management) address, or 0 when it is unmanaged.
uint32_t OobAddressOf(const Network& net, const std::string& device);

/// Binds UDP 161 on `oob_addr` and answers, while `running()`, each request that parses and names the agent's
/// community with `respond` (no answer when it returns nothing); `answered` is called per answer sent.
ns3::Ptr<ns3::Socket> OpenSnmpAgentPort(Network& net, const std::string& device, uint32_t oob_addr,
                                        std::function<bool()> running,
                                        std::function<std::optional<snmp::Message>(const snmp::Message&)> respond,
                                        std::function<void()> answered);

}  // namespace planelab
