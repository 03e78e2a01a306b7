// Every fault kind, declared once: the struct of its parameters (with their defaults) and, beside it, the
// catalogue entry that names, types, documents and checks them. The loader parses a fault's params with it
// (and keeps only what needs the topology); the hooks get the parsed struct (FaultInjector::On<P>).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "sim/fault/fault_params.h"

namespace planelab {

struct AsicDeadParams {
  static constexpr const char* kKind = "asic-dead";
  static FaultKindDecl<AsicDeadParams> Declare();
};
inline FaultKindDecl<AsicDeadParams> AsicDeadParams::Declare() {
  return FaultKindDecl<AsicDeadParams>(kKind, "data", "router or switch")
      .Summary("transit packets dropped; packets to the router still reach its CPU")
      .Effect("Transit packets are dropped in the router's forwarding ASIC; packets addressed to the router "
              "itself are still punted to its CPU. Control and management planes are untouched, so routing "
              "adjacencies stay up and the agent keeps answering polls.")
      .Follows("\"Your core router is reachable, NMS graphs are clean, and every dashboard insists the device is "
               "healthy - but traffic is somehow just vanishing.\" Users feel it at once (loss, timeouts, resets); "
               "the management plane still reports green (004, opening).");
}

struct LinkDownParams {
  static constexpr const char* kKind = "link-down";
  static FaultKindDecl<LinkDownParams> Declare();
};
inline FaultKindDecl<LinkDownParams> LinkDownParams::Declare() {
  return FaultKindDecl<LinkDownParams>(kKind, "data", "link")
      .Summary("nothing crosses; both ends lose carrier")
      .Effect("The wire is cut: nothing crosses the link and both ends see carrier loss, which their data planes "
              "punt to the control planes.")
      .Follows("Traffic through the link is lost until the control plane reconverges on a redundant path; the "
               "data plane keeps using the last known forwarding state until then (004, enterprise networking).");
}

struct LinkDegradeParams {
  double loss = 0;                // share of packets lost in each direction
  SimTime extra_delay = 0;        // one-way delay added
  std::optional<uint64_t> rate;   // bit/s; none: the link keeps its rate
  static constexpr const char* kKind = "link-degrade";
  static FaultKindDecl<LinkDegradeParams> Declare();
};
inline FaultKindDecl<LinkDegradeParams> LinkDegradeParams::Declare() {
  using P = LinkDegradeParams;
  return FaultKindDecl<P>(kKind, "data", "link")
      .Ratio("loss", &P::loss, "share of packets lost in each direction, 0..1")
      .Duration("extra_delay", &P::extra_delay, "one-way delay added to the link")
      .BitRate("rate", &P::rate, "new link rate (omit to keep the rate)")
      .Summary("link stays up but lossy, slower or longer")
      .Effect("The link stays up but loses packets, adds delay, or runs slower.")
      .Follows("Latency spikes, packets drop, retransmits and timeouts rise: data-plane failures that \"rarely emit "
               "clear log messages\" (004, data plane).");
}

struct ControlCpuSaturationParams {
  double load = 0.98;  // share of the route processor taken by other work
  static constexpr const char* kKind = "control-cpu-saturation";
  static FaultKindDecl<ControlCpuSaturationParams> Declare();
};
inline FaultKindDecl<ControlCpuSaturationParams> ControlCpuSaturationParams::Declare() {
  using P = ControlCpuSaturationParams;
  return FaultKindDecl<P>(kKind, "control", "router")
      .Ratio("load", &P::load, "share of the route processor taken by other work, 0..0.999")
      .Checked([](const P& p, FaultProblems& problems) {
        if (p.load > 0.999) {
          problems.Add("load", "parameter \"load\": at most 0.999 (a CPU fully taken would never finish any work)");
        }
      })
      .Summary("every control work item runs 1/(1-load) times slower")
      .Effect("A runaway process takes `load` of the route processor: every control-plane work item (protocol "
              "messages, route computation) queues and runs 1/(1-load) times slower. Forwarding is untouched.")
      .Follows("\"I've melted the CPU in a lab switch and the packets kept moving.\" Changes slow down or stop; "
               "traffic flows on the last programmed state (004, enterprise networking).");
}

struct LinkFlapParams {
  SimTime period = 10 * kSec;   // one down-and-up cycle
  SimTime down_for = 2 * kSec;  // down at the start of each cycle
  static constexpr const char* kKind = "link-flap";
  static FaultKindDecl<LinkFlapParams> Declare();
};
inline FaultKindDecl<LinkFlapParams> LinkFlapParams::Declare() {
  using P = LinkFlapParams;
  return FaultKindDecl<P>(kKind, "data", "link")
      .Duration("period", &P::period, "one down-and-up cycle")
      .Duration("down_for", &P::down_for, "how long the link stays down in each cycle")
      .Checked([](const P& p, FaultProblems& problems) {
        if (p.down_for <= 0 || p.down_for >= p.period) {
          problems.Add("down_for", "down_for must be above zero and shorter than period");
        }
      })
      .Summary("link down for `down_for` at the start of every period")
      .Effect("The link goes down for down_for at the start of every period (carrier loss at both ends), then comes "
              "back.")
      .Follows("Every flap makes the control plane reconverge twice; with BGP, \"sessions flap, routing tables stop "
               "converging, but the data plane keeps using the last known forwarding state\" (004, enterprise "
               "networking).");
}

struct BgpSessionFlapParams {
  std::string peer;             // "": every session of the target
  SimTime period = 10 * kSec;   // between two resets
  static constexpr const char* kKind = "bgp-session-flap";
  static FaultKindDecl<BgpSessionFlapParams> Declare();
};
inline FaultKindDecl<BgpSessionFlapParams> BgpSessionFlapParams::Declare() {
  using P = BgpSessionFlapParams;
  return FaultKindDecl<P>(kKind, "control", "router")
      .Text("peer", &P::peer, "neighbour router whose session flaps (omit: every session of the target)")
      .Duration("period", &P::period, "time between two resets")
      .Checked([](const P& p, FaultProblems& problems) {
        if (p.period <= 0) problems.Add("period", "the period must be longer than zero");
      })
      .Summary("session reset (NOTIFICATION Cease) now and every period; needs BGP")
      .Effect("The BGP session is reset (NOTIFICATION Cease) at the start and then every period; it comes back after "
              "the connect-retry timer. Every reset withdraws the session's routes. Needs \"routing\": {\"protocol\": "
              "\"bgp\"}.")
      .Follows("\"BGP sessions flap, routing tables stop converging, but the data plane keeps using the last known "
               "forwarding state\" except where routes are withdrawn; route flap damping trades reachability for "
               "stability (004).");
}

/// plane-crash of a BGP router's control plane, under the name shipped scenarios use.
struct BgpDaemonCrashParams {
  static constexpr const char* kKind = "bgp-daemon-crash";
  static FaultKindDecl<BgpDaemonCrashParams> Declare();
};
inline FaultKindDecl<BgpDaemonCrashParams> BgpDaemonCrashParams::Declare() {
  return FaultKindDecl<BgpDaemonCrashParams>(kKind, "control", "router")
      .Crashes({"control"})
      .Summary("daemon down from `at` to `until`; the FIB keeps its last routes; needs BGP (a plane-crash of the "
               "control plane)")
      .Effect("The BGP daemon crashes at `at` (sessions drop, its RIBs are lost) and restarts at `until`; the FIB "
              "keeps its last routes meanwhile. Needs \"routing\": {\"protocol\": \"bgp\"}. A plane-crash of the "
              "control plane, by its daemon's name.")
      .Follows("Existing traffic keeps flowing on the last programmed state while neighbours withdraw the routes they "
               "learned from it; what stops is change (004, control plane).");
}

struct FibProgrammingStallParams {
  static constexpr const char* kKind = "fib-programming-stall";
  static FaultKindDecl<FibProgrammingStallParams> Declare();
};
inline FaultKindDecl<FibProgrammingStallParams> FibProgrammingStallParams::Declare() {
  return FaultKindDecl<FibProgrammingStallParams>(kKind, "control", "router")
      .Summary("FIB programs queue up until `until`: the RIB says one thing, the FIB another")
      .Effect("The control plane keeps computing routes but the FIB stops taking them: programs queue until `until`.")
      .Follows("\"The control plane has computed routes, but the data plane\" forwards on old state: the RIB says one "
               "thing, the FIB another (004).");
}

struct MgmtOobDownParams {
  static constexpr const char* kKind = "mgmt-oob-down";
  static FaultKindDecl<MgmtOobDownParams> Declare();
};
inline FaultKindDecl<MgmtOobDownParams> MgmtOobDownParams::Declare() {
  return FaultKindDecl<MgmtOobDownParams>(kKind, "management", "device")
      .Summary("cuts that OOB link; on the station, every OOB link")
      .Effect("The out-of-band management path of the target is cut (target the station to cut every OOB path).")
      .Follows("\"When the management plane fails, you don't lose traffic immediately, but you lose the ability to "
               "see why you might be losing traffic.\" Dashboards go stale; traffic is unaffected (004, management "
               "plane).");
}

struct DiskPressureParams {
  SimTime extra_fsync_latency = 0;  // added to every fsync
  double iops_factor = 1;           // share of the disk's IOPS left
  double neighbor_iops = 0;         // operations per second of a noisy neighbour
  static constexpr const char* kKind = "disk-pressure";
  static FaultKindDecl<DiskPressureParams> Declare();
};
inline FaultKindDecl<DiskPressureParams> DiskPressureParams::Declare() {
  using P = DiskPressureParams;
  return FaultKindDecl<P>(kKind, "control", "store-member")
      .Duration("extra_fsync_latency", &P::extra_fsync_latency, "latency added to every fsync of the member's disk")
      .Ratio("iops_factor", &P::iops_factor, "share of the disk's IOPS left, 0..1")
      .Number("neighbor_iops", &P::neighbor_iops, "operations per second of a noisy neighbour sharing the disk queue")
      .Checked([](const P& p, FaultProblems& problems) {
        // The neighbour's operations are spaced 1e9 / neighbor_iops ns apart: at least 1ns, at most 1000s.
        if (p.neighbor_iops != 0 && (p.neighbor_iops < 0.001 || p.neighbor_iops > 1e6)) {
          problems.Add("neighbor_iops", "parameter \"neighbor_iops\": 0 (no neighbour) or from 0.001 to 1000000 "
                                        "operations per second");
        }
      })
      .Summary("the member's WAL fsyncs slow down; its Raft loop blocks on them")
      .Effect("The store member's disk slows: every WAL append waits longer for its fsync. The Raft loop of the "
              "member blocks on the fsync, so its heartbeats and replies go out late.")
      .Follows("\"etcd under heavy disk I/O pressure: deployments stall, autoscaling stops reacting, API calls time "
               "out; existing workloads keep serving\" (004, Kubernetes).");
}

/// plane-crash of both planes of a store member (control first; data restarts first), under the name shipped
/// scenarios use.
struct StoreMemberCrashParams {
  static constexpr const char* kKind = "store-member-crash";
  static FaultKindDecl<StoreMemberCrashParams> Declare();
};
inline FaultKindDecl<StoreMemberCrashParams> StoreMemberCrashParams::Declare() {
  return FaultKindDecl<StoreMemberCrashParams>(kKind, "control", "store-member")
      .Crashes({"control", "data"})
      .Summary("the member dies at `at` and restarts from its WAL at `until` (a plane-crash of both planes)")
      .Effect("The store member's process dies at `at` (both planes stop; what its WAL holds survives) and restarts "
              "at `until`, replaying its log and rejoining as a follower. A plane-crash of both planes at once.")
      .Follows("Losing one of three members keeps quorum; losing two stops every write while reads served from the "
               "API server's cache go on (etcd docs, \"Failure modes\").");
}

struct StorePartitionParams {
  std::vector<std::string> from;  // empty: every other member
  static constexpr const char* kKind = "store-partition";
  static FaultKindDecl<StorePartitionParams> Declare();
};
inline FaultKindDecl<StorePartitionParams> StorePartitionParams::Declare() {
  using P = StorePartitionParams;
  return FaultKindDecl<P>(kKind, "control", "store-member")
      .List("from", &P::from, "comma-separated members it is cut from (omit: every other member)")
      .Summary("peer traffic between the target and those members is dropped both ways")
      .Effect("Peer traffic (port 2380) between the target and the listed members is dropped both ways; clients "
              "still reach it.")
      .Follows("A leader cut from the majority steps down after an election timeout (CheckQuorum); the majority "
               "elects a new one (Raft §5.2, etcd docs \"Failure modes\").");
}

struct CniBrokenParams {
  static constexpr const char* kKind = "cni-broken";
  static FaultKindDecl<CniBrokenParams> Declare();
};
inline FaultKindDecl<CniBrokenParams> CniBrokenParams::Declare() {
  return FaultKindDecl<CniBrokenParams>(kKind, "data", "node")
      .Summary("service traffic entering the node or sent to its pods is refused; the kubelet stays healthy")
      .Effect("The node's pod network breaks: service traffic entering the node or sent to its pods is refused, "
              "while the kubelet keeps renewing its lease.")
      .Follows("\"kubectl get nodes says Ready while curl says Connection refused\" (004, Kubernetes).");
}

struct ProvisioningApiDegradedParams {
  double error_rate = 1;     // share of instance launches that fail
  SimTime extra_latency = 0;  // added to every instance API call
  static constexpr const char* kKind = "provisioning-api-degraded";
  static FaultKindDecl<ProvisioningApiDegradedParams> Declare();
};
inline FaultKindDecl<ProvisioningApiDegradedParams> ProvisioningApiDegradedParams::Declare() {
  using P = ProvisioningApiDegradedParams;
  return FaultKindDecl<P>(kKind, "control", "cloud-api")
      .Ratio("error_rate", &P::error_rate, "share of instance launches that fail")
      .Duration("extra_latency", &P::extra_latency, "latency added to every instance API call")
      .Summary("instance launches fail or answer slowly")
      .Effect("Instance launches fail (or answer slowly); instances that retire are not replaced.")
      .Follows("Replacement instances fail to join; capacity shrinks slowly until load exceeds what is left and the "
               "service tips over (004, public cloud).");
}

// The telemetry pipeline's faults (models/monitor, "telemetry" section): they hit the monitoring station's pipeline,
// never the devices, so users are served as before while what operators see goes wrong.

struct TelemetryPipelineLagParams {
  SimTime delay = 3 * 60 * kSec;  // added to the collector -> store hop
  static constexpr const char* kKind = "telemetry-pipeline-lag";
  static FaultKindDecl<TelemetryPipelineLagParams> Declare();
};
inline FaultKindDecl<TelemetryPipelineLagParams> TelemetryPipelineLagParams::Declare() {
  using P = TelemetryPipelineLagParams;
  return FaultKindDecl<P>(kKind, "management", "monitor")
      .Duration("delay", &P::delay, "delay added between the collector and the time-series store")
      .Summary("samples reach the store `delay` late; dashboards and alerts run behind; needs \"telemetry\"")
      .Effect("The hop from the collector to the time-series store (a message bus, remote_write) backs up: every "
              "sample reaches the store `delay` late. Dashboards show old values as current, alert rules see the past; "
              "a delay beyond the 5-minute lookback empties the panels. Needs the \"telemetry\" section.")
      .Follows("\"Dashboards lag or freeze\" (004, management plane): operators act on a picture minutes old.");
}

struct CollectorDownParams {
  static constexpr const char* kKind = "collector-down";
  static FaultKindDecl<CollectorDownParams> Declare();
};
inline FaultKindDecl<CollectorDownParams> CollectorDownParams::Declare() {
  return FaultKindDecl<CollectorDownParams>(kKind, "management", "monitor")
      .Summary("the collector stalls: no polls, no streams; panels freeze on the last values; needs \"telemetry\"")
      .Effect("The collector stops collecting: no polls go out, streamed updates are dropped. Nothing marks the series "
              "stale (the scraper that would is the one that stopped), so instant queries keep returning the last "
              "values for the 5-minute lookback: panels show the last green values, then \"No data\". Only a "
              "meta-monitoring rule on the data's age notices. Needs the \"telemetry\" section.")
      .Follows("\"Dashboards lag or freeze\"; \"you can't fix what you can't see\" (004); monitoring as the first "
               "casualty (AWS us-east-1, December 2021).");
}

struct AlertingDownParams {
  static constexpr const char* kKind = "alerting-down";
  static FaultKindDecl<AlertingDownParams> Declare();
};
inline FaultKindDecl<AlertingDownParams> AlertingDownParams::Declare() {
  return FaultKindDecl<AlertingDownParams>(kKind, "management", "monitor")
      .Summary("rule evaluation and the alert manager stop: nothing fires, nobody is paged; needs \"telemetry\"")
      .Effect("The alerting path stops: rules are not evaluated and the alert manager sends nothing. Dashboards still "
              "update, so the incident is seen only by someone looking at them. Needs the \"telemetry\" section.")
      .Follows("Time to detect becomes the time until someone looks (004: \"you can't fix what you can't see\").");
}

struct AuditLogBacklogParams {
  double capacity_share = 0.01;  // share of the shipper's capacity left
  static constexpr const char* kKind = "audit-log-backlog";
  static FaultKindDecl<AuditLogBacklogParams> Declare();
};
inline FaultKindDecl<AuditLogBacklogParams> AuditLogBacklogParams::Declare() {
  using P = AuditLogBacklogParams;
  return FaultKindDecl<P>(kKind, "management", "monitor")
      .Ratio("capacity_share", &P::capacity_share, "share of the audit shipper's capacity left, 0..1 (0: stopped)")
      .Summary("audit records queue up: delivery lag and backlog grow; needs \"telemetry\"")
      .Effect("The audit log shipper slows to `capacity_share` of its capacity: device and API audit records queue, "
              "their delivery lag and the backlog grow, and who changed what is known only later. Needs the "
              "\"telemetry\" section.")
      .Follows("\"Monitor audit log delivery\" (004, management plane): an audit trail that arrives late cannot "
               "explain the change that caused the incident.");
}

struct MgmtInbandDownParams {
  static constexpr const char* kKind = "mgmt-inband-down";
  static FaultKindDecl<MgmtInbandDownParams> Declare();
};
inline FaultKindDecl<MgmtInbandDownParams> MgmtInbandDownParams::Declare() {
  return FaultKindDecl<MgmtInbandDownParams>(kKind, "management", "device")
      .Summary("cuts the in-band management path (SSH over production) of that device; on the station, of all")
      .Effect("In-band management access of the target (SSH, telemetry over the production network) is cut; on the "
              "station, in-band access to every device. Devices stay manageable where the scenario's access gives "
              "them an out-of-band path. Needs the \"telemetry\" section (its `access`).")
      .Follows("\"If in-band access breaks and you've got no out-of-band path, you have no visibility\" (004).");
}

/// A control-plane failure that takes in-band management with it (Facebook, October 2021).
struct BackboneRoutingOutageParams {
  static constexpr const char* kKind = "backbone-routing-outage";
  static FaultKindDecl<BackboneRoutingOutageParams> Declare();
};
inline FaultKindDecl<BackboneRoutingOutageParams> BackboneRoutingOutageParams::Declare() {
  return FaultKindDecl<BackboneRoutingOutageParams>(kKind, "control", "router")
      .Crashes({"control"})
      .Summary("the router's routing daemon goes down and in-band management routed through it goes too")
      .Effect("The router's control plane crashes at `at` (a plane-crash of the control plane: neighbours withdraw "
              "its routes) and restarts at `until`. In-band management is routed by that control plane, so with the "
              "\"telemetry\" section the station loses in-band access to the router and to every device it reaches "
              "only through it; out-of-band access is untouched.")
      .Follows("Facebook, 4 October 2021: a backbone change withdrew the routes, and \"remote access and out-of-band "
               "tools\" that depended on the backbone failed with it; \"teams with proper out-of-band access can "
               "still log in and start fixing things\" (004).");
}

/// The generic crash: one plane of any device, through that plane actor's lifecycle (PlaneActor::Crash, Restart).
struct PlaneCrashParams {
  std::string plane;  // data | control | management: one the target has
  static constexpr const char* kKind = "plane-crash";
  static FaultKindDecl<PlaneCrashParams> Declare();
};
inline FaultKindDecl<PlaneCrashParams> PlaneCrashParams::Declare() {
  using P = PlaneCrashParams;
  // Plane "": the one its `plane` parameter names.
  return FaultKindDecl<P>(kKind, "", "any")
      .Choice("plane", &P::plane, {"data", "control", "management"}, "the plane that crashes, one the target has")
      .Summary("that plane's process dies at `at` and restarts at `until` (see [Crashing a "
               "plane](#crashing-a-plane))")
      .Effect("The plane's process dies at `at`: it stops at once (health down), its timers and connections go and "
              "messages sent to it are lost. At `until` it restarts from what a crash leaves (without `until` it "
              "stays down). Every device kind has it: a router's line card (forwarding stops, the FIB is reloaded "
              "from the control plane on restart), routing daemon (the FIB keeps its routes) or SNMP agent; a "
              "host's stack; the monitoring station; a store member's planes; the API server, kubectl, the "
              "controller manager, a node's pod network or kubelet (its pods keep running), the cloud's planes, a "
              "service client.")
      .Follows("Which plane died decides who notices: a dead data plane loses traffic at once; a dead control plane "
               "leaves traffic on the last programmed state while nothing can change; a dead management plane "
               "leaves traffic alone and blinds the operators (004, the three planes).");
}

struct ControllerCrashParams {
  static constexpr const char* kKind = "controller-crash";
  static FaultKindDecl<ControllerCrashParams> Declare();
};
inline FaultKindDecl<ControllerCrashParams> ControllerCrashParams::Declare() {
  return FaultKindDecl<ControllerCrashParams>(kKind, "control", "sdn-controller")
      .Crashes({"control"})
      .Summary("the SDN controller member dies at `at` and restarts from its Raft log at `until`")
      .Effect("The controller process dies at `at`: its OpenFlow channels and cluster messages stop; its Raft log "
              "survives and it rejoins at `until`. Switches it mastered are moved to live members once the cluster "
              "notices (a plane-crash of its control plane).")
      .Follows("With a majority left, mastership moves and users see nothing; the fabric keeps forwarding on its "
               "installed flows either way (ONOS docs, \"Cluster\"; issue 19).");
}

struct ControllerPartitionParams {
  std::string from = "both";  // switches | controllers | both
  static constexpr const char* kKind = "controller-partition";
  static FaultKindDecl<ControllerPartitionParams> Declare();
};
inline FaultKindDecl<ControllerPartitionParams> ControllerPartitionParams::Declare() {
  using P = ControllerPartitionParams;
  return FaultKindDecl<P>(kKind, "control", "sdn-controller")
      .Choice("from", &P::from, {"switches", "controllers", "both"},
              "what the controller is cut from: its switches (OpenFlow, port 6653), the other members (cluster, "
              "port 9876), or both")
      .Summary("the controller's OpenFlow channels, cluster traffic, or both are dropped at its firewall")
      .Effect("Traffic between the controller and the switches (from switches), the other members (from "
              "controllers), or both is dropped both ways; the process runs on.")
      .Follows("Cut from the switches, their channels time out after 2 x inactivity_probe and another member takes "
               "them; cut from the members, a minority controller cannot commit intents (\"If controllers become "
               "unreachable, the fabric continues forwarding traffic\", issue 19).");
}

struct ControlChannelDownParams {
  static constexpr const char* kKind = "control-channel-down";
  static FaultKindDecl<ControlChannelDownParams> Declare();
};
inline FaultKindDecl<ControlChannelDownParams> ControlChannelDownParams::Declare() {
  return FaultKindDecl<ControlChannelDownParams>(kKind, "control", "switch")
      .Summary("the switch's OpenFlow channels to every controller are cut and stay down")
      .Effect("The switch's agent loses every controller channel at `at` and opens none until `until`. The flow "
              "table keeps forwarding; in standalone fail mode the switch falls back to MAC learning after 3 x "
              "inactivity_probe.")
      .Follows("Installed flows serve; new flows (reactive) and changes cannot reach this switch.");
}

struct SdnNorthboundDownParams {
  std::string mode;              // down | slow (required)
  SimTime latency = 5 * kSec;    // slow: added to every answer
  static constexpr const char* kKind = "sdn-northbound-down";
  static FaultKindDecl<SdnNorthboundDownParams> Declare();
};
inline FaultKindDecl<SdnNorthboundDownParams> SdnNorthboundDownParams::Declare() {
  using P = SdnNorthboundDownParams;
  return FaultKindDecl<P>(kKind, "management", "sdn-controller")
      .Choice("mode", &P::mode, {"down", "slow"},
              "down: the REST API refuses connections (its web container stopped); slow: it answers `latency` late")
      .Duration("latency", &P::latency, "slow: added to every answer of the API")
      .Summary("the controller's northbound REST API (ONOS: port 8181) is down or slow; the member itself runs on")
      .Effect("Calls to the member's northbound API are refused (down) or answered `latency` late (slow); the "
              "dashboard polling it goes stale and operators' intents wait for their retries. OpenFlow, the cluster "
              "and forwarding are untouched (needs sdn_controller.northbound).")
      .Follows("The fabric forwards and the controllers keep their switches, but operators can neither see nor "
               "change it: the management plane down while traffic flows perfectly (issue 19).");
}

struct FlowTableFullParams {
  static constexpr const char* kKind = "flow-table-full";
  static FaultKindDecl<FlowTableFullParams> Declare();
};
inline FaultKindDecl<FlowTableFullParams> FlowTableFullParams::Declare() {
  return FaultKindDecl<FlowTableFullParams>(kKind, "data", "switch")
      .Summary("the switch's flow table takes no new entry (OFPFMFC_TABLE_FULL)")
      .Effect("The table's capacity shrinks to what it holds at `at`: every flow-mod adding an entry is refused "
              "with OFPFMFC_TABLE_FULL until `until`; installed entries forward and expire as before.")
      .Follows("Existing flows are fine; every new flow through the switch fails to install, so new connections "
               "die while the controller reports errors (OF 1.3.5 §6.4).");
}

struct SwitchAgentCrashParams {
  static constexpr const char* kKind = "switch-agent-crash";
  static FaultKindDecl<SwitchAgentCrashParams> Declare();
};
inline FaultKindDecl<SwitchAgentCrashParams> SwitchAgentCrashParams::Declare() {
  return FaultKindDecl<SwitchAgentCrashParams>(kKind, "control", "switch")
      .Crashes({"control"})
      .Summary("the switch's OpenFlow agent dies at `at` and restarts at `until`; the hardware forwards on")
      .Effect("The agent process (ovs-vswitchd's connection manager) dies: its channels close and nothing programs "
              "the table until it restarts at `until` and reconnects. The flow table keeps forwarding.")
      .Follows("The planes fail independently: traffic on installed flows is untouched while no change reaches the "
               "switch (004, control plane).");
}

// ---- The service mesh (models/mesh): istiod and the Envoy sidecars ----

/// istiod's process dies at `at` and starts again at `until` (a plane-crash of its control plane).
struct IstiodDownParams {
  static constexpr const char* kKind = "istiod-down";
  static FaultKindDecl<IstiodDownParams> Declare();
};
inline FaultKindDecl<IstiodDownParams> IstiodDownParams::Declare() {
  return FaultKindDecl<IstiodDownParams>(kKind, "control", "istiod")
      .Crashes({"control"})
      .Summary("istiod is down from `at` to `until`: no pushes, no certificates; sidecars run on what they have")
      .Effect("istiod's process dies: every xDS stream and CSR goes unanswered. Sidecars keep their last "
              "configuration and retry in the background (control_plane.connected_state 0). At `until` istiod "
              "lists the API again and every proxy reconnects and gets a full push.")
      .Follows("\"If Istiod goes down, Envoy continues to enforce the last received configuration. Traffic flows as "
               "before. What stops is change: new routing rules, policy updates, and certificate rotations don't "
               "propagate\" (004, service mesh).");
}

/// Every push istiod builds takes `delay` longer (CPU starvation, a huge config).
struct IstiodSlowPushParams {
  SimTime delay = 2 * kSec;
  static constexpr const char* kKind = "istiod-slow-push";
  static FaultKindDecl<IstiodSlowPushParams> Declare();
};
inline FaultKindDecl<IstiodSlowPushParams> IstiodSlowPushParams::Declare() {
  using P = IstiodSlowPushParams;
  return FaultKindDecl<P>(kKind, "control", "istiod")
      .Duration("delay", &P::delay, "time added to every proxy push")
      .Summary("every xDS push takes `delay` longer; changes reach the proxies late")
      .Effect("Each push istiod sends to a proxy takes `delay` more to build, so a change needs about "
              "proxies / push_throttle x delay to reach every sidecar (pilot_proxy_convergence_time rises).")
      .Follows("Traffic is untouched; endpoints and routing rules lag behind the cluster, so sidecars route to pods "
               "that are gone while the push catches up (004, control plane: config that stops propagating).");
}

/// One pod's sidecar dies at `at` and is restarted at `until`.
struct SidecarCrashParams {
  std::string pod;  // empty: the first pod running on the node (by name)
  static constexpr const char* kKind = "sidecar-crash";
  static FaultKindDecl<SidecarCrashParams> Declare();
};
inline FaultKindDecl<SidecarCrashParams> SidecarCrashParams::Declare() {
  using P = SidecarCrashParams;
  return FaultKindDecl<P>(kKind, "data", "node")
      .Text("pod", &P::pod, "the pod whose istio-proxy container crashes (omit: the first pod on the node)")
      .Summary("one pod's Envoy sidecar dies: connections to the pod are refused until it restarts")
      .Effect("The istio-proxy container of one pod on the target node dies at `at`: inbound connections are "
              "refused (clients' sidecars log UF and retry elsewhere, outlier detection ejects it). At `until` it "
              "starts as a new proxy: it reconnects to istiod and asks for a new certificate.")
      .Follows("The pod stays Running and Ready in kubectl while no request reaches it: \"a perfectly green cluster "
               "that can't pass a single packet\" (004, Kubernetes).");
}

// The storage family's faults (models/storage, "storage" section): the monitors' quorum is the storage cluster's
// control plane, the OSDs' I/O its data plane.

struct MonQuorumLossParams {
  static constexpr const char* kKind = "mon-quorum-loss";
  static FaultKindDecl<MonQuorumLossParams> Declare();
};
inline FaultKindDecl<MonQuorumLossParams> MonQuorumLossParams::Declare() {
  return FaultKindDecl<MonQuorumLossParams>(kKind, "control", "ceph-mon")
      .Summary("the monitors cannot reach one another: no quorum, the map is frozen (target any monitor)")
      .Effect("Every monitor of the cluster drops traffic with the other monitors (a partition of the monitor "
              "network; the daemons run on). Without a majority there is no leader: no map change (an OSD cannot be "
              "marked down or out), no new mount, no volume create. Clients and OSDs that hold a map go on doing I/O.")
      .Follows("\"When the control plane fails, orchestration breaks\": mounted volumes keep serving, but a dead OSD "
               "stays up in the map and its placement groups block, because the map cannot change (issue 21; Ceph "
               "docs, \"Troubleshooting Monitors\").");
}

struct OsdDownParams {
  static constexpr const char* kKind = "osd-down";
  static FaultKindDecl<OsdDownParams> Declare();
};
inline FaultKindDecl<OsdDownParams> OsdDownParams::Declare() {
  return FaultKindDecl<OsdDownParams>(kKind, "data", "ceph-osd")
      .Crashes({"control", "data"})
      .Summary("the OSD daemon dies at `at` and restarts at `until`; its disk keeps its data")
      .Effect("The OSD process dies (both planes: heartbeats and I/O stop; the data on its disk survives) and "
              "boots again at `until`. Its peers report it after the heartbeat grace; with quorum the monitors mark "
              "it down (its PGs run degraded on the other copies) and, after the down -> out interval, out: its PGs "
              "are remapped and backfilled onto other OSDs over the data network.")
      .Follows("\"When the data plane fails, I/O performance and availability suffer\": ops on its PGs stall until "
               "it is marked down, then run degraded; backfill traffic follows the out (issue 21; Ceph docs, "
               "\"Configuring Monitor/OSD Interaction\").");
}

struct OsdSlowDiskParams {
  SimTime extra_latency = 50 * kMs;  // added to every sync write of the OSD's disk
  double iops_factor = 0.1;          // share of the disk's IOPS left
  static constexpr const char* kKind = "osd-slow-disk";
  static FaultKindDecl<OsdSlowDiskParams> Declare();
};
inline FaultKindDecl<OsdSlowDiskParams> OsdSlowDiskParams::Declare() {
  using P = OsdSlowDiskParams;
  return FaultKindDecl<P>(kKind, "data", "ceph-osd")
      .Duration("extra_latency", &P::extra_latency, "latency added to every sync write of the OSD's disk")
      .Ratio("iops_factor", &P::iops_factor, "share of the disk's IOPS left, 0..1")
      .Checked([](const P& p, FaultProblems& problems) {
        if (p.iops_factor <= 0) problems.Add("iops_factor", "parameter \"iops_factor\": above 0 (a disk with no IOPS never answers; use osd-down)");
      })
      .Summary("the OSD's disk slows (models/disk pressure): its ops and the writes it replicates slow at once")
      .Effect("The OSD's disk (the disk model's pressure) adds latency to every sync write and keeps a share of its "
              "IOPS. The daemon stays up and answers heartbeats, so nothing is marked down: every op whose PG has a "
              "copy there waits for it (a write is acknowledged when every acting copy has it).")
      .Follows("One slow disk slows every PG it holds: client latency rises at once while the cluster reports "
               "HEALTH_OK until ops pass osd_op_complaint_time (slow ops) (issue 21).");
}

// The public cloud's faults (models/cloud, "cluster.cloud"): its control APIs against its data planes, which keep
// their state (AWS's static stability).

struct CloudControlPlaneOutageParams {
  std::vector<std::string> apis;  // empty: every control API (launch, iam, lb, volume)
  std::string mode = "errors";    // errors | timeouts
  static constexpr const char* kKind = "cloud-control-plane-outage";
  static FaultKindDecl<CloudControlPlaneOutageParams> Declare();
};
inline FaultKindDecl<CloudControlPlaneOutageParams> CloudControlPlaneOutageParams::Declare() {
  using P = CloudControlPlaneOutageParams;
  return FaultKindDecl<P>(kKind, "control", "cloud-api")
      .List("apis", &P::apis, "comma-separated control APIs that fail: launch, iam, lb, volume (omit: all)")
      .Text("mode", &P::mode, "errors (calls fail at once with a 5xx) or timeouts (calls hang until the caller's timeout)")
      .Checked([](const P& p, FaultProblems& problems) {
        if (p.mode != "errors" && p.mode != "timeouts") {
          problems.Add("mode", "parameter \"mode\": \"" + p.mode + "\" is not one of errors, timeouts");
        }
        for (const auto& a : p.apis) {
          if (a != "launch" && a != "iam" && a != "lb" && a != "volume") {
            problems.Add("apis", "parameter \"apis\": \"" + a + "\" is not a control API (launch, iam, lb, volume)");
          }
        }
      })
      .Summary("the cloud's control APIs (all, or the named ones) fail: no launch, no IAM change, no LB registration, no attach")
      .Effect("Calls to the named control APIs fail (errors) or hang (timeouts): instance launches, IAM policy and role "
              "changes, load-balancer target registration and deregistration, volume attach and detach. The data "
              "planes keep their state: running instances, registered targets, attached volumes and propagated IAM "
              "policies go on serving (static stability).")
      .Follows("\"During a control-plane outage, running workloads continue to serve traffic. Storage systems keep "
               "responding. At the same time, you cannot launch new instances, autoscaling stops, IAM changes take much "
               "longer to propagate, and IaC pipelines fail\" (issue 21).");
}

struct IamPropagationSlowParams {
  double factor = 10;  // multiplies every propagation delay
  static constexpr const char* kKind = "iam-propagation-slow";
  static FaultKindDecl<IamPropagationSlowParams> Declare();
};
inline FaultKindDecl<IamPropagationSlowParams> IamPropagationSlowParams::Declare() {
  using P = IamPropagationSlowParams;
  return FaultKindDecl<P>(kKind, "control", "cloud-api")
      .Number("factor", &P::factor, "multiplies every IAM propagation delay (default 10)")
      .Checked([](const P& p, FaultProblems& problems) {
        if (p.factor < 1 || p.factor > 1000) problems.Add("factor", "parameter \"factor\": from 1 to 1000");
      })
      .Summary("IAM changes accepted meanwhile take `factor` times longer to reach the authorising replicas")
      .Effect("The IAM control API accepts changes, but their distribution to the data-plane replicas slows: a grant "
              "accepted while the fault holds becomes effective `factor` times later; requests signed with the new "
              "role are denied (403) until then.")
      .Follows("\"IAM changes take much longer to propagate\": deployments that need a new role fail with "
               "AccessDenied while everything already authorised works (issue 21).");
}

struct LbDataPlaneDropParams {
  double share = 0.5;  // share of requests dropped
  static constexpr const char* kKind = "lb-data-plane-drop";
  static FaultKindDecl<LbDataPlaneDropParams> Declare();
};
inline FaultKindDecl<LbDataPlaneDropParams> LbDataPlaneDropParams::Declare() {
  using P = LbDataPlaneDropParams;
  return FaultKindDecl<P>(kKind, "data", "cloud-api")
      .Ratio("share", &P::share, "share of client requests the load balancer drops, 0..1")
      .Summary("the load balancer drops a share of client requests; its control API is fine")
      .Effect("The load balancer's forwarding path drops `share` of the requests it receives (its nodes lose "
              "packets). Registration, health checks' bookkeeping and every control API work as before.")
      .Follows("\"A data-plane failure is immediately visible. Requests time out, networking drops packets\" "
               "(issue 21).");
}

struct VolumeIoErrorsParams {
  double error_rate = 0.5;  // share of volume I/O that fails
  SimTime extra_latency = 0;
  static constexpr const char* kKind = "volume-io-errors";
  static FaultKindDecl<VolumeIoErrorsParams> Declare();
};
inline FaultKindDecl<VolumeIoErrorsParams> VolumeIoErrorsParams::Declare() {
  using P = VolumeIoErrorsParams;
  return FaultKindDecl<P>(kKind, "data", "cloud-api")
      .Ratio("error_rate", &P::error_rate, "share of block-volume reads and writes that fail, 0..1")
      .Duration("extra_latency", &P::extra_latency, "latency added to every volume operation")
      .Summary("block volumes return I/O errors (and answer slowly); attach and detach still work")
      .Effect("The block-volume data plane fails `error_rate` of the reads and writes of every attached volume and "
              "adds `extra_latency`; the volume control API (attach, detach) is untouched.")
      .Follows("\"Storage returns errors\": applications see I/O errors at once while the console shows every "
               "volume attached and in use (issue 21).");
}

}  // namespace planelab
