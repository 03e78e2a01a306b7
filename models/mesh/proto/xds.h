// The mesh's wire messages (pure): the sidecars' aggregated xDS stream to istiod (connect, ACK, keepalive) and
// their certificate signing requests to istiod's CA, on istiod's port 15012 (xDS and CA over mTLS). Carried by
// MessageSocket as real UDP datagrams of the given size.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "models/mesh/core/envoy_router.h"

namespace planelab {

/// istiod's secure xDS and CA port.
constexpr uint16_t kIstiodXdsPort = 15012;

/// sidecar -> istiod.
struct XdsUp {
  enum class Type : uint8_t { kConnect, kAck, kPing, kCsr };
  Type type = Type::kConnect;
  std::string proxy;        // the proxy's id: the pod's name, or the client's device id
  bool full_scope = false;  // a service client's sidecar: it needs every route, cluster and endpoint
  std::string workload;     // the pod's deployment (Envoy's node metadata): istiod scopes its push by what it calls
  uint64_t version = 0;     // kAck: the version applied
  uint64_t nonce = 0;       // kPing: echoed; kCsr: the request's id
  uint32_t Bytes() const { return type == Type::kCsr ? 1200 : type == Type::kPing ? 60 : 300; }
};

/// istiod -> sidecar.
struct XdsDown {
  enum class Type : uint8_t { kPush, kPong, kCert };
  Type type = Type::kPush;
  std::string proxy;
  uint64_t version = 0;
  // kPush: every route for a full-scope proxy, the called services' for a calling pod's; null: inbound only.
  std::shared_ptr<const envoy::Snapshot> snapshot;
  uint64_t nonce = 0;
  SimTime issued = 0, expiry = 0;  // kCert
  uint32_t Bytes() const {
    if (type == Type::kPong) return 60;
    if (type == Type::kCert) return 3000;  // the chain and key material (SDS)
    return snapshot ? snapshot->Bytes() : 2000;
  }
};

}  // namespace planelab
