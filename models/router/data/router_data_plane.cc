#include "models/router/data/router_data_plane.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include <ns3/inet-socket-address.h>
#include <ns3/ipv4-l3-protocol.h>
#include <ns3/udp-socket-factory.h>

#include "models/router/data/router_data_metrics.h"
#include "sim/core/network_ns3.h"

namespace planelab {

namespace {
constexpr uint16_t kBfdPort = 3784;  // RFC 5881 §4: single-hop BFD control packets
}  // namespace

struct RouterDataPlane::BfdSocket {
  ns3::Ptr<ns3::Socket> sock;
};

RouterDataPlane::~RouterDataPlane() = default;

void RouterDataPlane::EnableBfd(const BfdSpec& spec, std::vector<uint32_t> ifindexes) {
  bfd_ = spec;
  for (uint32_t ifx : ifindexes) {
    for (const auto& i : net_.Interfaces(device())) {
      if (i.ifindex == ifx) bfd_sessions_.push_back({ifx, i.peer_addr, i.local_addr, -1, false});
    }
  }
}

void RouterDataPlane::BfdReceive(uint32_t from_addr) {
  if (!asic_alive_) return;  // the BFD engine lives in the dead hardware
  for (auto& s : bfd_sessions_) {
    if (s.peer_addr != from_addr) continue;
    s.last_rx = Clock::Now();
    if (!s.up) {
      s.up = true;
      to_control_.Send(InterfaceEvent{s.ifindex, true, true});
    }
  }
}

void RouterDataPlane::BfdTick() {
  SimTime now = Clock::Now();
  if (asic_alive_) {
    auto fib = FibOf(net_, device());
    for (auto& s : bfd_sessions_) {
      // RFC 5880 §6.8.4: detection time = remote detect multiplier x agreed interval.
      if (s.up && now - s.last_rx > static_cast<SimTime>(bfd_.multiplier) * bfd_.interval) {
        s.up = false;
        Emit("bfd.timeout", nlohmann::json({{"ifindex", s.ifindex}}).dump());
        to_control_.Send(InterfaceEvent{s.ifindex, false, true});
      }
      if (!fib->Carrier(s.ifindex)) continue;
      // A 24-byte RFC 5880 control packet: version 1, state Up/Down, detect multiplier, intervals in us.
      uint8_t b[24] = {0};
      b[0] = 1 << 5;
      b[1] = static_cast<uint8_t>((s.up ? 3 : 1) << 6);
      b[2] = static_cast<uint8_t>(bfd_.multiplier);
      b[3] = 24;
      uint32_t us = static_cast<uint32_t>(bfd_.interval / kUs);
      for (int k = 0; k < 4; ++k) {
        b[4 + k] = static_cast<uint8_t>(s.local_addr >> (24 - 8 * k));
        b[8 + k] = static_cast<uint8_t>(s.peer_addr >> (24 - 8 * k));
        b[12 + k] = b[16 + k] = static_cast<uint8_t>(us >> (24 - 8 * k));
      }
      bfd_socket_->sock->SendTo(ns3::Create<ns3::Packet>(b, sizeof b), 0,
                                ns3::InetSocketAddress(ns3::Ipv4Address(s.peer_addr), kBfdPort));
    }
  }
  After(bfd_.interval, [this]() { BfdTick(); });
}

RouterDataPlane::RouterDataPlane(RunContext& ctx, const std::string& device, Network& net,
                                 Port<DataToControl>& to_control, Port<DataStatus>& to_mgmt)
    : PlaneActor(ctx, device, Plane::kData), bfd_socket_(new BfdSocket), net_(net), to_control_(to_control),
      to_mgmt_(to_mgmt) {
  const RouterDataMetrics& m = RouterDataMetrics::Get();
  transit_ = AddCounter(m.transit_packets);
  forwarded_ = AddCounter(m.forwarded_packets);
  dropped_ = AddCounter(m.dropped_packets);
  punted_ = AddCounter(m.punted_packets);
  ttl_expired_ = AddCounter(m.ttl_expired_packets);
  drop_ratio_ = AddGauge(m.drop_ratio);
  forwarded_bps_ = AddGauge(m.forwarded_bps);
  fib_routes_ = AddGauge(m.fib_routes);
  queue_depth_ = AddGauge(m.queue_depth_max);
  interfaces_up_ = AddGauge(m.interfaces_up);
  Network* n = &net_;
  std::string id = device;
  queue_depth_->BindReader([n, id]() { return static_cast<double>(n->QueueDepthMax(id)); });
}

void RouterDataPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  // Packets caught in a forwarding loop (while routes converge) die of TTL expiry in IPv4.
  NodeOf(net_, device())->GetObject<ns3::Ipv4L3Protocol>()->TraceConnectWithoutContext(
      "Drop", ns3::MakeBoundCallback(+[](Counter* c, const ns3::Ipv4Header&, ns3::Ptr<const ns3::Packet>,
                                          ns3::Ipv4L3Protocol::DropReason reason, ns3::Ptr<ns3::Ipv4>, uint32_t) {
        if (reason == ns3::Ipv4L3Protocol::DROP_TTL_EXPIRED) c->Add();
      }, ttl_expired_));
  OpenBfd();
  net_.OnCarrierChange(device(), [this](uint32_t ifindex, bool up) {
    for (const auto& i : net_.Interfaces(device())) {
      if (i.ifindex != ifindex || i.oob) continue;
      FibOf(net_, device())->SetCarrier(ifindex, up);
      // A crashed line card reports nothing; it tells what changed when it restarts.
      if (!running()) continue;
      Emit(up ? "carrier.up" : "carrier.down", nlohmann::json({{"ifindex", ifindex}, {"link", i.link_id}}).dump());
      // Carrier loss is punted to the control plane, which decides what to do about routes.
      carrier_told_[ifindex] = up;
      to_control_.Send(InterfaceEvent{ifindex, up});
    }
  });
}

void RouterDataPlane::OpenBfd() {
  if (!bfd_.enabled || bfd_sessions_.empty()) return;
  bfd_socket_->sock = ns3::Socket::CreateSocket(NodeOf(net_, device()), ns3::UdpSocketFactory::GetTypeId());
  bfd_socket_->sock->Bind(ns3::InetSocketAddress(ns3::Ipv4Address::GetAny(), kBfdPort));
  bfd_socket_->sock->SetRecvCallback(ns3::MakeBoundCallback(+[](RouterDataPlane* self, ns3::Ptr<ns3::Socket> s) {
    ns3::Address from;
    while (ns3::Ptr<ns3::Packet> p = s->RecvFrom(from)) {
      self->BfdReceive(ns3::InetSocketAddress::ConvertFrom(from).GetIpv4().Get());
    }
  }, this));
  std::uniform_int_distribution<SimTime> jitter(0, bfd_.interval);
  After(jitter(rng()), [this]() { BfdTick(); });
}

void RouterDataPlane::HandleCrash() {
  auto fib = FibOf(net_, device());
  fib->SetAsicAlive(false);
  fib->Clear();
  fib_routes_->Set(0);
  stalled_.clear();
  awaiting_routes_ = false;
  if (bfd_socket_->sock) {
    bfd_socket_->sock->Close();
    bfd_socket_->sock = nullptr;
  }
}

void RouterDataPlane::HandleRestart() {
  SetLifecycle(Lifecycle::kUp, "start");
  auto fib = FibOf(net_, device());
  fib->SetAsicAlive(asic_alive_);
  // Every session gets a fresh detection time: the neighbours' packets are due again from now.
  for (auto& s : bfd_sessions_) s.last_rx = Clock::Now();
  OpenBfd();
  for (const auto& i : net_.Interfaces(device())) {
    if (i.oob) continue;
    bool up = fib->Carrier(i.ifindex);
    auto told = carrier_told_.find(i.ifindex);
    if ((told == carrier_told_.end() ? true : told->second) == up) continue;
    Emit(up ? "carrier.up" : "carrier.down", nlohmann::json({{"ifindex", i.ifindex}, {"link", i.link_id}}).dump());
    carrier_told_[i.ifindex] = up;
    to_control_.Send(InterfaceEvent{i.ifindex, up});
  }
  awaiting_routes_ = true;
  AskForRoutes();
}

void RouterDataPlane::AskForRoutes() {
  if (!awaiting_routes_) return;
  to_control_.Send(FibReload{});
  // A control plane that is down (or busy) loses the request: ask again until the routes come.
  After(1 * kSec, [this]() { AskForRoutes(); });
}

void RouterDataPlane::OnFibProgram(const FibProgram& prog) {
  if (prog.full) awaiting_routes_ = false;
  if (fib_stalled_) {
    stalled_.push_back(prog);
    return;
  }
  Apply(prog);
}

void RouterDataPlane::SetFibStalled(bool stalled) {
  fib_stalled_ = stalled;
  Emit(stalled ? "fib.stalled" : "fib.resumed", nlohmann::json({{"backlog", stalled_.size()}}).dump());
  if (stalled) return;
  std::vector<FibProgram> backlog;
  backlog.swap(stalled_);
  for (const auto& p : backlog) Apply(p);
}

void RouterDataPlane::Apply(const FibProgram& prog) {
  auto fib = FibOf(net_, device());
  if (prog.full) fib->Clear();
  // The program's next-hop groups become the FIB's own once each, as their routes first need them.
  constexpr uint32_t kUnset = UINT32_MAX;
  std::vector<uint32_t> fib_group(prog.groups.size(), kUnset);
  for (const auto& c : prog.changes) {
    if (c.remove || c.group >= prog.groups.size() || prog.groups[c.group].empty()) {
      fib->RemoveRoute(c.prefix, c.len);
      continue;
    }
    if (fib_group[c.group] == kUnset) {
      std::vector<std::pair<uint32_t, uint32_t>> hops;
      for (const auto& h : prog.groups[c.group]) hops.emplace_back(h.addr, h.ifindex);
      fib_group[c.group] = fib->GroupId(hops);
    }
    fib->SetRouteGroup(c.prefix, c.len, fib_group[c.group]);
  }
  fib_routes_->Set(static_cast<double>(fib->size()));
  nlohmann::json d = {{"version", prog.version}, {"changes", prog.changes.size()}, {"fib_routes", fib->size()}};
  Emit("fib.programmed", d.dump());
  to_control_.Send(FibAck{prog.version, prog.triggered_at, fib->size()});
}

void RouterDataPlane::OnStatusQuery(const StatusQuery& q) {
  // What the line card believes: carrier and programmed routes. A dead ASIC does not know it is dead.
  auto fib = FibOf(net_, device());
  DataStatus s;
  s.id = q.id;
  for (const auto& i : net_.Interfaces(device())) {
    if (i.oob) continue;
    ++s.interfaces_total;
    bool carrier = fib->Carrier(i.ifindex);
    if (carrier) ++s.interfaces_up;
    s.interfaces.push_back({i.ifindex, carrier, fib->InOctets(i.ifindex)});
  }
  std::sort(s.interfaces.begin(), s.interfaces.end(),
            [](const InterfaceStatus& a, const InterfaceStatus& b) { return a.ifindex < b.ifindex; });
  s.fib_routes = fib->size();
  s.rx_packets = fib->counters().transit + fib->counters().punted;
  to_mgmt_.Send(s);
}

void RouterDataPlane::SetAsicAlive(bool alive) {
  asic_alive_ = alive;
  if (running()) FibOf(net_, device())->SetAsicAlive(alive);
  // Silent hardware failure: the event is for the run's ground truth, not something the device logs.
  Emit(alive ? "asic.restored" : "asic.dead", "{}");
}

Health RouterDataPlane::MeasureHealth() {
  auto fib = FibOf(net_, device());
  const FibCounters& c = fib->counters();
  uint64_t dropped = c.dropped_asic + c.dropped_no_route;
  uint64_t d_transit = c.transit - last_transit_, d_dropped = dropped - last_dropped_;
  transit_->Add(static_cast<double>(d_transit));
  dropped_->Add(static_cast<double>(d_dropped));
  forwarded_->Add(static_cast<double>(c.forwarded - last_forwarded_));
  punted_->Add(static_cast<double>(c.punted - last_punted_));
  SimTime now = Clock::Now();
  double secs = ToSeconds(now - last_sample_);
  forwarded_bps_->Set(secs > 0 ? 8.0 * static_cast<double>(c.forwarded_bytes - last_bytes_) / secs : 0);
  double ratio = d_transit > 0 ? static_cast<double>(d_dropped) / static_cast<double>(d_transit) : 0;
  drop_ratio_->Set(ratio);
  fib_routes_->Set(static_cast<double>(fib->size()));
  uint32_t up = 0;
  for (const auto& i : net_.Interfaces(device())) {
    if (!i.oob && fib->Carrier(i.ifindex)) ++up;
  }
  interfaces_up_->Set(up);
  last_transit_ = c.transit;
  last_dropped_ = dropped;
  last_forwarded_ = c.forwarded;
  last_punted_ = c.punted;
  last_bytes_ = c.forwarded_bytes;
  last_sample_ = now;
  // Measured from what it did: an idle forwarding plane shows no failure, so it counts as up.
  Health h = HealthFromFailures(ratio, 1.0);
  return WithLifecycle(h);
}

}  // namespace planelab
