#!/usr/bin/env bash
# The sidecars' mTLS on the wire: runs a mesh scenario over TCP with --pcap on one device and asks Wireshark's TLS
# dissector (port 80 decoded as TLS) what it sees: TCP connections to port 80 that open with a TLS 1.3 ClientHello
# (RFC 8446 §4.1.2: SNI naming the pod, ALPN istio-http/1.1, supported_versions 1.3, an x25519 key share) and a
# ServerHello (§4.1.3: TLS_AES_128_GCM_SHA256, TLS 1.3) with the compatibility ChangeCipherSpec, then encrypted
# application data both ways, and not one malformed packet.
# Usage: mesh_tls_pcap_test.sh PLANELAB SCENARIO OUT_DIR DEVICE
set -uo pipefail
planelab=$1 scenario=$2 out=$3 device=$4

source "$(dirname "$0")/pcap_common.sh"
capture_device

# Port 80 is HTTP to tshark: the sidecars' traffic there is TLS (Istio's mTLS on the service port).
count() {
  local filter=$1 n
  n=$(tshark -n -r "$merged" -d tcp.port==80,tls -Y "$filter" -T fields -e frame.number 2>"$out/tshark.err") ||
    fail "tshark -Y '$filter': $(cat "$out/tshark.err")"
  printf '%s' "$n" | grep -c . || true
}

check_at_least_one "TCP SYN to the sidecars' port 80" 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 80'
check_at_least_one "ClientHello" 'tls.handshake.type == 1'
check_at_least_one "ClientHello naming a pod (SNI)" 'tls.handshake.type == 1 && tls.handshake.extensions_server_name matches "^(web|backend)-"'
check_at_least_one "ClientHello offering ALPN istio-http/1.1" 'tls.handshake.extensions_alpn_str == "istio-http/1.1"'
check_at_least_one "ClientHello offering TLS 1.3" 'tls.handshake.extensions.supported_version == 0x0304'
check_at_least_one "ClientHello with an x25519 key share" 'tls.handshake.extensions_key_share_group == 29'
check_at_least_one "ServerHello" 'tls.handshake.type == 2'
check_at_least_one "ServerHello choosing TLS_AES_128_GCM_SHA256" 'tls.handshake.type == 2 && tls.handshake.ciphersuite == 0x1301'
check_at_least_one "ChangeCipherSpec (compatibility)" 'tls.record.content_type == 20'
check_at_least_one "encrypted application data (TLS 1.3 opaque type)" 'tls.record.opaque_type == 23 && tls.app_data'
check_none "malformed packets or expert errors" '_ws.malformed || _ws.expert.severity == error'
echo "PASS"
