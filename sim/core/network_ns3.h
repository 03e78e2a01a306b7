// ns-3 accessors of the Network, for models that bind sockets and FIBs (ns-3 header).
#pragma once
#include <ns3/node.h>
#include <ns3/ptr.h>

#include "sim/core/ip_fib.h"
#include "sim/core/network.h"

namespace planelab {

ns3::Ptr<ns3::Node> NodeOf(Network& net, const std::string& device);
ns3::Ptr<IpFib> FibOf(Network& net, const std::string& device);

}  // namespace planelab
