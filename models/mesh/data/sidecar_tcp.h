// The sidecars' connections on real ns-3 TCP (ns-3 header): a caller's sidecar keeps an HTTP/1.1 pool of TCP
// connections to the pods it sends to (one request per connection at a time, idle connections reused), each
// opened with a TLS 1.3 handshake (core/tls_wire.h: a real ClientHello naming the pod, the server's ServerHello
// and encrypted flight carrying its certificate, the client's certificate flight); a node's inbound sidecars
// accept them on port 80, check the pod's sidecar and both certificates, and answer the requests on the same
// connection.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/mesh/core/tls_wire.h"
#include "models/proto/cluster_api.h"
#include "sim/util/units.h"

namespace planelab {

class Network;
class TlsStream;

/// Envoy's cluster connect_timeout as Istio sets it (DestinationRule ConnectionPoolSettings.tcp.connectTimeout,
/// default 10s).
constexpr SimTime kSidecarConnectTimeout = 10 * kSec;
/// Sizes of the encrypted handshake flights: the server's EncryptedExtensions, CertificateRequest, Certificate (an
/// Istio workload certificate and its signing CA), CertificateVerify and Finished; the client's Certificate,
/// CertificateVerify and Finished.
constexpr uint32_t kServerFlightBytes = 2400, kClientFlightBytes = 1800;

/// A caller sidecar's upstream connections (a service client's, or one calling pod's).
class UpstreamPool {
 public:
  struct Hooks {
    std::function<SimTime()> now;
    std::function<void(SimTime, std::function<void()>)> after;  // the host's timer
    std::function<bool()> cert_valid;                          // the caller's workload certificate holds now
    std::function<void(const ServiceResponse&)> on_response;   // the answer to an attempt (its id)
    uint32_t max_requests_per_connection = 0;  // 0: unlimited
    SimTime idle_timeout = 3600 * kSec;
  };
  UpstreamPool(Network& net, std::string device, uint64_t seed, Hooks hooks);
  ~UpstreamPool();
  /// Sends attempt `req` to the pod `req->pod` on the node at `addr`: on an idle connection to that pod, or a new
  /// one (TCP, then the TLS handshake). A connection that fails answers it refused (connect failure) or
  /// tls_failure (an alert: an expired or missing certificate).
  void Send(uint32_t addr, std::shared_ptr<ServiceRequest> req);
  /// The attempt ended before its answer (a timeout, the application gone): Envoy resets the stream, which on
  /// HTTP/1.1 closes its connection.
  void Cancel(uint64_t attempt);
  /// Open connections (connecting, in the handshake, busy or idle): Envoy's upstream_cx_active.
  size_t connections() const;
  void CloseAll();

 private:
  struct Conn;
  void Fail(uint64_t id, bool tls);
  void Drop(uint64_t id);
  void OnRecord(uint64_t id, uint8_t type, const uint8_t* body, size_t n);
  void Write(Conn& c, std::shared_ptr<const ServiceRequest> req);
  Network& net_;
  std::string device_;
  tls::ByteSource rnd_;
  Hooks h_;
  std::shared_ptr<bool> alive_;
  std::map<uint64_t, std::unique_ptr<Conn>> conns_;  // by connection id: deterministic order
  uint64_t next_conn_ = 1;
};

/// A node's inbound side: its pods' sidecars accepting mTLS connections on port 80.
class InboundListener {
 public:
  /// What the pod's sidecar says to a connection: accepted, refused (closed: no such pod here, sidecar down, its
  /// listeners not started, a broken CNI), or a handshake that fails on a certificate.
  enum class Verdict { kOk, kRefused, kBadCertificate };
  struct Hooks {
    std::function<void(SimTime, std::function<void()>)> after;
    /// At the ClientHello (client certificate not yet seen: `client_cert` true) and again at the client's
    /// certificate flight. The host counts what it refuses.
    std::function<Verdict(const std::string& pod, bool client_cert)> admit;
    /// A request arrived on connection `req->conn`.
    std::function<void(std::shared_ptr<ServiceRequest>)> on_request;
  };
  InboundListener(Network& net, std::string device, uint64_t seed, Hooks hooks);
  ~InboundListener();
  /// Answers the request that came on `conn` (nothing when the connection is gone).
  void Reply(uint64_t conn, const ServiceResponse& r, uint32_t bytes);
  /// The pod is gone or its sidecar died: its connections close (the callers see them end).
  void ClosePod(const std::string& pod);
  /// Closes one connection (a request for a pod that is gone: the caller sees a reset).
  void Reset(uint64_t conn) { Drop(conn); }
  size_t connections() const { return conns_.size(); }

 private:
  struct Conn;
  void OnRecord(uint64_t id, uint8_t type, const uint8_t* body, size_t n);
  void Drop(uint64_t id);
  Network& net_;
  std::string device_;
  tls::ByteSource rnd_;
  Hooks h_;
  std::shared_ptr<bool> alive_;
  struct Listen;
  std::unique_ptr<Listen> listen_;
  std::map<uint64_t, std::unique_ptr<Conn>> conns_;
  uint64_t next_conn_ = 1;
};

}  // namespace planelab
