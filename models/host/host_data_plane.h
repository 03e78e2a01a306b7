// A host's data plane: the workload clients and servers it runs.
#pragma once
#include <memory>
#include <vector>

#include "sim/core/plane_actor.h"
#include "sim/scenario/scenario.h"

namespace planelab {

class Network;

/// Runs the host's request/response clients and servers; its health is what its users get.
class HostDataPlane : public PlaneActor {
 public:
  HostDataPlane(RunContext& ctx, const std::string& device, Network& net, const std::vector<WorkloadSpec>& clients,
                const std::vector<WorkloadSpec>& servers);
  ~HostDataPlane() override;
  void Start() override;
  Health MeasureHealth() override;

  struct Metrics {
    Counter* sent;
    Counter* ok;
    Counter* errors;
    Counter* timeouts;
    Counter* retransmits;
    Counter* resets;
    Counter* served;
    Gauge* loss_ratio;
    Gauge* goodput;
    Histogram* latency;
    double goodput_bytes = 0;
  };
  class Workload;

 protected:
  /// A crash closes every workload's sockets and forgets what was in flight; the restart (Start()) opens them
  /// again: servers listen, clients reconnect and resume.
  void HandleCrash() override;

 private:
  Network& net_;
  std::vector<std::unique_ptr<Workload>> workloads_;
  Metrics m_;
  double last_ok_ = 0, last_bad_ = 0;
  SimTime last_sample_ = 0;
  Health last_health_ = Health::kUp;
};

}  // namespace planelab
