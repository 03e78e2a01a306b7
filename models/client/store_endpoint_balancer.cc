#include "models/client/store_endpoint_balancer.h"

#include <algorithm>

#include "sim/util/hash.h"

namespace planelab {

StoreEndpointBalancer::StoreEndpointBalancer(size_t members, const std::string& client_name)
    : unhealthy_until_(members, 0), backoff_(members, kUnhealthyFor) {
  // gRPC shuffles nothing by itself; clients that list the endpoints in one order all start on the
  // first. Each client here starts at a member of its own, so load and failures spread.
  if (members > 0) next_ = static_cast<size_t>(Fnv1a64(client_name) % members);
}

size_t StoreEndpointBalancer::Pick(SimTime now) {
  const size_t n = unhealthy_until_.size();
  if (n == 0) return 0;
  for (size_t i = 0; i < n; ++i) {
    size_t m = (next_ + i) % n;
    if (Healthy(m, now)) {
      next_ = (m + 1) % n;
      return m;
    }
  }
  // Every member failed recently: try the one whose quarantine ends first rather than none.
  size_t best = next_;
  for (size_t i = 0; i < n; ++i) {
    size_t m = (next_ + i) % n;
    if (unhealthy_until_[m] < unhealthy_until_[best]) best = m;
  }
  next_ = (best + 1) % n;
  return best;
}

void StoreEndpointBalancer::Failed(size_t member, SimTime now) {
  if (member >= unhealthy_until_.size()) return;
  unhealthy_until_[member] = now + backoff_[member];
  backoff_[member] = std::min(kMaxUnhealthyFor, 2 * backoff_[member]);
}

void StoreEndpointBalancer::Succeeded(size_t member) {
  if (member < backoff_.size()) backoff_[member] = kUnhealthyFor;
}

}  // namespace planelab
