#include "models/router/routing_section.h"

#include "models/router/routing_schema.h"

namespace planelab {

using nlohmann::json;

namespace {

void ParseBgp(const json& b, BgpSpec& bs, const SectionContext& c) {
  auto dur = &SectionContext::Duration;
  if (b.contains("keepalive")) bs.keepalive = dur(b["keepalive"]);
  if (b.contains("hold_time")) bs.hold_time = dur(b["hold_time"]);
  if (b.contains("connect_retry")) bs.connect_retry = dur(b["connect_retry"]);
  if (b.contains("mrai_ebgp")) bs.mrai_ebgp = dur(b["mrai_ebgp"]);
  if (b.contains("mrai_ibgp")) bs.mrai_ibgp = dur(b["mrai_ibgp"]);
  bs.multipath = b.value("multipath", bs.multipath);
  bs.mrai_jitter = b.value("mrai_jitter", bs.mrai_jitter);                // RFC 4271 §10, jitter
  bs.timer_jitter = b.value("timer_jitter", bs.timer_jitter);             // RFC 4271 §10, jitter
  bs.mrai_withdrawals = b.value("mrai_withdrawals", bs.mrai_withdrawals);  // RFC 4271 §9.2.1.1
  // RFC 4271 §9.1.2 (the receiver's loop check; the sender's is the implementation's choice).
  bs.sender_side_loop_detection = b.value("sender_side_loop_detection", bs.sender_side_loop_detection);
  if (b.contains("damping")) {
    const json& d = b["damping"];
    bs.damping = d.value("enabled", true);
    if (d.contains("half_life")) bs.damping_half_life = dur(d["half_life"]);
    bs.damping_suppress = d.value("suppress_threshold", bs.damping_suppress);
    bs.damping_reuse = d.value("reuse_threshold", bs.damping_reuse);
    if (d.contains("max_suppress")) bs.damping_max_suppress = dur(d["max_suppress"]);
    if (bs.damping_reuse >= bs.damping_suppress) {
      c.Problem("/bgp/damping/reuse_threshold", "the reuse threshold must be below the suppress threshold");
    }
    if (bs.damping_half_life <= 0) c.Problem("/bgp/damping/half_life", "the half-life must be longer than zero");
  }
  // RFC 4271 §4.2: the hold time is zero or at least three seconds.
  if (bs.hold_time != 0 && bs.hold_time < 3 * kSec) {
    c.Problem("/bgp/hold_time", "the hold time must be 0 (no keepalives) or at least 3s (RFC 4271 §4.2)");
  }
  if (bs.hold_time != 0 && (bs.keepalive <= 0 || bs.keepalive >= bs.hold_time)) {
    c.Problem("/bgp/keepalive", "the keepalive interval must be above zero and below hold_time (one third is usual)");
  }
  if (bs.connect_retry <= 0) c.Problem("/bgp/connect_retry", "connect_retry must be longer than zero");
}

void ParseRouting(SectionContext& c) {
  const json& r = c.value;
  RoutingSpec& rs = c.scenario.families.Mutable<RoutingSpec>();
  auto dur = &SectionContext::Duration;
  if (r.contains("hello_interval")) rs.hello_interval = dur(r["hello_interval"]);
  if (r.contains("dead_interval")) rs.dead_interval = dur(r["dead_interval"]);
  if (r.contains("spf_delay")) rs.spf_delay = dur(r["spf_delay"]);
  if (r.contains("fib_program_delay")) rs.fib_program_delay = dur(r["fib_program_delay"]);
  if (r.contains("cpu_cost_message")) rs.cpu_cost_message = dur(r["cpu_cost_message"]);
  if (r.contains("cpu_cost_spf")) rs.cpu_cost_spf = dur(r["cpu_cost_spf"]);
  rs.protocol = r.value("protocol", rs.protocol);
  if (r.contains("bfd")) {
    const json& b = r["bfd"];
    rs.bfd.enabled = b.value("enabled", true);
    if (b.contains("interval")) rs.bfd.interval = dur(b["interval"]);
    rs.bfd.multiplier = b.value("multiplier", rs.bfd.multiplier);
    if (rs.bfd.interval < 1 * kMs) c.Problem("/bfd/interval", "the BFD interval must be at least 1ms");
  }
  if (r.contains("bgp")) ParseBgp(r["bgp"], rs.bgp, c);
  if (rs.hello_interval <= 0) c.Problem("/hello_interval", "the hello interval must be longer than zero");
  if (rs.dead_interval <= rs.hello_interval) {
    c.Problem("/dead_interval", "the dead interval must be longer than hello_interval (RFC 2328 uses 4x)");
  }
}

/// Faults of the BGP daemon need BGP to be the routing protocol.
void CheckRouting(const Scenario& sc, Problems& problems) {
  const RoutingSpec& rs = sc.families.Get<RoutingSpec>();
  for (const auto& f : sc.faults) {
    if ((f.kind == "bgp-session-flap" || f.kind == "bgp-daemon-crash") && rs.protocol != "bgp") {
      problems.Add(f.pointer + "/kind", "fault \"" + f.kind + "\" needs BGP: set \"routing\": {\"protocol\": \"bgp\"}");
    }
  }
}

}  // namespace

ScenarioSection RoutingSection() {
  ScenarioSection s;
  s.key = "routing";
  s.help = "the routers' control plane: link-state (OSPF-like) or BGP, its timers, BFD, route-processor costs";
  s.stage = ScenarioSection::Stage::kSettings;
  s.schema = kRoutingSchemaText;
  s.parse = ParseRouting;
  s.check = CheckRouting;
  return s;
}

}  // namespace planelab
