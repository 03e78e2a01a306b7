#!/usr/bin/env bash
# Cluster components' metrics on the wire: runs a cluster scenario with a telemetry pipeline and --pcap on one
# component, and asks Wireshark's dissectors (tshark, HTTP decoded on the component's metrics port) what they see:
# the station's TCP connections, Prometheus's GET /metrics, the component's 200 answers in the text exposition
# format (version 0.0.4), and not one malformed packet.
# Usage: prometheus_pcap_test.sh PLANELAB SCENARIO OUT_DIR DEVICE PORT
set -uo pipefail
planelab=$1 scenario=$2 out=$3 device=$4 port=$5

source "$(dirname "$0")/pcap_common.sh"
capture_device

decoded() {
  local filter=$1 n
  n=$(tshark -n -r "$merged" -d "tcp.port==$port,http" -Y "$filter" -T fields -e frame.number 2>"$out/tshark.err") ||
    fail "tshark -Y '$filter': $(cat "$out/tshark.err")"
  n=$(printf '%s' "$n" | grep -c . || true)
  echo "$2: $n frames ($filter)"
  [ "$3" = some ] && { ((n > 0)) || fail "no $2 in $device's pcap files"; }
  [ "$3" = none ] && { ((n == 0)) || fail "$n frames of $2 in $device's pcap files"; }
  return 0
}

decoded "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == $port" "the station opening scrape connections" some
decoded "http.request.method == \"GET\" && http.request.uri == \"/metrics\" && http.user_agent contains \"Prometheus\"" \
  "Prometheus GET /metrics" some
decoded "http.response.code == 200 && http.content_type contains \"version=0.0.4\"" "200 answers in the exposition format" some
decoded "http.response.code == 200 && http.file_data contains \"# TYPE\"" "bodies with # TYPE lines" some
decoded "_ws.malformed" "malformed packets" none
echo "PASS: $device serves /metrics Wireshark decodes as HTTP"
