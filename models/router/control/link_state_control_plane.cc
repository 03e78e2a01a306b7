#include "models/router/control/link_state_control_plane.h"

#include <ns3/inet-socket-address.h>
#include <ns3/udp-socket-factory.h>

#include <nlohmann/json.hpp>

#include "models/router/control/router_control_metrics.h"
#include "sim/core/network_ns3.h"

namespace planelab {

using namespace ns3;

namespace {
// The protocol runs over UDP here (real OSPF is IP protocol 89); the port number is PlaneLab's own.
constexpr uint16_t kRoutingPort = 8989;
}  // namespace

struct LinkStateControlPlane::Socket {
  Ptr<ns3::Socket> sock;
};

LinkStateControlPlane::LinkStateControlPlane(RunContext& ctx, const std::string& device, const RoutingSpec& spec,
                                             Network& net, const std::function<bool(const std::string&)>& is_router,
                                             Port<FibProgram>& to_data, Port<ControlStatus>& to_mgmt)
    : RouterControlPlane(ctx, device, spec, to_data, to_mgmt), net_(net), socket_(new Socket) {
  spf_runs_ = AddCounter(LinkStateControlMetrics::Get().spf_runs);
  std::vector<ls::InterfaceConfig> itfs;
  for (const auto& i : net.Interfaces(device)) {
    if (i.oob) continue;
    ls::InterfaceConfig c;
    c.ifindex = i.ifindex;
    c.local_addr = i.local_addr;
    c.peer_addr = i.peer_addr;
    c.prefix_len = i.prefix_len;
    c.cost = i.cost;
    // Interfaces towards hosts are passive, as operators configure them.
    c.passive = !is_router(i.peer);
    itfs.push_back(c);
  }
  // Router id: the lowest data-interface address, as OSPF picks one by default.
  uint32_t rid = 0xffffffffu;
  for (const auto& c : itfs) rid = std::min(rid, c.local_addr);
  ls::LinkStateRouting::Config cfg;
  cfg.hello_interval = spec.hello_interval;
  cfg.dead_interval = spec.dead_interval;
  router_id_ = rid;
  config_ = cfg;
  interfaces_ = itfs;
  core_.reset(new ls::LinkStateRouting(rid, cfg, itfs));
}

void LinkStateControlPlane::HandleCrash() {
  tick_.Cancel();
  CrashShared();
  if (socket_->sock) {
    socket_->sock->Close();
    socket_->sock = nullptr;
  }
  spf_scheduled_ = false;
  core_.reset(new ls::LinkStateRouting(router_id_, config_, interfaces_));
}

LinkStateControlPlane::~LinkStateControlPlane() = default;

void LinkStateControlPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  socket_->sock = ns3::Socket::CreateSocket(NodeOf(net_, device()), UdpSocketFactory::GetTypeId());
  socket_->sock->Bind(InetSocketAddress(Ipv4Address::GetAny(), kRoutingPort));
  socket_->sock->SetRecvCallback(MakeBoundCallback(+[](LinkStateControlPlane* self, Ptr<ns3::Socket> s) {
    Address from;
    while (Ptr<Packet> p = s->RecvFrom(from)) {
      std::vector<uint8_t> bytes(p->GetSize());
      p->CopyData(bytes.data(), bytes.size());
      self->OnPacket(InetSocketAddress::ConvertFrom(from).GetIpv4().Get(), std::move(bytes));
    }
  }, this));
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

void LinkStateControlPlane::OnPacket(uint32_t src_addr, std::vector<uint8_t> bytes) {
  if (!running()) return;
  // Every protocol message costs route-processor time and waits behind other control work.
  cpu_.Submit(spec_.cpu_cost_message, [this, src_addr, bytes = std::move(bytes)]() {
    ls::Message m;
    if (!ls::Decode(bytes.data(), bytes.size(), &m)) {
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
    socket_->sock->SendTo(Create<Packet>(b.data(), b.size()), 0, InetSocketAddress(Ipv4Address(s.to_addr), kRoutingPort));
  }
  out.clear();
}

void LinkStateControlPlane::ArmTick() {
  SimTime delay = std::max<SimTime>(0, core_->NextDeadline() - Clock::Now());
  tick_.Arm(delay, [this]() {
    if (!running()) return;
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
  if (!core_->routes_dirty() || spf_scheduled_) return;
  NoteChange();
  spf_scheduled_ = true;
  // SPF throttling: wait spf_delay so a burst of changes is computed once (RFC 8405).
  After(spec_.spf_delay, [this]() { cpu_.Submit(spec_.cpu_cost_spf, [this]() { RunSpf(); }); });
}

void LinkStateControlPlane::RunSpf() {
  spf_scheduled_ = false;
  spf_runs_->Add();
  FibTable table;
  for (const auto& r : core_->ComputeRoutes()) {
    std::vector<FibNextHop>& hops = table[{r.prefix, r.len}];
    for (const auto& h : r.next_hops) hops.push_back(FibNextHop{h.addr, h.ifindex});
  }
  ProgramFib(table);
  if (core_->routes_dirty()) MaybeScheduleSpf();
}

}  // namespace planelab
