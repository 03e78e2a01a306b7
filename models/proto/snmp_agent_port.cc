#include "models/proto/snmp_agent_port.h"

#include <ns3/inet-socket-address.h>
#include <ns3/udp-socket-factory.h>

#include <vector>

#include "models/proto/mgmt_protocol.h"
#include "sim/core/network_ns3.h"

namespace planelab {

using namespace ns3;

uint32_t OobAddressOf(const Network& net, const std::string& device) {
  uint32_t oob_addr = 0;
  for (const auto& i : net.Interfaces(device)) {
    if (i.oob) oob_addr = i.local_addr;
  }
  return oob_addr;
}

Ptr<ns3::Socket> OpenSnmpAgentPort(Network& net, const std::string& device, uint32_t oob_addr,
                                   std::function<bool()> running,
                                   std::function<std::optional<snmp::Message>(const snmp::Message&)> respond,
                                   std::function<void()> answered) {
  Ptr<ns3::Socket> sock = ns3::Socket::CreateSocket(NodeOf(net, device), UdpSocketFactory::GetTypeId());
  sock->Bind(InetSocketAddress(Ipv4Address(oob_addr), kAgentPort));
  sock->SetRecvCallback([running = std::move(running), respond = std::move(respond),
                         answered = std::move(answered)](Ptr<ns3::Socket> s) {
    Address from;
    while (Ptr<Packet> p = s->RecvFrom(from)) {
      if (!running()) continue;
      std::vector<uint8_t> req(p->GetSize());
      p->CopyData(req.data(), req.size());
      // As net-snmp's agent: a message that does not parse, or of another community, is dropped without an
      // answer (snmpInASNParseErrs / snmpInBadCommunityNames, RFC 3418).
      std::optional<snmp::Message> q = snmp::Decode(req);
      if (!q || q->community != kSnmpCommunity) continue;
      std::optional<snmp::Message> r = respond(*q);
      if (!r) continue;
      std::vector<uint8_t> bytes = snmp::Encode(*r);
      s->SendTo(Create<Packet>(bytes.data(), bytes.size()), 0, from);
      answered();
    }
  });
  return sock;
}

}  // namespace planelab
