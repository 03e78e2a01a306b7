// Builds a scenario's topology into ns-3 nodes, point-to-point links, queues and IPv4; controls links.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace planelab {

class FaultInjector;
class MetricRegistry;

/// One IPv4 interface of a device, as the builder wired it.
struct InterfaceInfo {
  uint32_t ifindex = 0;   // ns-3 Ipv4 interface index
  std::string link_id;
  std::string peer;       // device at the other end
  bool oob = false;       // part of the out-of-band management network
  uint32_t local_addr = 0;
  uint32_t peer_addr = 0;
  uint8_t prefix_len = 30;
  uint32_t cost = 1;
  uint32_t mtu = 1500;    // the link's IP MTU
};

/// The simulated network: nodes, links, addresses, and the hooks faults use to cut or degrade links.
class Network {
 public:
  /// Builds every device of the scenario plus the monitoring station and its OOB links.
  explicit Network(const Scenario& scenario);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  const std::vector<InterfaceInfo>& Interfaces(const std::string& device) const;
  /// The address a device serves on (its first data interface).
  uint32_t ServiceAddress(const std::string& device) const;
  /// The id of a device's OOB link, or "" if it has none.
  std::string OobLinkOf(const std::string& device) const;
  bool HasLink(const std::string& id) const;

  /// Cuts or restores a link: nothing crosses a cut link, and both ends see carrier loss.
  void SetLinkUp(const std::string& id, bool up);
  bool LinkUp(const std::string& id) const;
  /// Adds loss (0..1) and delay and optionally a new rate; Restore undoes it.
  void DegradeLink(const std::string& id, double loss, SimTime extra_delay, uint64_t rate_bps);
  void RestoreLink(const std::string& id);
  /// Called when a device's interface gains or loses carrier.
  void OnCarrierChange(const std::string& device, std::function<void(uint32_t ifindex, bool up)> fn);
  /// Bytes sent so far on a link, in each direction (a->b, b->a), counted as frames leave the device.
  std::pair<uint64_t, uint64_t> LinkTxBytes(const std::string& id) const;
  /// Ids of all links (data and OOB), in creation order.
  std::vector<std::string> LinkIds() const;
  uint64_t LinkRate(const std::string& id) const;
  /// Deepest egress queue disc of the device right now, in packets.
  uint32_t QueueDepthMax(const std::string& device) const;
  /// Writes pcap files of every interface of `device` into `dir` (ns-3's own pcap tracing).
  void EnablePcap(const std::string& device, const std::string& dir);

  /// Management access by path (the "telemetry" section's `access`). A device's management link stands for every
  /// path operators have to it: it carries traffic while an allowed path reaches the device, the out-of-band one
  /// (not cut by mgmt-oob-down) or the in-band one (SetInbandReach, which the station computes from the production
  /// network). By default only out-of-band is allowed, so a management link is up exactly while it is not cut.
  void SetManagementAccess(bool oob_allowed, bool inband_allowed);
  void SetInbandReach(const std::string& device, bool reachable);

  /// The faults a link takes (link-down, link-flap, link-degrade on data links; mgmt-oob-down on each
  /// managed device's OOB link and, for all of them at once, on the station), registered as hooks.
  void RegisterFaultHooks(FaultInjector& faults);
  /// Per data link, `utilization`: the busier direction's share of the link rate in each interval.
  void DeclareLinkMetrics(MetricRegistry& metrics);

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  void ApplyManagementPath(const std::string& device);
  std::unique_ptr<Impl> impl_;
};

}  // namespace planelab
