// The status-poll protocol between the monitoring station and device agents: SNMPv2c over UDP
// (RFC 3416 PDUs, RFC 3417 transport, RFC 1901 community "public"), and the objects polled.
#pragma once
#include <cstdint>

#include "models/proto/snmp_pdu.h"

namespace planelab {

/// The agent's UDP port (SNMP's, RFC 3417 §3).
inline constexpr uint16_t kAgentPort = 161;
/// The read community the station sends and the agents accept (net-snmp's default rocommunity).
inline constexpr const char* kSnmpCommunity = "public";

/// The objects a router's agent serves. Column OIDs are given without their index; scalars
/// without their ".0" instance.
namespace mib {

// IF-MIB (RFC 2863). ifIndex is the router's ns-3 IPv4 interface index (1-based; 0 is the
// loopback, which is not listed). The table lists the line-card interfaces the data plane reports;
// the out-of-band management port belongs to the management plane and is not in it, so ifNumber
// is the dashboard's "interfaces total" exactly as before.
inline const snmp::Oid kIfNumber = {1, 3, 6, 1, 2, 1, 2, 1};                  // INTEGER, instance .0
inline const snmp::Oid kIfOperStatus = {1, 3, 6, 1, 2, 1, 2, 2, 1, 8};        // INTEGER, .<ifIndex>
inline constexpr int32_t kIfOperUp = 1;
inline constexpr int32_t kIfOperDown = 2;
// IF-MIB ifHCInOctets (RFC 2863 ifXTable), Counter64, .<ifIndex>: the IPv4 octets the line card
// received on the interface, for the router or through it (the link's 2-byte PPP framing is below
// the FIB and not counted). A dead ASIC still counts what arrives: the port receives, the chip drops.
inline const snmp::Oid kIfHCInOctets = {1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6};

// HOST-RESOURCES-MIB (RFC 2790): hrProcessorLoad, the route processor's load in integer percent.
// Indexed by hrDeviceIndex; net-snmp numbers processors from 768 (hrDeviceProcessor << 8), and so
// does this agent for its one route processor.
inline const snmp::Oid kHrProcessorLoad = {1, 3, 6, 1, 2, 1, 25, 3, 3, 1, 2};  // INTEGER 0..100
inline constexpr uint32_t kRouteProcessorIndex = 768;

// BGP4-MIB (RFC 4273) bgpPeerState, INTEGER idle(1) .. established(6), .<peer IPv4 address as
// four sub-identifiers>: each configured session's FSM state as the route processor reports it.
// Link-state routers serve no row (OSPF-MIB's ospfNbrTable is not modelled).
inline const snmp::Oid kBgpPeerState = {1, 3, 6, 1, 2, 1, 15, 3, 1, 2};

// An enterprise subtree for the values no standard object carries. 1.3.6.1.4.1.99999 is a private
// experimental arc used only inside the simulator (route counts, and the adjacency counts for
// link-state routers as well as BGP): PlaneLab holds no IANA Private Enterprise
// Number, and this one is not registered to it. Scalars, Gauge32, instance .0:
inline const snmp::Oid kPlaneLabRouter = {1, 3, 6, 1, 4, 1, 99999, 1, 1};
inline const snmp::Oid kFibRoutes = {1, 3, 6, 1, 4, 1, 99999, 1, 1, 1};      // routes in the FIB
inline const snmp::Oid kRibRoutes = {1, 3, 6, 1, 4, 1, 99999, 1, 1, 2};      // routes in the RIB
inline const snmp::Oid kAdjacenciesUp = {1, 3, 6, 1, 4, 1, 99999, 1, 1, 3};  // OSPF-like or BGP, up
inline const snmp::Oid kAdjacenciesConfigured = {1, 3, 6, 1, 4, 1, 99999, 1, 1, 4};
// OpenFlow switches (models/switch) serve the router's objects read as a switch's (FIB routes: flow entries;
// adjacencies: controller channels up and configured), so the station's dashboard reads them unchanged, and
// their own scalars:
inline const snmp::Oid kPlaneLabSwitch = {1, 3, 6, 1, 4, 1, 99999, 1, 2};
inline const snmp::Oid kFlowEntries = {1, 3, 6, 1, 4, 1, 99999, 1, 2, 1};     // entries in the flow table
inline const snmp::Oid kFlowCapacity = {1, 3, 6, 1, 4, 1, 99999, 1, 2, 2};    // entries the table holds
inline const snmp::Oid kHasMaster = {1, 3, 6, 1, 4, 1, 99999, 1, 2, 3};       // 1: a controller is master
inline const snmp::Oid kFailOpen = {1, 3, 6, 1, 4, 1, 99999, 1, 2, 4};        // 1: standalone fallback on

}  // namespace mib
}  // namespace planelab
