// The router's control plane: what every routing protocol shares - the route-processor CPU, FIB
// programming over the port to the data plane, convergence and RIB-FIB divergence, status reports.
#pragma once
#include <cstdint>
#include <map>
#include <vector>

#include "models/proto/plane_messages.h"
#include "sim/core/control_cpu.h"
#include "sim/core/plane_actor.h"
#include "sim/scenario/scenario.h"
#include "sim/util/shared_key_map.h"
#include "sim/util/interner.h"
#include "models/router/routing_section.h"

namespace planelab {

/// A batch of route changes, sorted by (prefix, length), each prefix once; no next hops removes
/// the route. A vector, not a map: a converging leaf programs thousands of batches.
using FibChanges = std::vector<std::pair<std::pair<uint32_t, uint8_t>, std::vector<FibNextHop>>>;

/// Base of the routing protocols' actors (link-state, BGP): protocols plug in, the rest is shared.
class RouterControlPlane : public PlaneActor {
 public:
  RouterControlPlane(RunContext& ctx, const std::string& device, const RoutingSpec& spec, Port<FibProgram>& to_data,
                     Port<ControlStatus>& to_mgmt);
  void OnDataMessage(const DataToControl& m);
  void OnStatusQuery(const StatusQuery& q);
  /// Fault hook: share of the CPU taken by other work.
  void SetCpuHog(double load) { cpu_.SetBackgroundLoad(load); }
  Health MeasureHealth() override;

 protected:
  /// Carrier change punted by the data plane (already queued on the CPU by the caller).
  virtual void OnCarrier(uint32_t ifindex, bool up) = 0;
  /// BFD reports the neighbour on `ifindex` unreachable (or back): by default, like carrier.
  virtual void OnBfd(uint32_t ifindex, bool up) { OnCarrier(ifindex, up); }
  virtual size_t AdjacenciesUp() const = 0;
  virtual size_t AdjacenciesConfigured() const = 0;
  /// Each BGP session's FSM state for the agent's bgpPeerTable; link-state routing has none.
  virtual std::vector<PeerStatus> PeerStates() const { return {}; }
  /// Remembers when the first not yet programmed change happened (for convergence time).
  void NoteChange();
  /// Sends the difference between the desired routes (sorted by prefix and length, each naming one of `groups`)
  /// and the routes already sent to the data plane: a link-state router recomputes every route at each SPF, so
  /// only the routes that change are copied.
  void ProgramFibGroups(const std::vector<std::pair<std::pair<uint32_t, uint8_t>, uint32_t>>& routes,
                        const std::vector<std::vector<FibNextHop>>& groups);
  /// Sends only these changes (an empty next-hop list removes the route).
  void ProgramFibChanges(const FibChanges& changes);
  /// Sends every route sent so far, as one full program: the data plane restarted with an empty FIB, and
  /// whatever it had not acknowledged is in this program now.
  void ReloadFib();
  /// What the routing daemon's crash loses of what every protocol shares: queued CPU work, the FIB programs
  /// awaiting their acknowledgement (the acks are lost), the pending change. The routes sent stay: the FIB
  /// keeps them, and the restarted daemon programs its differences from them.
  void CrashShared();

  RoutingSpec spec_;
  ControlCpu cpu_;
  Counter* messages_;

 private:
  Port<FibProgram>& to_data_;
  Port<ControlStatus>& to_mgmt_;
  /// Routes as sent to the data plane: (prefix, length) -> interned next-hop group.
  SharedKeyMap rib_;
  Interner<std::vector<FibNextHop>> groups_;
  static uint64_t RibKey(uint32_t prefix, uint8_t len) { return (uint64_t(prefix) << 8) | len; }
  static constexpr uint32_t kRemove = UINT32_MAX;
  /// Applies (RIB key, group id or kRemove) changes, sorted by key, to the RIB and sends what changed.
  void Program(const std::vector<std::pair<uint64_t, uint32_t>>& changes);
  SimTime change_since_ = -1;
  uint64_t fib_version_ = 0;
  std::map<uint64_t, size_t> unacked_;  // FIB program version -> changes not yet in hardware
  double last_util_ = 0;
  Counter* route_changes_;
  Gauge* util_;
  Gauge* wait_max_;
  Gauge* adjacencies_;
  Gauge* rib_routes_;
  Gauge* divergence_;
  Histogram* convergence_;
};

}  // namespace planelab
