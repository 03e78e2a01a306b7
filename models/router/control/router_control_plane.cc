#include "models/router/control/router_control_plane.h"

#include <ns3/inet-socket-address.h>
#include <ns3/udp-socket-factory.h>

#include <nlohmann/json.hpp>

#include "sim/core/network_ns3.h"

namespace planelab {

using namespace ns3;

namespace {
// The protocol runs over UDP here (real OSPF is IP protocol 89); the port number is PlaneLab's own.
constexpr uint16_t kRoutingPort = 8989;
}  // namespace

struct RouterControlPlane::Socket {
  Ptr<ns3::Socket> sock;
};

RouterControlPlane::RouterControlPlane(RunContext& ctx, const std::string& device, const RoutingSpec& spec,
                                       Network& net, const std::function<bool(const std::string&)>& is_router,
                                       Port<FibProgram>& to_data, Port<ControlStatus>& to_mgmt)
    : PlaneActor(ctx, device, Plane::kControl), spec_(spec), net_(net), to_data_(to_data), to_mgmt_(to_mgmt),
      socket_(new Socket) {
  util_ = AddGauge("cpu_utilization", "1", "busy share of the route processor in the interval");
  Gauge* depth = AddGauge("cpu_queue_depth", "items", "control work waiting or in service");
  Histogram* wait = AddHistogram("cpu_wait", "s", "queueing delay of control work");
  wait_max_ = AddGauge("cpu_wait_max", "s", "longest wait of control work in the interval");
  adjacencies_ = AddGauge("adjacencies_up", "neighbours", "routing adjacencies in the full state");
  rib_routes_ = AddGauge("rib_routes", "routes", "routes in the routing table");
  spf_runs_ = AddCounter("spf_runs", "runs", "route computations");
  route_changes_ = AddCounter("route_changes", "changes", "FIB changes sent to the data plane");
  convergence_ = AddHistogram("convergence", "s", "time from a topology event to the FIB programmed");
  messages_ = AddCounter("messages_received", "messages", "routing protocol messages processed");
  cpu_.BindMetrics(wait, depth);

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
  core_.reset(new ls::LinkStateRouting(rid, cfg, itfs));
}

RouterControlPlane::~RouterControlPlane() = default;

void RouterControlPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  Bind();
  change_since_ = Clock::Now();
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

void RouterControlPlane::Bind() {
  Ptr<Node> node = NodeOf(net_, device());
  socket_->sock = ns3::Socket::CreateSocket(node, UdpSocketFactory::GetTypeId());
  socket_->sock->Bind(InetSocketAddress(Ipv4Address::GetAny(), kRoutingPort));
  socket_->sock->SetRecvCallback(MakeBoundCallback(+[](RouterControlPlane* self, Ptr<ns3::Socket> s) {
    Address from;
    while (Ptr<Packet> p = s->RecvFrom(from)) {
      std::vector<uint8_t> bytes(p->GetSize());
      p->CopyData(bytes.data(), bytes.size());
      self->OnPacket(InetSocketAddress::ConvertFrom(from).GetIpv4().Get(), std::move(bytes));
    }
  }, this));
}

void RouterControlPlane::OnPacket(uint32_t src_addr, std::vector<uint8_t> bytes) {
  if (!running()) return;
  // Every protocol message costs route-processor time and waits behind other control work.
  cpu_.Submit(spec_.cpu_cost_message, [this, src_addr, bytes = std::move(bytes)]() {
    ls::Message m;
    if (!ls::Decode(bytes.data(), bytes.size(), &m)) {
      Emit("routing.malformed", "{}");
      return;
    }
    messages_->Add();
    uint32_t ifindex = core_->InterfaceFor(src_addr);
    size_t before = core_->adjacencies_up();
    std::vector<ls::Send> out;
    core_->Receive(Clock::Now(), ifindex, m, &out);
    if (core_->adjacencies_up() != before) {
      nlohmann::json d = {{"adjacencies", core_->adjacencies_up()}, {"ifindex", ifindex}};
      Emit(core_->adjacencies_up() > before ? "adjacency.up" : "adjacency.down", d.dump());
    }
    Transmit(out);
    MaybeScheduleSpf();
    ArmTick();
  });
}

void RouterControlPlane::Transmit(std::vector<ls::Send>& out) {
  for (auto& s : out) {
    std::vector<uint8_t> b = ls::Encode(s.msg);
    Ptr<Packet> p = Create<Packet>(b.data(), b.size());
    socket_->sock->SendTo(p, 0, InetSocketAddress(Ipv4Address(s.to_addr), kRoutingPort));
  }
  out.clear();
}

void RouterControlPlane::ArmTick() {
  SimTime delay = std::max<SimTime>(0, core_->NextDeadline() - Clock::Now());
  tick_.Arm(delay, [this]() {
    if (!running()) return;
    cpu_.Submit(spec_.cpu_cost_message, [this]() {
      size_t before = core_->adjacencies_up();
      std::vector<ls::Send> out;
      core_->Tick(Clock::Now(), &out);
      if (core_->adjacencies_up() < before) {
        Emit("adjacency.down", nlohmann::json({{"adjacencies", core_->adjacencies_up()}, {"reason", "dead-interval"}}).dump());
      }
      Transmit(out);
      MaybeScheduleSpf();
      ArmTick();
    });
  });
}

void RouterControlPlane::MaybeScheduleSpf() {
  if (!core_->routes_dirty() || spf_scheduled_) return;
  if (change_since_ < 0) change_since_ = Clock::Now();
  spf_scheduled_ = true;
  // SPF throttling: wait spf_delay so a burst of changes is computed once (RFC 8405).
  After(spec_.spf_delay, [this]() { cpu_.Submit(spec_.cpu_cost_spf, [this]() { RunSpf(); }); });
}

void RouterControlPlane::RunSpf() {
  spf_scheduled_ = false;
  spf_runs_->Add();
  std::vector<ls::Route> routes = core_->ComputeRoutes();
  std::map<std::pair<uint32_t, uint8_t>, ls::Route> next;
  for (const auto& r : routes) next[{r.prefix, r.len}] = r;
  FibProgram prog;
  for (const auto& [key, r] : next) {
    auto it = rib_.find(key);
    if (it == rib_.end() || !(it->second == r)) prog.changes.push_back({r.prefix, r.len, false, r.next_hop, r.ifindex});
  }
  for (const auto& [key, r] : rib_) {
    if (!next.count(key)) prog.changes.push_back({r.prefix, r.len, true, 0, 0});
  }
  rib_ = std::move(next);
  rib_routes_->Set(static_cast<double>(rib_.size()));
  if (!prog.changes.empty()) {
    prog.version = ++fib_version_;
    prog.triggered_at = change_since_ < 0 ? Clock::Now() : change_since_;
    route_changes_->Add(static_cast<double>(prog.changes.size()));
    nlohmann::json d = {{"version", prog.version}, {"changes", prog.changes.size()}, {"rib_routes", rib_.size()}};
    Emit("rib.changed", d.dump());
    to_data_.Send(std::move(prog));
  }
  change_since_ = -1;
  if (core_->routes_dirty()) MaybeScheduleSpf();
}

void RouterControlPlane::OnDataMessage(const DataToControl& m) {
  if (const auto* e = std::get_if<InterfaceEvent>(&m)) {
    InterfaceEvent ev = *e;
    if (change_since_ < 0) change_since_ = Clock::Now();
    cpu_.Submit(spec_.cpu_cost_message, [this, ev]() {
      std::vector<ls::Send> out;
      size_t before = core_->adjacencies_up();
      core_->SetCarrier(Clock::Now(), ev.ifindex, ev.up, &out);
      Emit(ev.up ? "interface.up" : "interface.down", nlohmann::json({{"ifindex", ev.ifindex}}).dump());
      if (core_->adjacencies_up() < before) {
        Emit("adjacency.down", nlohmann::json({{"adjacencies", core_->adjacencies_up()}, {"ifindex", ev.ifindex},
                                               {"reason", "carrier-loss"}}).dump());
      }
      Transmit(out);
      MaybeScheduleSpf();
      ArmTick();
    });
  } else if (const auto* ack = std::get_if<FibAck>(&m)) {
    convergence_->Observe(ToSeconds(Clock::Now() - ack->triggered_at));
  }
}

void RouterControlPlane::OnStatusQuery(const StatusQuery& q) {
  // Answered by the OS's status path, not queued behind routing work: SNMP still reads the CPU load.
  ControlStatus s;
  s.id = q.id;
  s.cpu_utilization = last_util_;
  s.adjacencies_up = static_cast<uint32_t>(core_->adjacencies_up());
  s.adjacencies_configured = static_cast<uint32_t>(core_->adjacencies_configured());
  s.rib_routes = rib_.size();
  to_mgmt_.Send(s);
}

Health RouterControlPlane::MeasureHealth() {
  last_util_ = cpu_.TakeUtilization();
  double wait = cpu_.TakeMaxWait();
  util_->Set(last_util_);
  wait_max_->Set(wait);
  adjacencies_->Set(static_cast<double>(core_->adjacencies_up()));
  // A route processor that is nearly always busy, or whose work waits, cannot make changes promptly.
  Health h = (last_util_ >= 0.9 || wait >= 0.5) ? Health::kDegraded : Health::kUp;
  return WithLifecycle(h);
}

}  // namespace planelab
