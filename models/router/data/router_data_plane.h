// The router's data plane: the forwarding ASIC and its FIB (ns-3 IPv4), programmed only over its port.
#pragma once
#include <cstdint>
#include <map>
#include <vector>

#include "models/proto/plane_messages.h"
#include "sim/core/plane_actor.h"
#include "sim/scenario/scenario.h"
#include "models/router/routing_section.h"

#include <memory>

namespace planelab {

class Network;

/// Forwards transit packets through the FIB; punts traffic for the router to its CPU; reports carrier.
class RouterDataPlane : public PlaneActor {
 public:
  RouterDataPlane(RunContext& ctx, const std::string& device, Network& net, Port<DataToControl>& to_control,
                  Port<DataStatus>& to_mgmt);
  ~RouterDataPlane() override;
  /// Runs BFD (RFC 5880/5881) towards the neighbours on these interfaces, in the forwarding
  /// hardware: a dead ASIC stops sending and answering, which is what BFD is for.
  void EnableBfd(const BfdSpec& spec, std::vector<uint32_t> ifindexes);
  void Start() override;
  Health MeasureHealth() override;

  void OnFibProgram(const FibProgram& prog);
  void OnStatusQuery(const StatusQuery& q);
  /// Fault hook: the forwarding ASIC dies (transit dropped) or comes back.
  void SetAsicAlive(bool alive);
  /// Fault hook: FIB programming stalls (programs queue up) or resumes (the backlog is applied).
  void SetFibStalled(bool stalled);

 protected:
  /// A line-card crash: forwarding stops (transit dropped, as with a dead ASIC), the FIB and its queued programs
  /// are lost, BFD stops. Packets for the router still reach its CPU, which has a path of its own.
  void HandleCrash() override;
  /// The line card comes back with an empty FIB: it reports the carrier changes it missed and asks the control
  /// plane for every route (FibReload) until a full program arrives.
  void HandleRestart() override;

 private:
  void OpenBfd();
  void AskForRoutes();
  void Apply(const FibProgram& prog);
  void BfdTick();
  void BfdReceive(uint32_t from_addr);
  struct BfdSession {
    uint32_t ifindex = 0, peer_addr = 0, local_addr = 0;
    SimTime last_rx = -1;
    bool up = false;
  };
  BfdSpec bfd_;
  std::vector<BfdSession> bfd_sessions_;
  struct BfdSocket;
  std::unique_ptr<BfdSocket> bfd_socket_;
  bool asic_alive_ = true;
  bool awaiting_routes_ = false;             // restarted, the full FIB program not yet here
  std::map<uint32_t, bool> carrier_told_;    // ifindex -> carrier as last reported to the control plane
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
  Counter* ttl_expired_;
  Gauge* drop_ratio_;
  Gauge* forwarded_bps_;
  Gauge* fib_routes_;
  Gauge* queue_depth_;
  Gauge* interfaces_up_;
};

}  // namespace planelab
