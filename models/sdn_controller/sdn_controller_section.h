// The SDN controller family's scenario section ("sdn_controller"): forwarding mode, discovery and cluster timers
// with ONOS's and etcd's defaults, and the operators' intents; its parser and schema fragment
// (sdn_controller.schema.json beside this file).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario_section.h"
#include "sim/util/units.h"

namespace planelab {

/// An operator's change through the northbound API, at a time: connect two hosts, deny traffic between them
/// (an ACL), or move their path off a switch.
struct IntentSpec {
  SimTime at = 0;
  std::string id;
  std::string kind = "connect";  // connect | acl-deny | avoid
  std::string a, b;              // hosts
  std::string avoid;             // a switch, for "avoid"
  std::string via;               // the controller asked (default: the first one)
};

/// An operator's call to a controller's northbound REST API at a time (ONOS: POST /onos/v1/intents on port
/// 8181), as opposed to a scenario-declared intent that reaches the cluster whatever the API's state.
struct NorthboundCallSpec {
  SimTime at = 0;
  std::string call = "POST /onos/v1/intents";
  IntentSpec intent;  // its `via` is the controller whose API is called (default: the dashboard's)
};

/// The controllers' management plane (issue 19): the northbound REST API each member serves, the operators'
/// dashboard on one member, and the operators' calls. Off unless the scenario has "northbound".
struct NorthboundSpec {
  bool enabled = false;
  std::string dashboard;  // the member whose GUI operators watch (default: the first member)
  // The dashboard's refresh: ONOS's GUI topology view is pushed over a web socket; operators' scripts and
  // Grafana's ONOS panels poll REST, Grafana's shortest default refresh being 5 s. PlaneLab's choice: 5 s.
  SimTime refresh = 5 * kSec;
  // A REST call unanswered after this long is given up (curl --max-time as operators' scripts set it;
  // ONOS's own REST has no server-side timeout). PlaneLab's choice: 10 s.
  SimTime request_timeout = 10 * kSec;
  // The dashboard says nothing once its last refresh is older than this (ONOS's GUI shows "connection lost"
  // when its web socket is down): 3 refreshes.
  SimTime stale_after = 15 * kSec;
  // An operator whose call failed tries again after `retry`, and gives up once `patience` has passed since the
  // first attempt.
  SimTime retry = 10 * kSec;
  SimTime patience = 2 * 60 * kSec;
  // A call answered later than this is "slow" on the dashboard (the API's health: up / degraded / down).
  SimTime slow_after = 1 * kSec;
  std::vector<NorthboundCallSpec> calls;
};

/// Settings every controller of the cluster shares.
struct SdnControllerSpec {
  // "reactive": ONOS's reactive forwarding app (fwd): table misses come to the controller, which installs a flow
  // per host pair along the path; "proactive": every host's route is installed on every switch in advance.
  std::string forwarding = "reactive";
  // ONOS fwd defaults (ReactiveForwarding: flowTimeout 10 s, flowPriority 10).
  uint32_t reactive_idle_timeout = 10;
  uint32_t reactive_hard_timeout = 0;
  uint32_t reactive_priority = 10;
  // Proactive host routes: permanent (0 = never, OF 1.3.5 §5.5) unless the scenario sets timeouts.
  uint32_t proactive_idle_timeout = 0;
  uint32_t proactive_hard_timeout = 0;
  uint32_t proactive_priority = 100;  // ONOS's Intent default priority (100)
  uint32_t intent_priority = 200;     // above host routes: an intent overrides the default path
  uint32_t acl_priority = 40000;      // PlaneLab's choice: above every forwarding flow
  uint32_t intent_idle_timeout = 0;
  uint32_t intent_hard_timeout = 0;
  // ONOS LinkDiscoveryProvider: probeRate 3000 ms, staleLinkAge 10000 ms.
  SimTime lldp_interval = 3 * kSec;
  SimTime link_stale = 10 * kSec;
  // etcd's raft defaults (the project's Raft core): heartbeat 100 ms, election timeout 10 heartbeats.
  SimTime raft_heartbeat = 100 * kMs;
  uint32_t election_ticks = 10;
  // A member unheard of for this long is lost and its switches move: PlaneLab's choice, twice the election
  // timeout, so a leader change alone does not move mastership.
  SimTime failure_timeout = 2 * kSec;
  // The channel's inactivity probe on the controller's side (as the switch's, Open vSwitch's 5 s).
  SimTime inactivity_probe = 5 * kSec;
  // An intent not committed by the cluster within this time is refused (the northbound call times out).
  SimTime intent_timeout = 5 * kSec;
  std::vector<IntentSpec> intents;
  NorthboundSpec northbound;
};

/// The "sdn_controller" section: parser, schema fragment, and the intents' references checked.
ScenarioSection SdnControllerSection();

}  // namespace planelab
