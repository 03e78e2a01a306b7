#!/usr/bin/env bash
# The link-state control plane on the wire: runs a link-state scenario with --pcap on one router and asks
# Wireshark's dissectors (tshark) what they see: OSPFv2 (RFC 2328 Appendix A) in IP protocol 89 with TTL 1, every
# packet type of the adjacency's life (Hello, Database Description, LS Update, LS Acknowledgment), router-LSAs with
# point-to-point and stub links, packet checksums Wireshark finds correct, and not one malformed packet.
# Usage: ospf_pcap_test.sh PLANELAB SCENARIO OUT_DIR DEVICE
set -uo pipefail
planelab=$1 scenario=$2 out=$3 device=$4

source "$(dirname "$0")/pcap_common.sh"
capture_device

check_at_least_one "OSPF Hello" 'ospf.msg == 1 && ip.proto == 89 && ip.ttl == 1 && ospf.version == 2'
check_at_least_one "OSPF Database Description" 'ospf.msg == 2'
check_at_least_one "OSPF LS Update" 'ospf.msg == 4'
check_at_least_one "OSPF LS Acknowledgment" 'ospf.msg == 5'
check_at_least_one "Router-LSA with a point-to-point link" 'ospf.lsa == 1 && ospf.lsa.router.linktype == 1'
check_at_least_one "Router-LSA with a stub network" 'ospf.lsa.router.linktype == 3'
check_at_least_one "Hello listing its neighbour (two-way)" 'ospf.msg == 1 && ospf.hello.active_neighbor'
check_none "malformed packets" '_ws.malformed'
check_none "OSPF packets Wireshark warns about" 'ospf && _ws.expert.severity >= warning'
# Every OSPF packet's checksum (RFC 2328 A.3.1) as Wireshark verifies it.
total=$(count 'ospf') || exit 1
correct=$(tshark -n -r "$merged" -Y ospf -V 2>/dev/null | grep -cE '^ +Checksum: 0x[0-9a-f]{4} \[correct\]$')
echo "OSPF packets with a correct checksum: $correct of $total"
((correct == total)) || fail "$((total - correct)) OSPF packets without a correct checksum"
echo "PASS: $device speaks OSPFv2 Wireshark decodes"
