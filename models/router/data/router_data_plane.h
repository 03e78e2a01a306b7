// The router's data plane: the forwarding ASIC and its FIB (ns-3 IPv4), programmed only over its port.
#pragma once
#include <cstdint>
#include <vector>

#include "models/proto/plane_messages.h"
#include "sim/core/plane_actor.h"

namespace planelab {

class Network;

/// Forwards transit packets through the FIB; punts traffic for the router to its CPU; reports carrier.
class RouterDataPlane : public PlaneActor {
 public:
  RouterDataPlane(RunContext& ctx, const std::string& device, Network& net, Port<DataToControl>& to_control,
                  Port<DataStatus>& to_mgmt);
  void Start() override;
  Health MeasureHealth() override;

  void OnFibProgram(const FibProgram& prog);
  void OnStatusQuery(const StatusQuery& q);
  /// Fault hook: the forwarding ASIC dies (transit dropped) or comes back.
  void SetAsicAlive(bool alive);
  /// Fault hook: FIB programming stalls (programs queue up) or resumes (the backlog is applied).
  void SetFibStalled(bool stalled);

 private:
  void Apply(const FibProgram& prog);
  Network& net_;
  bool fib_stalled_ = false;
  std::vector<FibProgram> stalled_;
  Port<DataToControl>& to_control_;
  Port<DataStatus>& to_mgmt_;
  uint64_t last_transit_ = 0, last_dropped_ = 0, last_bytes_ = 0, last_forwarded_ = 0, last_punted_ = 0;
  SimTime last_sample_ = 0;
  Counter* transit_;
  Counter* forwarded_;
  Counter* dropped_;
  Counter* punted_;
  Gauge* drop_ratio_;
  Gauge* forwarded_bps_;
  Gauge* fib_routes_;
  Gauge* queue_depth_;
  Gauge* interfaces_up_;
};

}  // namespace planelab
