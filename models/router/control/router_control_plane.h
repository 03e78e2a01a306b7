// The router's control plane: link-state routing on the route-processor CPU, programming the FIB over a port.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "models/proto/plane_messages.h"
#include "models/router/control/link_state_routing.h"
#include "sim/core/control_cpu.h"
#include "sim/core/plane_actor.h"
#include "sim/scenario/scenario.h"

namespace planelab {

class Network;

/// Runs the protocol core (a replaceable piece) on a CPU model and turns its routes into FIB programs.
class RouterControlPlane : public PlaneActor {
 public:
  RouterControlPlane(RunContext& ctx, const std::string& device, const RoutingSpec& spec, Network& net,
                     const std::function<bool(const std::string&)>& is_router, Port<FibProgram>& to_data,
                     Port<ControlStatus>& to_mgmt);
  ~RouterControlPlane() override;
  void Start() override;
  Health MeasureHealth() override;

  void OnDataMessage(const DataToControl& m);
  void OnStatusQuery(const StatusQuery& q);
  /// Fault hook: share of the CPU taken by other work.
  void SetCpuHog(double load) { cpu_.SetBackgroundLoad(load); }

 private:
  void Bind();
  void OnPacket(uint32_t src_addr, std::vector<uint8_t> bytes);
  void Transmit(std::vector<ls::Send>& out);
  void ArmTick();
  void MaybeScheduleSpf();
  void RunSpf();

  RoutingSpec spec_;
  Network& net_;
  Port<FibProgram>& to_data_;
  Port<ControlStatus>& to_mgmt_;
  std::unique_ptr<ls::LinkStateRouting> core_;
  ControlCpu cpu_;
  struct Socket;
  std::unique_ptr<Socket> socket_;
  Timer tick_;
  bool spf_scheduled_ = false;
  SimTime change_since_ = -1;  // first unprocessed topology change
  std::map<std::pair<uint32_t, uint8_t>, ls::Route> rib_;
  uint64_t fib_version_ = 0;
  double last_util_ = 0;

  Counter* messages_;
  Counter* spf_runs_;
  Counter* route_changes_;
  Gauge* util_;
  Gauge* wait_max_;
  Gauge* adjacencies_;
  Gauge* rib_routes_;
  Histogram* convergence_;
};

}  // namespace planelab
