#include "models/router/control/link_state_control_plane.h"

#include <ns3/inet-socket-address.h>
#include <ns3/ipv4-header.h>
#include <ns3/ip-l4-protocol.h>
#include <ns3/ipv4-l3-protocol.h>
#include <ns3/ipv4-raw-socket-factory.h>
#include <ns3/uinteger.h>

#include <nlohmann/json.hpp>

#include "models/router/control/router_control_metrics.h"
#include "sim/core/network_ns3.h"

namespace planelab {

using namespace ns3;

namespace {
/// The run's LSA pool, shared by every link-state router (the LSAs are immutable once originated).
std::shared_ptr<ls::LsaPool> SharedPool(RunContext& ctx) {
  std::shared_ptr<void>& slot = ctx.shared["link-state.lsa-pool"];
  if (!slot) slot = std::make_shared<ls::LsaPool>();
  return std::static_pointer_cast<ls::LsaPool>(slot);
}
}  // namespace

namespace {
/// OSPF's receive side as an IP protocol handler: ns-3 hands raw sockets every datagram before reassembly, so an
/// update larger than the MTU (a spine's router-LSA lists every leaf: 12 bytes a link and a stub each) arrived as
/// fragments that could not be decoded. IP delivers to a protocol handler after reassembly, as a real router's
/// stack delivers OSPF (RFC 2328 Appendix A.1 leaves large packets to IP fragmentation).
class OspfIpProtocol : public ns3::IpL4Protocol {
 public:
  static ns3::TypeId GetTypeId() {
    static ns3::TypeId tid = ns3::TypeId("planelab::OspfIpProtocol").SetParent<ns3::IpL4Protocol>().SetGroupName("PlaneLab");
    return tid;
  }
  std::function<void(uint32_t, Ptr<Packet>)> deliver;  // empty while the daemon is down: datagrams are dropped
  int GetProtocolNumber() const override { return ls::kOspfProtocol; }
  RxStatus Receive(Ptr<Packet> p, const Ipv4Header& header, Ptr<ns3::Ipv4Interface>) override {
    if (deliver) deliver(header.GetSource().Get(), p);
    return RX_OK;
  }
  RxStatus Receive(Ptr<Packet>, const ns3::Ipv6Header&, Ptr<ns3::Ipv6Interface>) override { return RX_ENDPOINT_UNREACH; }
  void SetDownTarget(DownTargetCallback cb) override { down_ = cb; }
  void SetDownTarget6(DownTargetCallback6 cb) override { down6_ = cb; }
  DownTargetCallback GetDownTarget() const override { return down_; }
  DownTargetCallback6 GetDownTarget6() const override { return down6_; }

 private:
  DownTargetCallback down_;
  DownTargetCallback6 down6_;
};
}  // namespace

struct LinkStateControlPlane::Socket {
  Ptr<ns3::Socket> sock;        // sends (IP fragments what exceeds the MTU); receives nothing
  Ptr<OspfIpProtocol> receive;  // registered with the node's IP once, kept across daemon restarts
};

LinkStateControlPlane::LinkStateControlPlane(RunContext& ctx, const std::string& device, const RoutingSpec& spec,
                                             Network& net, const std::function<bool(const std::string&)>& is_router,
                                             Port<FibProgram>& to_data, Port<ControlStatus>& to_mgmt)
    : RouterControlPlane(ctx, device, spec, to_data, to_mgmt),
      net_(net),
      socket_(new Socket),
      backoff_(spec.spf_backoff),
      pool_(SharedPool(ctx)) {
  spf_runs_ = AddCounter(LinkStateControlMetrics::Get().spf_runs);
  lsas_flooded_ = AddCounter(LinkStateControlMetrics::Get().lsas_flooded);
  lsa_retransmissions_ = AddCounter(LinkStateControlMetrics::Get().lsa_retransmissions);
  input_drops_ = AddCounter(LinkStateControlMetrics::Get().input_drops);
  std::vector<ls::InterfaceConfig> itfs;
  for (const auto& i : net.Interfaces(device)) {
    if (i.oob) continue;
    ls::InterfaceConfig c;
    c.ifindex = i.ifindex;
    c.local_addr = i.local_addr;
    c.peer_addr = i.peer_addr;
    c.prefix_len = i.prefix_len;
    c.cost = i.cost;
    c.mtu = i.mtu;
    // Interfaces towards hosts are passive, as operators configure them.
    c.passive = !is_router(i.peer);
    itfs.push_back(c);
  }
  // Router id: the lowest data-interface address, as OSPF picks one by default.
  uint32_t rid = 0xffffffffu;
  for (const auto& c : itfs) rid = std::min(rid, c.local_addr);
  router_id_ = rid;
  config_ = spec.link_state;
  interfaces_ = itfs;
  core_.reset(new ls::LinkStateRouting(rid, config_, itfs, pool_));
  if (config_.dynamic_flooding) {
    flooding_links_ = AddGauge(LinkStateControlMetrics::Get().flooding_links);
    flooding_links_->BindReader([this]() { return static_cast<double>(core_->flooding_links()); });
  }
}

void LinkStateControlPlane::HandleCrash() {
  tick_.Cancel();
  CrashShared();
  if (socket_->sock) {
    socket_->sock->Close();
    socket_->sock = nullptr;
  }
  if (socket_->receive) socket_->receive->deliver = nullptr;
  spf_scheduled_ = false;
  input_bytes_ = 0;  // the queued packets went with the daemon
  backoff_ = ls::SpfBackoff(spec_.spf_backoff);
  events_seen_ = 0;
  reported_ = ls::FloodStats();
  core_.reset(new ls::LinkStateRouting(router_id_, config_, interfaces_, pool_));
}

LinkStateControlPlane::~LinkStateControlPlane() {
  if (socket_->receive) socket_->receive->deliver = nullptr;
}

void LinkStateControlPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  // OSPF rides directly on IP (protocol 89, RFC 2328 Appendix A.1) with a TTL of 1: it never leaves the link.
  socket_->sock = ns3::Socket::CreateSocket(NodeOf(net_, device()), Ipv4RawSocketFactory::GetTypeId());
  socket_->sock->SetAttribute("Protocol", UintegerValue(ls::kOspfProtocol));
  socket_->sock->SetIpTtl(1);
  socket_->sock->ShutdownRecv();  // datagrams come up reassembled through the protocol handler instead
  if (!socket_->receive) {
    socket_->receive = CreateObject<OspfIpProtocol>();
    NodeOf(net_, device())->GetObject<ns3::Ipv4L3Protocol>()->Insert(socket_->receive);
  }
  socket_->receive->deliver = [this](uint32_t src, Ptr<Packet> p) {
    std::vector<uint8_t> bytes(p->GetSize());
    p->CopyData(bytes.data(), bytes.size());
    OnPacket(src, std::move(bytes));
  };
  NoteChange();
  // Desynchronise routers' hello phases deterministically, as real daemons start at different times.
  std::uniform_int_distribution<SimTime> jitter(0, 100 * kMs);
  After(jitter(rng()), [this]() {
    cpu_.Submit(spec_.cpu_cost_message, [this]() {
      std::vector<ls::Send> out;
      core_->Start(Clock::Now(), &out);
      Transmit(out);
      MaybeScheduleSpf();
      ArmTick();
    });
  });
}

void LinkStateControlPlane::ReportAdjacencies(size_t before, const char* reason) {
  size_t now = core_->adjacencies_up();
  if (now == before) return;
  Emit(now > before ? "adjacency.up" : "adjacency.down",
       nlohmann::json({{"adjacencies", now}, {"reason", reason}}).dump());
}

// What waits for the daemon is bounded by its socket's receive buffer: FRR's ospfd asks for 8 MiB (`socket
// buffer-size`, OSPF_DEFAULT_SOCK_BUFSIZE) and Linux caps the request at twice net.core.rmem_max (212,992 bytes by
// default, Documentation/admin-guide/sysctl/net.rst). Counted in datagram bytes; what arrives beyond is dropped, and
// OSPF's retransmissions recover it, as on a route processor a flood outruns.
constexpr size_t kInputBuffer = 2 * 212992;

void LinkStateControlPlane::OnPacket(uint32_t src_addr, std::vector<uint8_t> bytes) {
  if (!running()) return;
  if (input_bytes_ + bytes.size() > kInputBuffer) {
    input_drops_->Add();
    return;
  }
  input_bytes_ += bytes.size();
  // Every protocol message costs route-processor time and waits behind other control work.
  cpu_.Submit(spec_.cpu_cost_message, [this, src_addr, bytes = std::move(bytes)]() {
    input_bytes_ -= bytes.size();
    ls::Message m;
    if (!ls::Decode(bytes.data(), bytes.size(), &m, pool_.get())) {
      Emit("routing.malformed", "{}");
      return;
    }
    messages_->Add();
    size_t before = core_->adjacencies_up();
    std::vector<ls::Send> out;
    core_->Receive(Clock::Now(), core_->InterfaceFor(src_addr), m, &out);
    ReportAdjacencies(before, "hello");
    Transmit(out);
    MaybeScheduleSpf();
    ArmTick();
  });
}

void LinkStateControlPlane::OnCarrier(uint32_t ifindex, bool up) {
  std::vector<ls::Send> out;
  size_t before = core_->adjacencies_up();
  core_->SetCarrier(Clock::Now(), ifindex, up, &out);
  ReportAdjacencies(before, up ? "carrier-up" : "carrier-loss");
  Transmit(out);
  MaybeScheduleSpf();
  ArmTick();
}

void LinkStateControlPlane::Transmit(std::vector<ls::Send>& out) {
  for (auto& s : out) {
    std::vector<uint8_t> b = ls::Encode(s.msg);
    socket_->sock->SendTo(Create<Packet>(b.data(), b.size()), 0, InetSocketAddress(Ipv4Address(s.to_addr), 0));
  }
  out.clear();
  ReportFlooding();
}

void LinkStateControlPlane::ReportFlooding() {
  const ls::FloodStats& now = core_->stats();
  lsas_flooded_->Add(static_cast<double>(now.lsas_sent - reported_.lsas_sent));
  lsa_retransmissions_->Add(static_cast<double>(now.retransmitted - reported_.retransmitted));
  if (now.mtu_mismatches != reported_.mtu_mismatches) {
    // What FRR logs as "MTU mismatch" for each rejected description: the adjacency will not form.
    Emit("ospf.mtu-mismatch", nlohmann::json({{"rejected", now.mtu_mismatches}}).dump());
  }
  reported_ = now;
}

void LinkStateControlPlane::ArmTick() {
  const SimTime deadline = core_->NextDeadline();
  if (deadline == ls::kNever) return;
  SimTime delay = std::max<SimTime>(0, deadline - Clock::Now());
  tick_.Arm(delay, [this]() {
    if (!running()) return;
    // The core's deadline may have been an early bound: a wake-up with nothing due costs no route-processor time.
    if (core_->ExactDeadline() > Clock::Now()) return ArmTick();
    cpu_.Submit(spec_.cpu_cost_message, [this]() {
      size_t before = core_->adjacencies_up();
      std::vector<ls::Send> out;
      core_->Tick(Clock::Now(), &out);
      ReportAdjacencies(before, "dead-interval");
      Transmit(out);
      MaybeScheduleSpf();
      ArmTick();
    });
  });
}

void LinkStateControlPlane::MaybeScheduleSpf() {
  if (core_->changes() == events_seen_) return;
  events_seen_ = core_->changes();
  // Every change of the LSDB or of an adjacency is an IGP event for the RFC 8405 back-off, which says when the
  // next SPF runs: soon after a quiet period, later and later while a storm lasts.
  const SimTime due = backoff_.OnEvent(Clock::Now());
  if (spf_scheduled_) return;
  NoteChange();
  spf_scheduled_ = true;
  After(std::max<SimTime>(0, due - Clock::Now()), [this]() { cpu_.Submit(spec_.cpu_cost_spf, [this]() { RunSpf(); }); });
}

void LinkStateControlPlane::RunSpf() {
  spf_scheduled_ = false;
  backoff_.OnSpfRun();
  spf_runs_->Add();
  const ls::RouteTable t = core_->ComputeRouteTable();
  std::vector<std::vector<FibNextHop>> groups;
  groups.reserve(t.sets.size());
  for (const auto& set : t.sets) {
    std::vector<FibNextHop>& hops = groups.emplace_back();
    for (const auto& h : set) hops.push_back(FibNextHop{h.addr, h.ifindex});
  }
  std::vector<std::pair<std::pair<uint32_t, uint8_t>, uint32_t>> routes;
  routes.reserve(t.routes.size());
  for (const auto& e : t.routes) routes.emplace_back(std::make_pair(e.prefix, e.len), e.set);
  ProgramFibGroups(routes, groups);
}

}  // namespace planelab
