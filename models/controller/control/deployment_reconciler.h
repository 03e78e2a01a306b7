// The deployment controller's pure core: given a Deployment and its pods, what to create and delete next.
// Rolling update with Kubernetes' defaults maxSurge 25% (rounded up) and maxUnavailable 25% (rounded down).
#pragma once
#include <string>
#include <vector>

#include "models/proto/cluster_api.h"

namespace planelab {

/// One step of reconciliation.
struct DeploymentActions {
  uint32_t create = 0;                 // new pods of the current revision
  std::vector<std::string> remove;     // pods to delete (set terminating)
  uint32_t updated = 0, ready = 0, ready_updated = 0;  // status to report
  bool complete = false;               // every replica is of the current revision and ready
};

/// Computes the next step of a rolling update (or a scale) for one deployment.
class DeploymentReconciler {
 public:
  /// `pods` are the deployment's pods that are not terminating.
  static DeploymentActions Reconcile(const ApiObject& deployment, const std::vector<ObjectPtr>& pods);
};

}  // namespace planelab
