// A workload certificate's life in the istio-agent (pure, no ns-3): issued by istiod's CA over a CSR, rotated at
// a jittered share of its lifetime, expired after its TTL. Defaults are Istio's (pilot-agent environment):
// SECRET_TTL 24h, SECRET_GRACE_PERIOD_RATIO 0.5, SECRET_GRACE_PERIOD_RATIO_JITTER 0.01
// (istio.io/latest/docs/reference/commands/pilot-agent/#envvars). The rotation time follows the agent's
// SecretManagerClient.rotateTime (security/pkg/nodeagent/cache/secretcache.go): expiry - (ratio ± jitter) x lifetime.
#pragma once
#include <cstdint>

#include "sim/util/units.h"

namespace planelab::mesh {

struct CertConfig {
  SimTime ttl = 24 * 3600 * kSec;   // SECRET_TTL
  double grace_ratio = 0.5;         // SECRET_GRACE_PERIOD_RATIO
  double grace_jitter = 0.01;       // SECRET_GRACE_PERIOD_RATIO_JITTER
  // A CSR that gets no answer is sent again after this back-off, doubling (chosen: the agent's CA client retries
  // with gRPC's back-off; PlaneLab uses 1 s doubling to 30 s, as Envoy's xDS stream).
  SimTime csr_retry = 1 * kSec;
  SimTime csr_retry_max = 30 * kSec;
};

/// One workload certificate as the agent holds it.
class CertLifecycle {
 public:
  explicit CertLifecycle(CertConfig c) : c_(c) {}
  /// A signed certificate arrived: valid from `issued` to `expiry`.
  void Issued(SimTime issued, SimTime expiry);
  /// The time the agent asks for the next one. `u` in [0, 1) picks the jitter's size, `sign` (+1/-1) its direction.
  SimTime RotateAt(double u, int sign) const;
  bool has() const { return has_; }
  bool Valid(SimTime now) const { return has_ && now >= issued_ && now < expiry_; }
  bool Expired(SimTime now) const { return has_ && now >= expiry_; }
  SimTime issued() const { return issued_; }
  SimTime expiry() const { return expiry_; }
  /// The wait before the n-th retry (0-based) of an unanswered CSR.
  SimTime RetryDelay(uint32_t attempt) const;
  const CertConfig& config() const { return c_; }

 private:
  CertConfig c_;
  bool has_ = false;
  SimTime issued_ = 0, expiry_ = 0;
};

}  // namespace planelab::mesh
