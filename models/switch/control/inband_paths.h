// In-band control networks, pure: the paths the OpenFlow channels and the controllers' cluster traffic take
// across the data fabric itself. Open vSwitch's in-band mode (ofproto/in-band.c) installs hidden flows above every
// OpenFlow flow that forward traffic to and from the controllers with the NORMAL action over a loop-free L2
// network; PlaneLab fixes each such path at the start as a shortest path over the switches (the first
// equal-cost neighbour in port order) and does not move it: a cut on it cuts the channels behind it until the
// link is back. Tested in tests/models/switch/control/inband_paths_test.cc.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace planelab::sdn {

/// A switch's port toward another device of the fabric.
struct InbandPort {
  std::string peer;
  uint32_t ifindex = 0, peer_addr = 0;
  bool to_switch = false;
};

/// The fabric as in-band control sees it: switches and their ports (in port order), and the endpoints of the
/// control traffic: the controllers (attached to a switch's port) and the switches' own agents.
struct InbandFabric {
  std::map<std::string, std::vector<InbandPort>> ports;  // switch -> ports
  std::map<std::string, uint32_t> agent_addr;            // switch -> the address its agent speaks from
  std::map<std::string, uint32_t> controller_addr;       // controller -> address
};

/// One switch's hidden route toward an endpoint: out of `ifindex`, to the neighbour at `next_hop`.
struct InbandHop {
  uint32_t ifindex = 0, next_hop = 0;
};

/// For every switch, the hop toward every other endpoint's address (controllers and other switches' agents) it
/// can reach. A controller is reached through the first switch port (in switch order) facing it. Endpoints no
/// switch path reaches are left out.
std::map<std::string, std::map<uint32_t, InbandHop>> InbandRoutes(const InbandFabric& fabric);

}  // namespace planelab::sdn
