// The SDN controller's management plane, pure: what the northbound REST API answers (ONOS's /onos/v1/devices,
// /onos/v1/intents, /onos/v1/cluster and `summary`), how the API's mode (up / slow / down) turns a call into an
// answer, and the operators' dashboard: the last answer, its age, and the health it makes operators believe.
// No kernel: tests/models/sdn_controller/mgmt/northbound_core_test.cc.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "sim/core/plane.h"
#include "sim/util/units.h"

namespace planelab::sdn {

/// One answer of the API to the dashboard's poll, in ONOS's words.
struct Summary {
  std::map<std::string, bool> nodes;    // cluster member -> READY (ONOS ControllerNode.State READY / INACTIVE)
  bool has_leader = false;              // the answering member's cluster can commit (not read-only)
  std::map<std::string, bool> devices;  // switch -> available (an OpenFlow channel to a live member)
  uint32_t links = 0;                   // switch-to-switch links known (LLDP)
  // Intents by ONOS IntentState: INSTALLED, INSTALLING (committed, not on every switch yet), FAILED.
  uint32_t intents_installed = 0, intents_installing = 0, intents_failed = 0;
};

/// The API's mode as a fault leaves it: answering, answering late, or refusing connections.
enum class ApiMode { kUp, kSlow, kDown };

/// How one REST call ends.
struct CallOutcome {
  bool reaches_backend = false;  // the request is passed to the controller (not refused at the door)
  SimTime extra_delay = 0;       // added to the backend's answer (a slow API)
  int refused_code = 0;          // when it does not reach the backend: 0 = connection refused
};

/// The REST server's door: a down API refuses connections at once (as a stopped Jetty: ECONNREFUSED), a slow one
/// answers `slow_latency` late, an up one passes the call through.
CallOutcome Admit(ApiMode mode, SimTime slow_latency);

/// The operators' dashboard on one member: refreshed by polls, stale when they stop answering.
class Dashboard {
 public:
  Dashboard(std::string self, SimTime stale_after, SimTime slow_after)
      : self_(std::move(self)), stale_after_(stale_after), slow_after_(slow_after) {}
  /// A poll answered at `now`: the dashboard shows it.
  void Refreshed(SimTime now, Summary s);
  /// Any REST call's end: ok (a 2xx) or not, and how long it took; the API's health as operators feel it.
  void CallEnded(bool ok, SimTime latency);
  /// Forgets everything (the dashboard's process restarted).
  void Reset();
  /// Seconds since the last refresh (-1 before the first).
  double Age(SimTime now) const;
  bool Fresh(SimTime now) const { return refreshed_ >= 0 && now - refreshed_ <= stale_after_; }
  const Summary& last() const { return last_; }
  /// What the dashboard shows for a plane at `now`: a switch's control plane is up while the device is
  /// available; a member's control plane up when READY in a cluster with a leader, degraded when READY but
  /// read-only, down when INACTIVE; the dashboard member's own management plane (its API) from the last call:
  /// down when it failed, degraded when slow. Everything else, and everything once the last refresh is older
  /// than stale_after (except the API, which the failing calls themselves tell), is unknown.
  Health Reported(const std::string& device, Plane plane, SimTime now) const;

 private:
  std::string self_;
  SimTime stale_after_, slow_after_;
  SimTime refreshed_ = -1;
  Summary last_;
  bool any_call_ = false, last_ok_ = true;
  SimTime last_latency_ = 0;
};

}  // namespace planelab::sdn
