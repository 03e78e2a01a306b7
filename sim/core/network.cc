#include "sim/core/network.h"

#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>
#include <ns3/traffic-control-module.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <memory>
#include <stdexcept>
#include <unordered_set>

#include "sim/core/clock.h"
#include "sim/core/indexed_tcp.h"
#include "sim/core/link_metrics.h"
#include "sim/core/metrics.h"
#include "sim/fault/fault_kinds.h"
#include "sim/fault/fault_injector.h"
#include "sim/core/network_ns3.h"

namespace planelab {

using namespace ns3;

namespace {

/// Every node gets an IpFib as its only routing protocol: no global routing, no ns-3 daemons.
class IpFibHelper : public Ipv4RoutingHelper {
 public:
  IpFibHelper* Copy() const override { return new IpFibHelper(*this); }
  Ptr<Ipv4RoutingProtocol> Create(Ptr<Node> node) const override {
    Ptr<IpFib> fib = CreateObject<IpFib>();
    fib->ShareKeys(keys_);
    return fib;
  }

 private:
  // The run's numbering of FIB prefixes, shared by every node's FIB (see SharedKeyMap).
  std::shared_ptr<KeyNumbering> keys_ = std::make_shared<KeyNumbering>();
};

const char* QueueDiscType(const std::string& kind) {
  if (kind == "red") return "ns3::RedQueueDisc";
  if (kind == "codel") return "ns3::CoDelQueueDisc";
  if (kind == "fq-codel") return "ns3::FqCoDelQueueDisc";
  return "ns3::FifoQueueDisc";
}

}  // namespace

struct Network::Impl {
  struct Link {
    std::string id, a, b;
    Ptr<PointToPointNetDevice> dev_a, dev_b;
    Ptr<PointToPointChannel> channel;
    Ptr<RateErrorModel> em_a, em_b;
    uint32_t if_a = 0, if_b = 0;
    uint64_t rate_bps;
    SimTime delay;
    bool up = true;
    double loss = 0;
    std::shared_ptr<uint64_t> tx_a = std::make_shared<uint64_t>(0), tx_b = std::make_shared<uint64_t>(0);
  };
  std::vector<std::string> link_order;
  std::vector<std::string> data_links;  // in scenario order
  std::vector<std::pair<std::string, std::string>> oob_links;  // (device, link) in scenario device order
  std::string station;
  // Management access by path (SetManagementAccess): by default only the out-of-band path, so a management link is
  // up exactly while it is not cut.
  bool oob_allowed = true, inband_allowed = false;
  std::map<std::string, bool> oob_cut;        // link -> cut by mgmt-oob-down
  std::map<std::string, bool> inband_reach;   // device -> reachable in-band
  std::map<std::string, Ptr<Node>> nodes;
  std::map<std::string, std::vector<InterfaceInfo>> interfaces;
  std::map<std::string, Link> links;
  std::map<std::string, std::string> oob_link;
  std::map<std::string, std::vector<std::function<void(uint32_t, bool)>>> carrier;
  PointToPointHelper pcap_helper;
  int64_t next_stream = 1000;

  void ApplyErrorRate(Link& l) {
    double rate = l.up ? l.loss : 1.0;
    for (auto& em : {l.em_a, l.em_b}) {
      em->SetRate(rate);
      if (rate > 0) em->Enable(); else em->Disable();
    }
  }

  void Connect(const std::string& id, const std::string& a, const std::string& b, uint64_t rate_bps, SimTime delay,
               const QueueSpec& queue, uint32_t cost, bool oob, uint32_t subnet, uint32_t mtu = 1500) {
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", DataRateValue(DataRate(rate_bps)));
    p2p.SetChannelAttribute("Delay", TimeValue(NanoSeconds(delay)));
    // A short device queue, so the queue disc below holds the backlog and its discipline decides.
    p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", QueueSizeValue(QueueSize("10p")));
    p2p.SetDeviceAttribute("Mtu", UintegerValue(mtu));
    NetDeviceContainer devs = p2p.Install(nodes.at(a), nodes.at(b));
    TrafficControlHelper tch;
    tch.SetRootQueueDisc(QueueDiscType(queue.kind), "MaxSize", QueueSizeValue(QueueSize(queue.size)));
    tch.Install(devs);
    Link l;
    l.id = id;
    l.a = a;
    l.b = b;
    l.dev_a = DynamicCast<PointToPointNetDevice>(devs.Get(0));
    l.dev_b = DynamicCast<PointToPointNetDevice>(devs.Get(1));
    l.channel = DynamicCast<PointToPointChannel>(l.dev_a->GetChannel());
    l.rate_bps = rate_bps;
    l.delay = delay;
    l.em_a = CreateObject<RateErrorModel>();
    l.em_b = CreateObject<RateErrorModel>();
    for (auto& em : {l.em_a, l.em_b}) {
      em->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
      em->SetRate(0);
      em->Disable();
      next_stream += em->AssignStreams(next_stream);
    }
    l.dev_a->SetReceiveErrorModel(l.em_a);
    l.dev_b->SetReceiveErrorModel(l.em_b);
    auto count = +[](uint64_t* bytes, Ptr<const Packet> p) { *bytes += p->GetSize(); };
    l.dev_a->TraceConnectWithoutContext("PhyTxBegin", MakeBoundCallback(count, l.tx_a.get()));
    l.dev_b->TraceConnectWithoutContext("PhyTxBegin", MakeBoundCallback(count, l.tx_b.get()));
    link_order.push_back(id);
    uint32_t addr_a = subnet + 1, addr_b = subnet + 2;
    for (int side = 0; side < 2; ++side) {
      const std::string& me = side == 0 ? a : b;
      Ptr<NetDevice> dev = side == 0 ? devs.Get(0) : devs.Get(1);
      Ptr<Ipv4> ipv4 = nodes.at(me)->GetObject<Ipv4>();
      uint32_t ifindex = ipv4->AddInterface(dev);
      ipv4->AddAddress(ifindex, Ipv4InterfaceAddress(Ipv4Address(side == 0 ? addr_a : addr_b), Ipv4Mask("/30")));
      ipv4->SetMetric(ifindex, cost);
      ipv4->SetUp(ifindex);
      (side == 0 ? l.if_a : l.if_b) = ifindex;
      InterfaceInfo info;
      info.ifindex = ifindex;
      info.link_id = id;
      info.peer = side == 0 ? b : a;
      info.oob = oob;
      info.local_addr = side == 0 ? addr_a : addr_b;
      info.peer_addr = side == 0 ? addr_b : addr_a;
      info.cost = cost;
      info.mtu = mtu;
      interfaces[me].push_back(info);
    }
    links.emplace(id, l);
  }
};

namespace {
// ns-3 registers a receive handler per device and protocol twice, on the node (for
// TrafficControlLayer::Receive) and on the traffic-control layer (for the IPv4 and ARP
// protocols), and scans both lists for every packet: a spine with 5,000 links went through
// 20,000 entries per packet received. Once a node's links exist, its per-device entries on the
// node are replaced by one dispatcher that hands IPv4 and ARP packets to the protocols directly,
// as TrafficControlLayer::Receive would (it only demultiplexes: ns-3 has no ingress queueing).
// The loopback device keeps its own entry; a device added later keeps ns-3's path.
void ShortcutReceivePath(const Ptr<Node>& node) {
  Ptr<TrafficControlLayer> tc = node->GetObject<TrafficControlLayer>();
  Ptr<Ipv4L3Protocol> ip = node->GetObject<Ipv4L3Protocol>();
  Ptr<ArpL3Protocol> arp = node->GetObject<ArpL3Protocol>();
  if (!tc || !ip || !arp) return;
  auto devices = std::make_shared<std::unordered_set<const NetDevice*>>();
  for (uint32_t i = 0; i < node->GetNDevices(); ++i) {
    Ptr<NetDevice> d = node->GetDevice(i);
    if (ip->GetInterfaceForDevice(d) >= 0 && !DynamicCast<LoopbackNetDevice>(d)) devices->insert(PeekPointer(d));
  }
  // Ipv4L3Protocol::AddInterface registered TrafficControlLayer::Receive for IPv4 and for ARP on
  // each of these devices; Node::UnregisterProtocolHandler removes one entry per call.
  Node::ProtocolHandler tc_receive = MakeCallback(&TrafficControlLayer::Receive, tc);
  for (size_t i = 0; i < 2 * devices->size(); ++i) node->UnregisterProtocolHandler(tc_receive);
  // Raw pointers: the protocols are aggregated to the node and live as long as its handlers.
  Ipv4L3Protocol* ipv4 = PeekPointer(ip);
  ArpL3Protocol* arpl = PeekPointer(arp);
  Node::ProtocolHandler dispatch(std::function<void(Ptr<NetDevice>, Ptr<const Packet>, uint16_t, const Address&, const Address&,
                                                    NetDevice::PacketType)>(
      [devices, ipv4, arpl](Ptr<NetDevice> dev, Ptr<const Packet> p, uint16_t protocol, const Address& from, const Address& to,
                            NetDevice::PacketType type) {
        if (!devices->count(PeekPointer(dev))) return;
        if (protocol == Ipv4L3Protocol::PROT_NUMBER) ipv4->Receive(dev, p, protocol, from, to, type);
        else arpl->Receive(dev, p, protocol, from, to, type);
      }));
  node->RegisterProtocolHandler(dispatch, Ipv4L3Protocol::PROT_NUMBER, nullptr);
  node->RegisterProtocolHandler(dispatch, ArpL3Protocol::PROT_NUMBER, nullptr);
}
}  // namespace

Network::Network(const Scenario& sc) : impl_(new Impl) {
  std::vector<std::string> ids;
  for (const auto& d : sc.devices) ids.push_back(d.id);
  if (sc.management.enabled) ids.push_back(sc.management.station);
  InternetStackHelper stack;
  stack.SetIpv6StackInstall(false);
  stack.SetRoutingHelper(IpFibHelper());
  // ns-3's TCP with a hashed lookup for connected sockets that ask for it (sim/core/indexed_tcp.h).
  stack.SetTcp("planelab::IndexedTcpL4Protocol");
  for (const auto& id : ids) {
    Ptr<Node> n = CreateObject<Node>();
    Names::Add(id, n);
    stack.Install(n);
    impl_->nodes.emplace(id, n);
  }
  for (const auto& d : sc.devices) {
    FibOf(*this, d.id)->SetForwarding(d.kind == "router");
  }
  if (sc.management.enabled) FibOf(*this, sc.management.station)->SetForwarding(false);
  // Data links: 10.0.0.0/8 in /30s; OOB links: 172.16.0.0/12 in /30s.
  if (sc.links.size() >= (1u << 22)) throw std::runtime_error("too many links for the 10/8 address plan");
  uint32_t index = 0;
  for (const auto& l : sc.links) {
    impl_->Connect(l.id, l.a, l.b, l.rate_bps, l.delay, l.queue, l.cost, false, (10u << 24) + 4 * index++, l.mtu);
    impl_->data_links.push_back(l.id);
  }
  if (sc.management.enabled) {
    uint32_t j = 0;
    QueueSpec oob_queue;
    for (const auto& d : sc.devices) {
      bool agent = (d.kind == "router" || d.kind == "switch") && d.managed;
      bool scraped = d.metrics_port != 0 && sc.management.scrape_components;
      if (!agent && !scraped) continue;
      std::string id = "oob-" + d.id;
      impl_->Connect(id, sc.management.station, d.id, sc.management.oob_rate_bps, sc.management.oob_delay, oob_queue,
                     1, true, (172u << 24) + (16u << 16) + 4 * j++);
      impl_->oob_link[d.id] = id;
      impl_->oob_links.emplace_back(d.id, id);
    }
    impl_->station = sc.management.station;
  }
  for (const auto& [id, node] : impl_->nodes) ShortcutReceivePath(node);
  // End systems (everything but routers) get a static default route via their first-hop router,
  // as DHCP or an admin would set it.
  for (const auto& d : sc.devices) {
    if (d.kind == "router") continue;
    for (const auto& i : Interfaces(d.id)) {
      if (i.oob) continue;
      FibOf(*this, d.id)->SetRoute(0, 0, i.peer_addr, i.ifindex);
      break;
    }
  }
}

Network::~Network() = default;

const std::vector<InterfaceInfo>& Network::Interfaces(const std::string& device) const {
  static const std::vector<InterfaceInfo> kNone;
  auto it = impl_->interfaces.find(device);
  return it == impl_->interfaces.end() ? kNone : it->second;
}

uint32_t Network::ServiceAddress(const std::string& device) const {
  for (const auto& i : Interfaces(device)) {
    if (!i.oob) return i.local_addr;
  }
  return 0;
}

std::string Network::OobLinkOf(const std::string& device) const {
  auto it = impl_->oob_link.find(device);
  return it == impl_->oob_link.end() ? "" : it->second;
}

bool Network::HasLink(const std::string& id) const { return impl_->links.count(id) > 0; }

bool Network::LinkUp(const std::string& id) const { return impl_->links.at(id).up; }

void Network::SetLinkUp(const std::string& id, bool up) {
  Impl::Link& l = impl_->links.at(id);
  if (l.up == up) return;
  l.up = up;
  impl_->ApplyErrorRate(l);
  for (const auto& [dev, ifindex] : {std::make_pair(l.a, l.if_a), std::make_pair(l.b, l.if_b)}) {
    for (auto& fn : impl_->carrier[dev]) fn(ifindex, up);
  }
}

void Network::DegradeLink(const std::string& id, double loss, SimTime extra_delay, uint64_t rate_bps) {
  Impl::Link& l = impl_->links.at(id);
  l.loss = loss;
  impl_->ApplyErrorRate(l);
  l.channel->SetAttribute("Delay", TimeValue(NanoSeconds(l.delay + extra_delay)));
  if (rate_bps > 0) {
    l.dev_a->SetDataRate(DataRate(rate_bps));
    l.dev_b->SetDataRate(DataRate(rate_bps));
  }
}

void Network::RestoreLink(const std::string& id) {
  Impl::Link& l = impl_->links.at(id);
  l.loss = 0;
  impl_->ApplyErrorRate(l);
  l.channel->SetAttribute("Delay", TimeValue(NanoSeconds(l.delay)));
  l.dev_a->SetDataRate(DataRate(l.rate_bps));
  l.dev_b->SetDataRate(DataRate(l.rate_bps));
}

std::pair<uint64_t, uint64_t> Network::LinkTxBytes(const std::string& id) const {
  const Impl::Link& l = impl_->links.at(id);
  return {*l.tx_a, *l.tx_b};
}

std::vector<std::string> Network::LinkIds() const { return impl_->link_order; }

uint64_t Network::LinkRate(const std::string& id) const { return impl_->links.at(id).rate_bps; }

void Network::OnCarrierChange(const std::string& device, std::function<void(uint32_t, bool)> fn) {
  impl_->carrier[device].push_back(std::move(fn));
}

uint32_t Network::QueueDepthMax(const std::string& device) const {
  Ptr<Node> n = impl_->nodes.at(device);
  Ptr<TrafficControlLayer> tc = n->GetObject<TrafficControlLayer>();
  uint32_t depth = 0;
  for (const auto& i : Interfaces(device)) {
    if (i.oob) continue;
    Ptr<NetDevice> dev = n->GetObject<Ipv4>()->GetNetDevice(i.ifindex);
    Ptr<QueueDisc> qd = tc ? tc->GetRootQueueDiscOnDevice(dev) : nullptr;
    if (qd) depth = std::max(depth, qd->GetNPackets());
  }
  return depth;
}

void Network::EnablePcap(const std::string& device, const std::string& dir) {
  for (const auto& i : Interfaces(device)) {
    Ptr<NetDevice> dev = impl_->nodes.at(device)->GetObject<Ipv4>()->GetNetDevice(i.ifindex);
    impl_->pcap_helper.EnablePcap(dir + "/" + device + "-" + i.peer + ".pcap", dev, false, true);
  }
}

void Network::SetManagementAccess(bool oob_allowed, bool inband_allowed) {
  impl_->oob_allowed = oob_allowed;
  impl_->inband_allowed = inband_allowed;
  for (const auto& [device, _] : impl_->oob_links) ApplyManagementPath(device);
}

void Network::SetInbandReach(const std::string& device, bool reachable) {
  impl_->inband_reach[device] = reachable;
  ApplyManagementPath(device);
}

void Network::ApplyManagementPath(const std::string& device) {
  std::string l = OobLinkOf(device);
  if (l.empty()) return;
  bool oob = impl_->oob_allowed && !impl_->oob_cut[l];
  bool inband = impl_->inband_allowed && impl_->inband_reach[device];
  SetLinkUp(l, oob || inband);
}

Ptr<Node> NodeOf(Network& net, const std::string& device) { return net.impl().nodes.at(device); }

Ptr<IpFib> FibOf(Network& net, const std::string& device) {
  Ptr<Ipv4> ipv4 = NodeOf(net, device)->GetObject<Ipv4>();
  return DynamicCast<IpFib>(ipv4->GetRoutingProtocol());
}

// What the network owns besides its wiring: the faults links take and the metrics links report.
void Network::RegisterFaultHooks(FaultInjector& faults) {
  for (const std::string& id : impl_->data_links) {
    faults.On<LinkDownParams>(id, [this, id](const LinkDownParams&, bool on) { SetLinkUp(id, !on); });
    auto flap_gen = std::make_shared<uint64_t>(0);
    faults.On<LinkFlapParams>(id, [this, id, flap_gen](const LinkFlapParams& p, bool on) {
      uint64_t gen = ++*flap_gen;
      if (!on) {
        SetLinkUp(id, true);
        return;
      }
      SimTime down = p.down_for;
      RepeatWhileCurrent(p.period, flap_gen, [this, id, flap_gen, gen, down]() {
        SetLinkUp(id, false);
        Clock::After(down, [this, id, flap_gen, gen]() {
          AfterSamplesDueNow([this, id, flap_gen, gen]() { if (gen == *flap_gen) SetLinkUp(id, true); });
        });
      });
    });
    faults.On<LinkDegradeParams>(id, [this, id](const LinkDegradeParams& p, bool on) {
      if (!on) { RestoreLink(id); return; }
      DegradeLink(id, p.loss, p.extra_delay, p.rate.value_or(0));
    });
  }
  if (impl_->station.empty()) return;
  std::vector<std::string> oob_links;
  for (const auto& [device, link] : impl_->oob_links) {
    std::string l = link, d = device;
    oob_links.push_back(d);
    faults.On<MgmtOobDownParams>(device, [this, l, d](const MgmtOobDownParams&, bool on) {
      impl_->oob_cut[l] = on;
      ApplyManagementPath(d);
    });
  }
  // Cutting the station's side cuts its path to every device at once.
  faults.On<MgmtOobDownParams>(impl_->station, [this, oob_links](const MgmtOobDownParams&, bool on) {
    for (const auto& d : oob_links) {
      impl_->oob_cut[OobLinkOf(d)] = on;
      ApplyManagementPath(d);
    }
  });
}

void Network::DeclareLinkMetrics(MetricRegistry& metrics) {
  for (const std::string& id : impl_->data_links) {
    struct State {
      uint64_t a = 0, b = 0;
      SimTime at = 0;
    };
    auto state = std::make_shared<State>();
    Gauge* g = metrics.AddGauge(id, LinkMetrics::Get().utilization);
    g->BindReader([this, id, state]() {
      auto [a, b] = LinkTxBytes(id);
      SimTime now = Clock::Now();
      double secs = ToSeconds(now - state->at);
      uint64_t busiest = std::max(a - state->a, b - state->b);
      *state = {a, b, now};
      return secs > 0 ? 8.0 * static_cast<double>(busiest) / secs / static_cast<double>(LinkRate(id)) : 0.0;
    });
  }
}

}  // namespace planelab
