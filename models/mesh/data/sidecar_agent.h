// One Envoy sidecar with its istio-agent, as a pure core (no ns-3): the xDS stream to istiod (connect, ACK,
// keepalive, reconnect with Envoy's jittered back-off), the configuration it last applied (kept when the stream
// is lost), the initial_fetch_timeout of a new proxy, and the workload certificate (CSR, rotation, expiry).
// The host (a node's data plane, a service client) supplies time, timers, randomness and the send.
#pragma once
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "models/mesh/core/cert_lifecycle.h"
#include "models/mesh/core/envoy_router.h"
#include "models/mesh/proto/xds.h"

namespace planelab {

struct MeshSpec;

class SidecarAgent {
 public:
  struct Hooks {
    std::function<SimTime()> now;
    std::function<void(SimTime, std::function<void()>)> after;  // the host's timer; void after its crash
    std::function<void(std::shared_ptr<XdsUp>)> send;           // to istiod's port 15012
    std::function<void(const std::string& kind, const std::string& detail)> emit;
    std::mt19937_64* rng = nullptr;
  };
  SidecarAgent(std::string proxy, bool full_scope, const MeshSpec& spec, Hooks hooks);
  ~SidecarAgent();
  /// The proxy starts. `warm`: it ran before the run began (connected, configured, with a certificate issued at a
  /// random point of its rotation period); otherwise it is new: no config, no certificate.
  void Start(bool warm);
  /// The proxy dies (its container crashed): stream, configuration and certificate are gone.
  void Stop();
  bool running() const { return running_; }
  void OnMessage(const XdsDown& m);

  bool connected() const { return connected_; }
  /// Listeners are up: a configuration arrived, or initial_fetch_timeout passed without one.
  bool serving() const { return serving_; }
  bool configured() const { return table_.configured(); }
  uint64_t version() const { return table_.version(); }
  const mesh::CertLifecycle& cert() const { return cert_; }
  envoy::RouteTable& table() { return table_; }
  const std::string& proxy() const { return proxy_; }
  /// The pod's deployment, sent with the xDS connect (Envoy's node metadata) so istiod scopes the push.
  void set_workload(std::string w) { workload_ = std::move(w); }

 private:
  void Connect();
  void Lost(const char* why);
  void Ping();
  void SendCsr();
  void ScheduleRotation();
  void Later(SimTime d, std::function<void()> fn);
  double Uniform();

  std::string proxy_;
  std::string workload_;
  bool full_scope_;
  const MeshSpec& spec_;
  Hooks h_;
  std::shared_ptr<uint64_t> epoch_;  // timers of an older life (before Stop) do nothing
  bool running_ = false, connected_ = false, serving_ = false, connecting_ = false;
  uint32_t backoff_attempt_ = 0, csr_attempt_ = 0;
  uint64_t ping_nonce_ = 0, pong_nonce_ = 0, csr_nonce_ = 0;
  bool csr_outstanding_ = false;
  envoy::RouteTable table_;
  mesh::CertLifecycle cert_;
};

}  // namespace planelab
