// The horizontal pod autoscaler's pure core (Kubernetes docs, "Horizontal Pod Autoscaling / Algorithm details"):
// desired = ceil(current * utilization / target), ignored within a 0.1 tolerance, clamped to [min, max].
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace planelab {

/// Computes the replica count the HPA asks for.
class PodAutoscaler {
 public:
  static uint32_t Desired(uint32_t current, double utilization, double target, uint32_t min_replicas,
                          uint32_t max_replicas) {
    if (current == 0) return std::max<uint32_t>(min_replicas, 1);
    double ratio = utilization / target;
    uint32_t desired = current;
    if (std::fabs(ratio - 1.0) > 0.1) desired = static_cast<uint32_t>(std::ceil(current * ratio));
    return std::clamp(desired, min_replicas, max_replicas);
  }
};

}  // namespace planelab
