#include "models/router/routing_section.h"

#include <unordered_map>

#include "models/router/routing_schema.h"

#include <set>

namespace planelab {

using nlohmann::json;

namespace {

const std::set<std::string>& b_fields() {
  static const std::set<std::string> k = {"keepalive", "hold_time", "connect_retry", "mrai_ebgp", "mrai_ibgp"};
  return k;
}
const std::set<std::string>& d_fields() {
  static const std::set<std::string> k = {"half_life", "suppress_threshold", "reuse_threshold", "max_suppress"};
  return k;
}

void ParseBgp(const json& b, BgpSpec& bs, const SectionContext& c) {
  c.ReadDuration("/bgp/keepalive", &bs.keepalive);
  c.ReadDuration("/bgp/hold_time", &bs.hold_time);
  c.ReadDuration("/bgp/connect_retry", &bs.connect_retry);
  c.ReadDuration("/bgp/mrai_ebgp", &bs.mrai_ebgp);
  c.ReadDuration("/bgp/mrai_ibgp", &bs.mrai_ibgp);
  bs.multipath = b.value("multipath", bs.multipath);
  bs.mrai_jitter = b.value("mrai_jitter", bs.mrai_jitter);                // RFC 4271 §10, jitter
  bs.timer_jitter = b.value("timer_jitter", bs.timer_jitter);             // RFC 4271 §10, jitter
  bs.mrai_withdrawals = b.value("mrai_withdrawals", bs.mrai_withdrawals);  // RFC 4271 §9.2.1.1
  // RFC 4271 §9.1.2 (the receiver's loop check; the sender's is the implementation's choice).
  bs.sender_side_loop_detection = b.value("sender_side_loop_detection", bs.sender_side_loop_detection);
  if (b.contains("damping")) {
    const json& d = b["damping"];
    bs.damping = d.value("enabled", true);
    c.ReadDuration("/bgp/damping/half_life", &bs.damping_half_life);
    bs.damping_suppress = d.value("suppress_threshold", bs.damping_suppress);
    bs.damping_reuse = d.value("reuse_threshold", bs.damping_reuse);
    c.ReadDuration("/bgp/damping/max_suppress", &bs.damping_max_suppress);
  }
  // The speaker states its own rules (RFC 4271 §4.2 hold time, §4.4 keepalive, RFC 2439 damping); each
  // problem names its setting first, which is where it is reported. AS and identifier are per router and
  // assigned by the loader, so stand-ins are used here.
  bgp::SpeakerConfig cfg = BgpSpeakerConfigOf(bs);
  cfg.local_as = 64512;
  cfg.router_id = 1;
  for (const std::string& problem : cfg.Validate()) {
    bool damping = problem.rfind("damping ", 0) == 0;
    std::string rest = damping ? problem.substr(8) : problem;
    std::string field = rest.substr(0, rest.find(' '));
    bool known = damping ? d_fields().count(field) > 0 : b_fields().count(field) > 0;
    c.Problem(known ? (damping ? "/bgp/damping/" : "/bgp/") + field : "/bgp", problem);
  }
}

void ParseRouting(SectionContext& c) {
  const json& r = c.value;
  RoutingSpec& rs = c.scenario.families.Mutable<RoutingSpec>();
  c.ReadDuration("/hello_interval", &rs.hello_interval);
  c.ReadDuration("/dead_interval", &rs.dead_interval);
  c.ReadDuration("/spf_delay", &rs.spf_delay);
  c.ReadDuration("/fib_program_delay", &rs.fib_program_delay);
  c.ReadDuration("/cpu_cost_message", &rs.cpu_cost_message);
  c.ReadDuration("/cpu_cost_spf", &rs.cpu_cost_spf);
  rs.protocol = r.value("protocol", rs.protocol);
  c.ReadDuration("/link_state/rxmt_interval", &rs.link_state.rxmt_interval);
  c.ReadDuration("/link_state/lsa_throttle/start", &rs.link_state.lsa_start);
  c.ReadDuration("/link_state/lsa_throttle/hold", &rs.link_state.lsa_hold);
  c.ReadDuration("/link_state/lsa_throttle/max", &rs.link_state.lsa_max);
  c.ReadDuration("/link_state/min_ls_arrival", &rs.link_state.min_ls_arrival);
  c.ReadDuration("/link_state/flood_pacing", &rs.link_state.flood_pacing);
  c.ReadDuration("/link_state/ack_delay", &rs.link_state.ack_delay);
  if (r.contains("link_state")) {
    const json& ls = r["link_state"];
    rs.link_state.dynamic_flooding = ls.value("dynamic_flooding", rs.link_state.dynamic_flooding);  // RFC 9667
    rs.link_state.flooding_degree = ls.value("flooding_degree", rs.link_state.flooding_degree);
  }
  c.ReadDuration("/link_state/spf_backoff/short_wait", &rs.spf_backoff.short_wait);
  c.ReadDuration("/link_state/spf_backoff/long_wait", &rs.spf_backoff.long_wait);
  c.ReadDuration("/link_state/spf_backoff/time_to_learn", &rs.spf_backoff.time_to_learn);
  c.ReadDuration("/link_state/spf_backoff/holddown", &rs.spf_backoff.holddown);
  rs.spf_backoff.initial = rs.spf_delay;
  rs.link_state.hello_interval = rs.hello_interval;
  rs.link_state.dead_interval = rs.dead_interval;
  if (rs.link_state.rxmt_interval < 1 * kMs) {
    c.Problem("/link_state/rxmt_interval", "the retransmission interval must be at least 1ms (RFC 2328 uses 5s)");
  }
  if (rs.link_state.lsa_hold < 1 * kMs) {
    c.Problem("/link_state/lsa_throttle/hold", "the LSA hold must be at least 1ms (RFC 2328's MinLSInterval is 5s)");
  }
  if (rs.link_state.lsa_max < rs.link_state.lsa_hold) {
    c.Problem("/link_state/lsa_throttle/max", "max must be at least hold: the hold doubles up to max");
  }
  if (rs.link_state.ack_delay >= rs.link_state.rxmt_interval) {
    c.Problem("/link_state/ack_delay",
              "the acknowledgement delay must be shorter than rxmt_interval (RFC 2328 §13.5), or every LSA is sent twice");
  }
  if (rs.spf_backoff.long_wait < rs.spf_backoff.short_wait) {
    c.Problem("/link_state/spf_backoff/long_wait", "long_wait must be at least short_wait (RFC 8405 §6)");
  }
  if (r.contains("bfd")) {
    const json& b = r["bfd"];
    rs.bfd.enabled = b.value("enabled", true);
    c.ReadDuration("/bfd/interval", &rs.bfd.interval);
    rs.bfd.multiplier = b.value("multiplier", rs.bfd.multiplier);
    if (rs.bfd.interval < 1 * kMs) c.Problem("/bfd/interval", "the BFD interval must be at least 1ms");
  }
  if (r.contains("bgp")) ParseBgp(r["bgp"], rs.bgp, c);
  if (rs.hello_interval <= 0) c.Problem("/hello_interval", "the hello interval must be longer than zero");
  if (rs.dead_interval <= rs.hello_interval) {
    c.Problem("/dead_interval", "the dead interval must be longer than hello_interval (RFC 2328 uses 4x)");
  }
}

}  // namespace

bgp::SpeakerConfig BgpSpeakerConfigOf(const BgpSpec& spec) {
  bgp::SpeakerConfig cfg;
  cfg.keepalive = spec.keepalive;
  cfg.hold_time = spec.hold_time;
  cfg.connect_retry = spec.connect_retry;
  cfg.mrai_ebgp = spec.mrai_ebgp;
  cfg.mrai_ibgp = spec.mrai_ibgp;
  cfg.multipath = spec.multipath;
  cfg.mrai_jitter = spec.mrai_jitter;
  cfg.timer_jitter = spec.timer_jitter;
  cfg.mrai_withdrawals = spec.mrai_withdrawals;
  cfg.sender_side_loop_detection = spec.sender_side_loop_detection;
  cfg.damping.enabled = spec.damping;
  cfg.damping.half_life = spec.damping_half_life;
  cfg.damping.suppress_threshold = spec.damping_suppress;
  cfg.damping.reuse_threshold = spec.damping_reuse;
  cfg.damping.max_suppress = spec.damping_max_suppress;
  return cfg;
}

namespace {

/// Faults of the BGP daemon need BGP to be the routing protocol.
void CheckRouting(const Scenario& sc, Problems& problems) {
  const RoutingSpec& rs = sc.families.Get<RoutingSpec>();
  for (const auto& f : sc.faults) {
    if ((f.kind == "bgp-session-flap" || f.kind == "bgp-daemon-crash") && rs.protocol != "bgp") {
      problems.Add(f.pointer + "/kind", "fault \"" + f.kind + "\" needs BGP: set \"routing\": {\"protocol\": \"bgp\"}");
    }
  }
  if (rs.protocol == "link-state") {
    // A router-LSA describes every link in 12 bytes: a point-to-point link to a router and its subnet as a stub
    // (RFC 2328 §12.4.1.1), a subnet towards hosts as a stub; its length field has 16 bits (§A.4.1), and the
    // update carrying it must fit one IP datagram with its 20-byte IP, 24-byte OSPF and 4-byte update headers.
    constexpr uint64_t kMaxLsaBytes = 65535 - 20 - 24 - 4;
    std::unordered_map<std::string, const DeviceSpec*> by_id;
    for (const auto& d : sc.devices) by_id[d.id] = &d;
    std::unordered_map<std::string, uint64_t> entries;
    for (const auto& l : sc.links) {
      auto a = by_id.find(l.a), b = by_id.find(l.b);
      if (a == by_id.end() || b == by_id.end()) continue;
      const bool ra = a->second->kind == "router", rb = b->second->kind == "router";
      if (ra) entries[l.a] += rb ? 2 : 1;
      if (rb) entries[l.b] += ra ? 2 : 1;
    }
    for (const auto& d : sc.devices) {
      auto it = entries.find(d.id);
      if (it == entries.end() || 24 + 12 * it->second <= kMaxLsaBytes) continue;
      problems.Add("/topology", "router \"" + d.id + "\" has too many links for link-state routing: its router-LSA would be " +
                                    std::to_string(24 + 12 * it->second) + " bytes, and OSPFv2 allows at most " +
                                    std::to_string(kMaxLsaBytes) + " (RFC 2328 A.4.1, in one IP datagram); use " +
                                    "\"protocol\": \"bgp\" (RFC 7938 routes large fabrics with BGP) or fewer links per router");
      break;
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
