#!/usr/bin/env bash
# The management plane on the wire: runs a BGP scenario with --pcap on one managed router and asks
# Wireshark's dissectors (tshark) what they see in its pcap files: SNMPv2c GetRequest and Response
# PDUs (RFC 3416) on UDP 161 (RFC 3417) over the out-of-band port, with the IF-MIB (RFC 2863),
# HOST-RESOURCES-MIB (RFC 2790) and enterprise objects in the answers, BGP messages (RFC 4271) on
# TCP 179 over the data links, and not one malformed packet.
# Usage: snmp_pcap_test.sh PLANELAB SCENARIO OUT_DIR DEVICE
set -uo pipefail
planelab=$1 scenario=$2 out=$3 device=$4

source "$(dirname "$0")/pcap_common.sh"
capture_device

check_at_least_one "SNMP GetRequest" 'snmp.get_request_element && snmp.community == "public" && udp.dstport == 161'
check_at_least_one "SNMP Response" 'snmp.get_response_element && udp.srcport == 161'
check_at_least_one "SNMP GetBulkRequest (the first poll's walk)" 'snmp.getBulkRequest_element'
# The objects the Responses carry, as Wireshark decodes their names.
names=$(tshark -n -r "$merged" -Y 'snmp.get_response_element' -T fields -E occurrence=a -E aggregator=/s \
  -e snmp.name 2>/dev/null | tr ' ' '\n' | sort | uniq -c)
has_object() {
  local what=$1 regex=$2
  grep -Eq " ${regex}\$" <<<"$names" || fail "no $what ($regex) in any Response"
  echo "$what: $(grep -E " ${regex}\$" <<<"$names" | awk '{s += $1} END {print s}') varbinds"
}
has_object "IF-MIB ifNumber.0" '1\.3\.6\.1\.2\.1\.2\.1\.0'
has_object "IF-MIB ifOperStatus.<ifIndex>" '1\.3\.6\.1\.2\.1\.2\.2\.1\.8\.[0-9]+'
has_object "HOST-RESOURCES-MIB hrProcessorLoad.768" '1\.3\.6\.1\.2\.1\.25\.3\.3\.1\.2\.768'
# The first poll's GetBulk walk runs past the ifOperStatus column into the next objects in MIB
# order, as snmpbulkwalk's does: bgpPeerState rows (1.3.6.1.2.1.15) and ifHCInOctets (…31).
has_object "BGP4-MIB bgpPeerState.<peer IPv4>" '1\.3\.6\.1\.2\.1\.15\.3\.1\.2(\.[0-9]+){4}'
has_object "IF-MIB ifHCInOctets.<ifIndex>" '1\.3\.6\.1\.2\.1\.31\.1\.1\.1\.6\.[0-9]+'
has_object "enterprise adjacencies up" '1\.3\.6\.1\.4\.1\.99999\.1\.1\.3\.0'
check_at_least_one "BGP OPEN, UPDATE or KEEPALIVE" 'bgp.type == 1 || bgp.type == 2 || bgp.type == 4'

check_none "malformed packets or expert errors" '_ws.malformed || _ws.expert.severity == error'

# Every Response answers a request the station sent: request-ids match (they replaced JSON's "seq").
req_ids=$(tshark -n -r "$merged" -Y 'snmp.get_request_element || snmp.getBulkRequest_element' -T fields \
  -e snmp.request_id 2>/dev/null | sort -u)
resp_ids=$(tshark -n -r "$merged" -Y 'snmp.get_response_element' -T fields -e snmp.request_id 2>/dev/null | sort -u)
unmatched=$(comm -13 <(echo "$req_ids") <(echo "$resp_ids") | grep -c .)
((unmatched == 0)) || fail "$unmatched Response request-ids match no request"
echo "PASS"
