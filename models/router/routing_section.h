// The routing family's scenario section ("routing"): the router control plane's protocol and timers, with the
// real protocols' defaults, its parser and its schema fragment (routing.schema.json beside this file).
#pragma once
#include <string>

#include "models/router/control/bgp/bgp_speaker.h"
#include "models/router/control/link_state_routing.h"
#include "sim/scenario/scenario_section.h"
#include "sim/util/units.h"

namespace planelab {

/// BGP settings; timers default to RFC 4271 §10, damping to RFC 2439 with RFC 7196 §3's parameters.
struct BgpSpec {
  SimTime keepalive = 30 * kSec;
  SimTime hold_time = 90 * kSec;
  SimTime connect_retry = 120 * kSec;
  SimTime mrai_ebgp = 30 * kSec;
  SimTime mrai_ibgp = 5 * kSec;
  bool multipath = true;
  // RFC 4271 §10: MRAI, KeepAlive and ConnectRetry are jittered by a factor uniform in [0.75, 1.0]
  // each time they start (the hold timer is not). `mrai_jitter` covers the MRAI, `timer_jitter`
  // the other two; false reproduces hand-computed timings.
  bool mrai_jitter = true;
  bool timer_jitter = true;
  // RFC 4271 §9.2.1.1 rate-limits "an advertisement and/or withdrawal"; implementations choose.
  // false (common practice, and RFC 1771's rule): withdrawals are sent at once.
  bool mrai_withdrawals = false;
  // Sender-side loop detection: RFC 4271 §9.1.2 has the receiver discard a path holding its own
  // AS; whether the sender sends it at all is the implementation's choice. true: not sent.
  bool sender_side_loop_detection = true;
  bool damping = false;
  SimTime damping_half_life = 15 * 60 * kSec;
  double damping_suppress = 6000;
  double damping_reuse = 750;
  SimTime damping_max_suppress = 60 * 60 * kSec;
};

/// BFD between router neighbours (RFC 5880/5881), run by the forwarding hardware as line cards do.
struct BfdSpec {
  bool enabled = false;
  // Common vendor defaults (e.g. FRR: 300 ms transmit/receive, detect multiplier 3).
  SimTime interval = 300 * kMs;
  uint32_t multiplier = 3;
};

/// Router control-plane protocol and timers: "link-state" (OSPF-like) or "bgp".
struct RoutingSpec {
  BfdSpec bfd;
  std::string protocol = "link-state";
  BgpSpec bgp;
  // RFC 2328 Appendix C.3: HelloInterval 10 s, RouterDeadInterval 4 x HelloInterval.
  SimTime hello_interval = 10 * kSec;
  SimTime dead_interval = 40 * kSec;
  // RFC 8405 §6 suggests INITIAL_SPF_DELAY of 50 ms (the back-off's first delay; the rest is in spf_backoff).
  SimTime spf_delay = 50 * kMs;
  // Link-state flooding, origination throttle and SPF back-off; each default's source is at its field. The
  // hello and dead intervals above override the ones in here.
  ls::LinkStateRouting::Config link_state;
  ls::SpfBackoff::Config spf_backoff;
  // Hardware FIB programming is not instant: typical per-batch latency of a line card.
  SimTime fib_program_delay = 10 * kMs;
  // CPU cost of control work on the route processor.
  SimTime cpu_cost_message = 200 * kUs;
  SimTime cpu_cost_spf = 5 * kMs;
};

/// The BGP speaker's configuration these settings give (timers, jitter, damping); the caller sets what is per
/// router (AS, BGP Identifier, jitter seed, interner).
bgp::SpeakerConfig BgpSpeakerConfigOf(const BgpSpec& spec);

/// The "routing" section: parser, schema fragment and the checks that need the whole scenario.
ScenarioSection RoutingSection();

}  // namespace planelab
