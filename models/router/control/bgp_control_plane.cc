#include "models/router/control/bgp_control_plane.h"

#include <algorithm>

#include <ns3/inet-socket-address.h>

#include <nlohmann/json.hpp>

#include "models/router/control/router_control_metrics.h"
#include "sim/core/indexed_tcp.h"
#include "sim/core/network_ns3.h"

namespace planelab {

using namespace ns3;

namespace {
constexpr uint16_t kBgpPort = 179;  // RFC 4271 §8.2.1

/// bgpPeerState of the BGP4-MIB (RFC 4273 §4): idle(1) ... established(6).
double MibPeerState(bgp::SessionState s) {
  switch (s) {
    case bgp::SessionState::kIdle: return 1;
    case bgp::SessionState::kConnect: return 2;
    case bgp::SessionState::kActive: return 3;
    case bgp::SessionState::kOpenSent: return 4;
    case bgp::SessionState::kOpenConfirm: return 5;
    case bgp::SessionState::kEstablished: return 6;
  }
  return 0;
}
constexpr SimTime kFibBatchWindow = 10 * kMs;
// FRR's bgpd sets SO_SNDBUF to 64 KiB on BGP sockets (BGP_SOCKET_SNDBUF_SIZE, bgpd/bgp_network.h).
// The receive window is 64 KiB too: Linux's default tcp_rmem of 128 KiB with tcp_adv_win_scale=1
// advertises half of it (Documentation/networking/ip-sysctl.rst). What a session holds in flight
// is what a fabric's memory goes to while leaves digest their tables.
// FRR raises SO_SNDBUF and SO_RCVBUF to that size only where they are lower
// (bgp_socket_set_buffer_size, bgpd/bgp_network.c): Linux starts a socket at tcp_wmem[1] = 16 KiB
// and tcp_rmem[1] = 128 KiB, so only the send buffer is set.
constexpr uint32_t kSendBuffer = 65536;
constexpr uint32_t kReceiveWindow = 65536;
// Linux reports a TCP socket writable when its free space is at least half of what is queued
// (sk_stream_is_writeable, sk_stream_min_wspace in include/net/sock.h), that is a third of the
// buffer: a daemon polling for POLLOUT builds and writes UPDATEs only then.
constexpr uint32_t kWritableRoom = kSendBuffer / 3;
// Linux probes a zero window after the RTO, at least TCP_RTO_MIN = 200 ms (include/net/tcp.h),
// backing off while the window stays closed and starting again at 200 ms once it opened; ns-3's
// default is 6 s, doubled on every probe and never reset.
constexpr int64_t kPersistTimeoutMs = 200;
// One socket read takes at most this much: a daemon reads, processes, then reads again.
constexpr uint32_t kReadSize = 16384;

/// "10.0.1.0/24".
std::string PrefixText(const bgp::Prefix& p) {
  return FormatIpv4(p.addr) + "/" + std::to_string(p.len);
}

/// A BGP socket on `node` with FRR's buffers and Linux's probe interval (above), and Linux's window
/// updates (IndexedTcpSocket); sockets accepted from a listener inherit all of it.
Ptr<IndexedTcpSocket> CreateBgpSocket(const Ptr<Node>& node) {
  Ptr<IndexedTcpSocket> s = CreateIndexedTcpSocket(node);
  s->SetAttribute("SndBufSize", UintegerValue(kSendBuffer));
  s->SetAttribute("RcvBufSize", UintegerValue(kReceiveWindow));
  s->SetAttribute("PersistTimeout", TimeValue(MilliSeconds(kPersistTimeoutMs)));
  return s;
}
}  // namespace

struct BgpControlPlane::Conn {
  Ptr<IndexedTcpSocket> sock;  // every BGP socket is one: created so, or accepted from a listener that is
  bgp::StreamParser parser;
  uint64_t gen = 0;
  /// Bytes the socket's send buffer could not take yet: a daemon keeps them and writes again
  /// when TCP has room. While any are kept, the speaker builds no UPDATEs for this peer.
  std::vector<uint8_t> backlog;
  size_t backlog_sent = 0;  // prefix of `backlog` already handed to TCP
  /// A read of this socket waits on the CPU: the next read happens when it is done, so unread
  /// bytes stay in TCP's receive buffer and its window pushes back on the sender.
  bool reading = false;
  bool blocked = false;  // the speaker was told the socket is full
  /// Forgets the I/O state of the previous connection.
  void ResetIo() {
    parser = bgp::StreamParser();
    backlog.clear();
    backlog_sent = 0;
    reading = false;
    blocked = false;
  }
};

struct BgpControlPlane::Listener {
  Ptr<ns3::Socket> sock;
};

BgpControlPlane::BgpControlPlane(RunContext& ctx, const std::string& device, const RoutingSpec& spec, Network& net,
                                 const std::function<uint32_t(const std::string&)>& asn_of,
                                 Port<FibProgram>& to_data, Port<ControlStatus>& to_mgmt)
    : RouterControlPlane(ctx, device, spec, to_data, to_mgmt), net_(net), listener_(new Listener) {
  const BgpControlMetrics& m = BgpControlMetrics::Get();
  updates_sent_ = AddCounter(m.bgp_updates_sent);
  updates_received_ = AddCounter(m.bgp_updates_received);
  withdrawals_received_ = AddCounter(m.bgp_withdrawals_received);
  session_drops_ = AddCounter(m.bgp_session_drops);
  suppressed_ = AddGauge(m.bgp_suppressed_routes);
  adj_in_ = AddGauge(m.adj_rib_in_routes);

  bgp::SpeakerConfig cfg = BgpSpeakerConfigOf(spec.bgp);
  cfg.local_as = asn_of(device);
  // The jitter's own stream, derived from the scenario seed and the device: same scenario and
  // seed, same draws, whatever else the run draws.
  cfg.seed = MakeStream(ctx.seed, device + "/bgp-jitter")();
  cfg.defer_flush = true;
  // One interner per run: every speaker of a fabric refers to the same prefixes and paths.
  auto& shared = ctx.shared["bgp.route-interner"];
  if (!shared) shared = std::make_shared<bgp::RouteInterner>();
  cfg.interner = std::static_pointer_cast<bgp::RouteInterner>(shared);
  std::vector<bgp::PeerConfig> peers;
  std::vector<bgp::Prefix> originated;
  uint32_t rid = 0xffffffffu;
  for (const auto& i : net.Interfaces(device)) {
    if (i.oob) continue;
    rid = std::min(rid, i.local_addr);
    uint32_t peer_as = asn_of(i.peer);
    if (peer_as == 0) {
      // A host subnet: ours to announce.
      uint32_t mask = i.prefix_len == 0 ? 0 : 0xffffffffu << (32 - i.prefix_len);
      originated.push_back({i.local_addr & mask, i.prefix_len});
      host_prefixes_[i.ifindex] = originated.back();
      continue;
    }
    peers.push_back({i.peer_addr, i.local_addr, i.ifindex, peer_as, i.local_addr > i.peer_addr});
    neighbours_.push_back(i.peer);
  }
  cfg.router_id = rid;
  core_.reset(new bgp::BgpSpeaker(cfg, peers, originated));
  // UPDATEs are built only as far as the socket takes them: a spine with thousands of sessions
  // to slow leaves would otherwise hold a write quantum of bytes per session in user space.
  core_->SetSendRoom([this](size_t peer) -> size_t {
    const Conn& c = *conns_[peer];
    if (!c.sock) return SIZE_MAX;
    size_t queued = c.backlog.size() - c.backlog_sent, free = c.sock->GetTxAvailable();
    return free > queued ? free - queued : 0;
  });
  for (size_t i = 0; i < peers.size(); ++i) {
    conns_.emplace_back(new Conn);
    session_state_.push_back(AddGauge(m.bgp_session_state.Instance(neighbours_[i])));
    session_state_.back()->Set(MibPeerState(bgp::SessionState::kIdle));
  }
  last_states_.assign(peers.size(), bgp::SessionState::kIdle);
}

BgpControlPlane::~BgpControlPlane() = default;

void BgpControlPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  NoteChange();
  Listen();
  // Every speaker starts at once, so passive sides already listen when the active sides' SYNs
  // arrive (only the higher address connects; see PeerConfig::active).
  std::vector<bgp::Action> out;
  core_->Start(Clock::Now(), &out);
  Apply(out);
  AfterCore();
}

void BgpControlPlane::Listen() {
  listener_->sock = CreateBgpSocket(NodeOf(net_, device()));
  listener_->sock->Bind(InetSocketAddress(Ipv4Address::GetAny(), kBgpPort));
  listener_->sock->Listen();
  listener_->sock->SetAcceptCallback(
      MakeNullCallback<bool, Ptr<ns3::Socket>, const Address&>(),
      MakeBoundCallback(+[](BgpControlPlane* self, Ptr<ns3::Socket> s, const Address& from) {
        int peer = self->core_->PeerFor(InetSocketAddress::ConvertFrom(from).GetIpv4().Get());
        if (peer < 0 || !self->running() || self->core_->state(peer) != bgp::SessionState::kActive ||
            self->bfd_down_.count(self->core_->peer_config(peer).ifindex)) {
          s->Close();
          return;
        }
        self->Attach(static_cast<size_t>(peer), PeekPointer(s));
        self->OnTcp(static_cast<size_t>(peer), self->conns_[peer]->gen, true);
      }, this));
}

void BgpControlPlane::Attach(size_t peer, void* socket) {
  Detach(peer);
  Conn& c = *conns_[peer];
  c.sock = DynamicCast<IndexedTcpSocket>(Ptr<ns3::Socket>(static_cast<ns3::Socket*>(socket)));
  c.ResetIo();
  uint64_t gen = ++c.gen;
  using Self = BgpControlPlane;
  c.sock->SetRecvCallback(MakeBoundCallback(+[](Self* self, size_t p, uint64_t g, Ptr<ns3::Socket>) {
    self->Read(p, g);
  }, this, peer, gen));
  c.sock->SetCloseCallbacks(
      MakeBoundCallback(+[](Self* self, size_t p, uint64_t g, Ptr<ns3::Socket>) { self->OnTcp(p, g, false); }, this, peer, gen),
      MakeBoundCallback(+[](Self* self, size_t p, uint64_t g, Ptr<ns3::Socket>) { self->OnTcp(p, g, false); }, this, peer, gen));
  c.sock->SetSendCallback(MakeBoundCallback(+[](Self* self, size_t p, uint64_t g, Ptr<ns3::Socket>, uint32_t) {
    Conn& conn = *self->conns_[p];
    // Called on every ACK that frees send buffer: only a peer that was held back needs work.
    if (g != conn.gen || !self->running() || !conn.blocked) return;
    if (self->Write(p) && conn.sock->GetTxAvailable() >= kWritableRoom) {
      // Writable again and nothing of ours queued: build what waited for this peer (the speaker
      // kept it in its RIBs), for this peer alone, as FRR generates packets per peer when its
      // write thread drained the peer's output FIFO (bgp_generate_updgrp_packets).
      conn.blocked = false;
      self->core_->SetWritable(p, true);
      std::vector<bgp::Action> out;
      self->core_->FlushPeer(Clock::Now(), p, &out);
      self->Apply(out);
    }
  }, this, peer, gen));
}

bool BgpControlPlane::Write(size_t peer) {
  Conn& c = *conns_[peer];
  if (c.sock && c.backlog_sent < c.backlog.size()) {
    c.backlog_sent += c.sock->SendBytes(c.backlog.data() + c.backlog_sent, static_cast<uint32_t>(c.backlog.size() - c.backlog_sent));
  }
  if (c.backlog_sent == c.backlog.size()) {
    // Release the buffer: a spine has thousands of sessions, mostly idle after convergence.
    std::vector<uint8_t>().swap(c.backlog);
    c.backlog_sent = 0;
    return true;
  }
  if (c.backlog_sent > c.backlog.size() / 2) {
    c.backlog.erase(c.backlog.begin(), c.backlog.begin() + static_cast<long>(c.backlog_sent));
    c.backlog_sent = 0;
  }
  return false;
}

void BgpControlPlane::Read(size_t peer, uint64_t gen) {
  Conn& c = *conns_[peer];
  if (gen != c.gen || !running() || c.reading || !c.sock) return;
  std::vector<uint8_t> msgs;
  size_t count = 0;
  std::vector<uint8_t>& b = read_buffer_;
  while (count == 0) {
    b.clear();
    if (c.sock->RecvInto(&b, kReadSize) == 0) break;
    count += c.parser.Feed(b.data(), b.size(), &msgs);
    if (c.parser.error()) {
      // A header with an impossible length: the stream cannot be followed. RFC 4271 §6.1: Bad
      // Message Length, then the session is closed. Nothing more is read from this connection.
      c.reading = true;
      cpu_.Submit(spec_.cpu_cost_message, [this, peer, gen, e = c.parser.failure()]() {
        if (gen != conns_[peer]->gen) return;
        Emit("bgp.malformed", nlohmann::json({{"peer", neighbours_[peer]}, {"code", e.notification.code},
                                              {"subcode", e.notification.subcode}}).dump());
        std::vector<bgp::Action> out;
        core_->OnDecodeError(Clock::Now(), peer, e, &out);
        Apply(out);
        AfterCore();
      });
      return;
    }
  }
  if (count == 0) return;
  // The messages wait for the CPU: keep them in a buffer of their size, not of the vector's
  // growth (thousands of sessions each hold one read).
  msgs.shrink_to_fit();
  // Every BGP message costs route-processor time and waits behind other control work: a
  // saturated CPU delays keepalives until hold timers expire. The messages of one read are one
  // work item of their summed cost.
  c.reading = true;
  SimTime cost = spec_.cpu_cost_message * static_cast<SimTime>(count);
  cpu_.Submit(cost, [this, peer, gen, msgs = std::move(msgs)]() {
    if (gen != conns_[peer]->gen) return;
    conns_[peer]->reading = false;
    std::vector<bgp::Action> out;
    bgp::Message& m = decoded_;
    bool stop = false;
    bgp::ForEachMessage(msgs.data(), msgs.size(), [&](const uint8_t* data, size_t size) {
      if (stop) return;
      bgp::DecodeError e;
      if (!bgp::Decode(data, size, &m, &e)) {
        // RFC 4271 §6: the NOTIFICATION that says why goes out before the session is closed.
        Emit("bgp.malformed", nlohmann::json({{"peer", neighbours_[peer]}, {"code", e.notification.code},
                                              {"subcode", e.notification.subcode}}).dump());
        core_->OnDecodeError(Clock::Now(), peer, e, &out);
        stop = true;
        return;
      }
      messages_->Add();
      core_->OnMessage(Clock::Now(), peer, m, &out);
      bgp::SessionState st = core_->state(peer);
      stop = st == bgp::SessionState::kIdle || st == bgp::SessionState::kActive;  // the session went down
    });
    Apply(out);
    AfterCore();
    Read(peer, gen);  // what arrived meanwhile
  });
}

void BgpControlPlane::Detach(size_t peer) {
  Conn& c = *conns_[peer];
  if (!c.sock) return;
  ++c.gen;
  c.sock->SetRecvCallback(MakeNullCallback<void, Ptr<ns3::Socket>>());
  c.sock->SetCloseCallbacks(MakeNullCallback<void, Ptr<ns3::Socket>>(), MakeNullCallback<void, Ptr<ns3::Socket>>());
  c.sock->SetConnectCallback(MakeNullCallback<void, Ptr<ns3::Socket>>(), MakeNullCallback<void, Ptr<ns3::Socket>>());
  c.sock->SetSendCallback(MakeNullCallback<void, Ptr<ns3::Socket>, uint32_t>());
  c.sock->Close();
  c.sock = nullptr;
  c.ResetIo();
}

void BgpControlPlane::OnTcp(size_t peer, uint64_t gen, bool up) {
  if (gen != conns_[peer]->gen || !running()) return;
  if (up) {
    // A spine's sessions are thousands of sockets on one node: let TCP find this one by hash.
    if (conns_[peer]->sock) conns_[peer]->sock->IndexConnection();
  }
  cpu_.Submit(spec_.cpu_cost_message, [this, peer, gen, up]() {
    if (gen != conns_[peer]->gen) return;
    std::vector<bgp::Action> out;
    if (up) core_->OnTcpUp(Clock::Now(), peer, &out);
    else {
      Detach(peer);
      core_->OnTcpDown(Clock::Now(), peer, &out);
    }
    Apply(out);
    AfterCore();
  });
}

void BgpControlPlane::Apply(std::vector<bgp::Action>& out) {
  // The speaker already puts consecutive messages to one peer in one action (one write).
  for (auto& a : out) {
    Conn& c = *conns_[a.peer];
    switch (a.kind) {
      case bgp::Action::Kind::kConnect: {
        const bgp::PeerConfig& pc = core_->peer_config(a.peer);
        if (bfd_down_.count(pc.ifindex)) {
          // The neighbour is unreachable as far as BFD knows: the attempt fails at once.
          uint64_t gen = ++c.gen;
          size_t peer = a.peer;
          After(0, [this, peer, gen]() { OnTcp(peer, gen, false); });
          break;
        }
        Ptr<IndexedTcpSocket> s = CreateBgpSocket(NodeOf(net_, device()));
        s->Bind(InetSocketAddress(Ipv4Address(pc.local_addr), 0));
        Attach(a.peer, PeekPointer(s));
        uint64_t gen = c.gen;
        using Self = BgpControlPlane;
        s->SetConnectCallback(
            MakeBoundCallback(+[](Self* self, size_t p, uint64_t g, Ptr<ns3::Socket>) { self->OnTcp(p, g, true); }, this, a.peer, gen),
            MakeBoundCallback(+[](Self* self, size_t p, uint64_t g, Ptr<ns3::Socket>) { self->OnTcp(p, g, false); }, this, a.peer, gen));
        s->Connect(InetSocketAddress(Ipv4Address(pc.peer_addr), kBgpPort));
        break;
      }
      case bgp::Action::Kind::kClose:
        Detach(a.peer);
        break;
      case bgp::Action::Kind::kSend:
        if (c.sock) {
          c.backlog.insert(c.backlog.end(), a.bytes.begin(), a.bytes.end());
          // Held back while bytes wait or the socket is not writable (kWritableRoom): the
          // speaker builds nothing for it until an ACK makes room.
          if (!Write(a.peer) || c.sock->GetTxAvailable() < kWritableRoom) {
            c.blocked = true;
            core_->SetWritable(a.peer, false);
          }
        }
        break;
    }
  }
  out.clear();
}

void BgpControlPlane::AfterCore() {
  for (size_t i = 0; states_seen_ != core_->state_changes() && i < last_states_.size(); ++i) {
    bgp::SessionState s = core_->state(i);
    if (s != last_states_[i]) session_state_[i]->Set(MibPeerState(s));
    bool was_up = last_states_[i] == bgp::SessionState::kEstablished, is_up = s == bgp::SessionState::kEstablished;
    if (was_up != is_up) {
      nlohmann::json d = {{"peer", neighbours_[i]}, {"state", bgp::ToString(s)}, {"sessions", core_->established()}};
      Emit(is_up ? "session.up" : "session.down", d.dump());
      NoteChange();
    }
    last_states_[i] = s;
  }
  states_seen_ = core_->state_changes();
  if (core_->loc_rib_dirty() || core_->has_pending()) {
    if (core_->loc_rib_dirty()) NoteChange();
    // Output is batched: while more BGP work is queued on the CPU, FIB programming and UPDATEs
    // wait, as RIB managers batch line-card updates and BGP daemons batch writes; a short timer
    // bounds the wait.
    if (cpu_.depth() == 0) {
      ProgramPending();
    } else if (!fib_flush_.armed()) {
      fib_flush_.Arm(kFibBatchWindow, [this]() { ProgramPending(); });
    }
  }
  ArmTick();
}

void BgpControlPlane::ProgramPending() {
  fib_flush_.Cancel();
  std::vector<bgp::Action> out;
  core_->FlushPending(Clock::Now(), &out);
  Apply(out);
  // Why each best path that changed is the best: the decision step (RFC 4271 §9.1), with the
  // prefixes it decided (grouped by step: a fabric's cold start reports a million prefixes).
  auto best = core_->TakeBestPathChanges();
  if (!best.empty()) {
    nlohmann::json reasons = nlohmann::json::object();
    for (const auto& [prefix, reason] : best) reasons[bgp::ToString(reason)].push_back(PrefixText(prefix));
    Emit("bgp.best-path", nlohmann::json({{"changes", best.size()}, {"reasons", std::move(reasons)}}).dump());
  }
  FibChanges changes;
  for (auto& [prefix, hops] : core_->TakeForwardingChanges()) {
    changes.emplace_back(std::make_pair(prefix.addr, prefix.len), std::vector<FibNextHop>{});
    std::vector<FibNextHop>& nh = changes.back().second;
    nh.reserve(hops.size());
    for (const auto& h : hops) nh.push_back({h.addr, h.ifindex});
  }
  ProgramFibChanges(changes);
}

void BgpControlPlane::ArmTick() {
  SimTime next = core_->NextDeadline();
  if (next == LLONG_MAX) return;
  tick_.Arm(std::max<SimTime>(0, next - Clock::Now()), [this]() {
    if (!running()) return;
    cpu_.Submit(spec_.cpu_cost_message, [this]() {
      std::vector<bgp::Action> out;
      core_->Tick(Clock::Now(), &out);
      Apply(out);
      AfterCore();
    });
  });
}

void BgpControlPlane::OnCarrier(uint32_t ifindex, bool up) {
  auto host = host_prefixes_.find(ifindex);
  if (host != host_prefixes_.end()) {
    // A host subnet: its connected route leaves the RIB with the interface and comes back with
    // it, and the prefix is announced only while the route is there (as a `network` statement
    // or `redistribute connected` works in FRR, Cisco IOS, Junos).
    std::vector<bgp::Action> out;
    if (core_->SetOriginUp(Clock::Now(), host->second, up, &out)) {
      Emit(up ? "bgp.origin.announced" : "bgp.origin.withdrawn",
           nlohmann::json({{"prefix", PrefixText(host->second)}, {"ifindex", ifindex}}).dump());
    }
    Apply(out);
    AfterCore();
    return;
  }
  if (up) return;  // the connect-retry timer brings the session back
  // Fast external fallover (on by default in common implementations): a directly connected
  // eBGP session goes down with its interface instead of waiting for the hold timer.
  for (size_t i = 0; i < core_->peer_count(); ++i) {
    if (core_->peer_config(i).ifindex != ifindex) continue;
    Detach(i);
    std::vector<bgp::Action> out;
    core_->OnTcpDown(Clock::Now(), i, &out);
    Apply(out);
  }
  AfterCore();
}

void BgpControlPlane::OnBfd(uint32_t ifindex, bool up) {
  // RFC 5882 §4.3: BGP takes BFD's word that the neighbour is unreachable and drops the session,
  // and does not bring it back while BFD is down.
  if (up) {
    bfd_down_.erase(ifindex);
    return;
  }
  bfd_down_.insert(ifindex);
  OnCarrier(ifindex, false);
}

void BgpControlPlane::ResetSession(const std::string& peer_device) {
  for (size_t i = 0; i < neighbours_.size(); ++i) {
    if (!peer_device.empty() && neighbours_[i] != peer_device) continue;
    std::vector<bgp::Action> out;
    core_->ResetSession(Clock::Now(), i, &out);
    Apply(out);
  }
  AfterCore();
}

void BgpControlPlane::Crash() {
  SetLifecycle(Lifecycle::kCrashed, "bgp-daemon-crash");
  tick_.Cancel();
  fib_flush_.Cancel();
  cpu_.Flush();
  for (size_t i = 0; i < conns_.size(); ++i) Detach(i);
  if (listener_->sock) {
    listener_->sock->Close();
    listener_->sock = nullptr;
  }
  core_->Crash();
  last_states_.assign(last_states_.size(), bgp::SessionState::kIdle);
  states_seen_ = UINT64_MAX;  // compare every session on the next pass
  for (Gauge* g : session_state_) g->Set(MibPeerState(bgp::SessionState::kIdle));
  // The FIB keeps its last routes: the data plane forwards on stale state while the daemon is gone.
}

void BgpControlPlane::Restart() {
  if (running()) return;
  Start();
}

Health BgpControlPlane::MeasureHealth() {
  const bgp::SpeakerCounters& c = core_->counters();
  updates_sent_->Add(static_cast<double>(c.updates_sent - last_counters_.updates_sent));
  updates_received_->Add(static_cast<double>(c.updates_received - last_counters_.updates_received));
  withdrawals_received_->Add(static_cast<double>(c.withdrawals_received - last_counters_.withdrawals_received));
  session_drops_->Add(static_cast<double>(c.session_drops - last_counters_.session_drops));
  last_counters_ = c;
  suppressed_->Set(static_cast<double>(core_->suppressed()));
  adj_in_->Set(static_cast<double>(core_->adj_rib_in_size()));
  Health h = RouterControlPlane::MeasureHealth();
  // Sessions that are configured but not established mean routes cannot be exchanged there.
  if (h == Health::kUp && core_->established() < core_->peer_count()) h = Health::kDegraded;
  return h;
}

std::vector<PeerStatus> BgpControlPlane::PeerStates() const {
  std::vector<PeerStatus> out;
  for (size_t i = 0; i < core_->peer_count(); ++i) {
    out.push_back({core_->peer_config(i).peer_addr, static_cast<int32_t>(MibPeerState(core_->state(i)))});
  }
  std::sort(out.begin(), out.end(), [](const PeerStatus& a, const PeerStatus& b) { return a.peer_addr < b.peer_addr; });
  return out;
}

}  // namespace planelab
