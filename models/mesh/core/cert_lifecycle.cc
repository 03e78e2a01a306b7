#include "models/mesh/core/cert_lifecycle.h"

#include <algorithm>

namespace planelab::mesh {

void CertLifecycle::Issued(SimTime issued, SimTime expiry) {
  has_ = true;
  issued_ = issued;
  expiry_ = expiry;
}

SimTime CertLifecycle::RotateAt(double u, int sign) const {
  const double lifetime = static_cast<double>(expiry_ - issued_);
  const double ratio = c_.grace_ratio + u * c_.grace_jitter * (sign < 0 ? -1.0 : 1.0);
  return expiry_ - static_cast<SimTime>(ratio * lifetime);
}

SimTime CertLifecycle::RetryDelay(uint32_t attempt) const {
  SimTime d = c_.csr_retry;
  for (uint32_t i = 0; i < attempt && d < c_.csr_retry_max; ++i) d *= 2;
  return std::min(d, c_.csr_retry_max);
}

}  // namespace planelab::mesh
