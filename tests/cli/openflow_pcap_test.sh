#!/usr/bin/env bash
# The SDN control channel on the wire: runs an SDN scenario with --pcap on one switch and asks Wireshark's
# OpenFlow 1.3 dissector (openflow_v4, TCP port 6653) what it sees on the switch's control port: the handshake
# (HELLO, FEATURES), echo probes, role requests with a generation id (OF 1.3.5 §6.3.6), FLOW_MODs with OXM
# matches and their BARRIERs, PACKET_INs carrying the missed packet's Ethernet/IPv4 header, PACKET_OUTs carrying
# LLDP probes, FLOW_REMOVED on idle timeout, and not one malformed packet.
# Usage: openflow_pcap_test.sh PLANELAB SCENARIO OUT_DIR DEVICE
set -uo pipefail
planelab=$1 scenario=$2 out=$3 device=$4

source "$(dirname "$0")/pcap_common.sh"
capture_device

check_at_least_one "OpenFlow 1.3 on TCP 6653" 'openflow_v4.version == 0x04 && tcp.port == 6653'
check_at_least_one "HELLO" 'openflow_v4.type == 0'
check_at_least_one "FEATURES_REQUEST" 'openflow_v4.type == 5'
check_at_least_one "FEATURES_REPLY" 'openflow_v4.type == 6'
check_at_least_one "ECHO_REQUEST (inactivity probe)" 'openflow_v4.type == 2'
check_at_least_one "ECHO_REPLY" 'openflow_v4.type == 3'
check_at_least_one "ROLE_REQUEST master" 'openflow_v4.role_request.role == 2'
check_at_least_one "ROLE_REQUEST slave" 'openflow_v4.role_request.role == 3'
check_at_least_one "FLOW_MOD add" 'openflow_v4.type == 14 && openflow_v4.flowmod.command == 0'
check_at_least_one "FLOW_MOD matching IPv4 destination (OXM)" 'openflow_v4.oxm.field == 12'
check_at_least_one "BARRIER_REQUEST" 'openflow_v4.type == 20'
check_at_least_one "BARRIER_REPLY" 'openflow_v4.type == 21'
check_at_least_one "PACKET_IN (table miss) carrying IPv4" 'openflow_v4.packet_in.reason == 0 && ip.proto == 17'
check_at_least_one "PACKET_OUT carrying LLDP" 'openflow_v4.type == 13 && lldp'
check_at_least_one "FLOW_REMOVED on idle timeout" 'openflow_v4.flow_removed.reason == 0'

check_none "malformed packets or expert errors" '_ws.malformed || _ws.expert.severity == error'
echo "PASS"
