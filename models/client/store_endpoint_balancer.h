// Which store member a store client talks to: spread, round robin, and away from failing members.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "sim/util/units.h"

namespace planelab {

/// The etcd client's endpoint choice, as kube-apiserver's clientv3 makes it: each unary call goes to
/// the next member in turn (gRPC's round_robin balancer, etcd clientv3 >= 3.4), starting from a
/// member picked by the client's name so that clients spread; a member that timed out or answered
/// "no leader" / "request timed out" is skipped for minHealthRetryDuration (3 s, clientv3 3.3's
/// health balancer), doubled after each further failure up to gRPC's 120 s reconnect backoff cap,
/// so a partitioned member stops receiving requests after its first failure and is retried rarely.
class StoreEndpointBalancer {
 public:
  /// A member is skipped this long after a failure (clientv3 health_balancer.go, minHealthRetryDuration).
  static constexpr SimTime kUnhealthyFor = 3 * kSec;
  /// gRPC connection backoff's MaxDelay (grpc/doc/connection-backoff.md).
  static constexpr SimTime kMaxUnhealthyFor = 120 * kSec;

  StoreEndpointBalancer(size_t members, const std::string& client_name);
  /// The member for the next call: the next healthy one in turn, else the one that recovers first.
  size_t Pick(SimTime now);
  /// The member a call went to failed (no answer in time, no leader, request timed out).
  void Failed(size_t member, SimTime now);
  /// The member answered (anything but a failure): its backoff starts over.
  void Succeeded(size_t member);
  bool Healthy(size_t member, SimTime now) const { return unhealthy_until_[member] <= now; }
  size_t size() const { return unhealthy_until_.size(); }

 private:
  size_t next_ = 0;
  std::vector<SimTime> unhealthy_until_;
  std::vector<SimTime> backoff_;  // quarantine after the next failure
};

}  // namespace planelab
