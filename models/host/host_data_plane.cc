#include "models/host/host_data_plane.h"

#include <ns3/inet-socket-address.h>
#include <ns3/tcp-header.h>
#include <ns3/tcp-socket-factory.h>
#include <ns3/udp-socket-factory.h>

#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "models/host/host_data_metrics.h"
#include "models/host/host_device.h"
#include "sim/core/network_ns3.h"

namespace planelab {

using namespace ns3;

namespace {

constexpr uint32_t kReqMagic = 0x504c5251;  // "PLRQ"
constexpr uint32_t kRespMagic = 0x504c5253;  // "PLRS"
constexpr size_t kHeader = 16;
// A client reconnects after this pause when its TCP connection failed.
constexpr SimTime kReconnectBackoff = 1 * kSec;

void Put32(uint8_t* p, uint32_t v) {
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}
uint32_t Get32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}
/// Request/response wire format: magic, id, status-or-response-size, total size; zero padding after.
Ptr<Packet> Frame(uint32_t magic, uint32_t id, uint32_t third, uint32_t total) {
  std::vector<uint8_t> b(total, 0);
  Put32(&b[0], magic);
  Put32(&b[4], id);
  Put32(&b[8], third);
  Put32(&b[12], total);
  return Create<Packet>(b.data(), b.size());
}

/// Reassembles framed messages from a TCP byte stream.
struct StreamParser {
  std::vector<uint8_t> header;
  uint32_t remaining = 0;  // body bytes still to skip
  uint32_t magic = 0, id = 0, third = 0, total = 0;
  /// Feeds bytes; calls `done` for every complete message.
  template <class F>
  void Feed(const uint8_t* p, size_t n, F done) {
    size_t i = 0;
    while (i < n) {
      if (header.size() < kHeader) {
        size_t take = std::min(kHeader - header.size(), n - i);
        header.insert(header.end(), p + i, p + i + take);
        i += take;
        if (header.size() == kHeader) {
          magic = Get32(&header[0]);
          id = Get32(&header[4]);
          third = Get32(&header[8]);
          total = Get32(&header[12]);
          remaining = total > kHeader ? total - static_cast<uint32_t>(kHeader) : 0;
          if (remaining == 0) { done(magic, id, third, total); header.clear(); }
        }
      } else {
        size_t take = std::min<size_t>(remaining, n - i);
        remaining -= static_cast<uint32_t>(take);
        i += take;
        if (remaining == 0) { done(magic, id, third, total); header.clear(); }
      }
    }
  }
};

}  // namespace

/// One workload end on this host: a client (sends requests) or a server (answers them).
class HostDataPlane::Workload {
 public:
  Workload(HostDataPlane& host, const WorkloadSpec& w, bool client) : host_(host), w_(w), client_(client) {}

  void Start() {
    Ptr<Node> node = NodeOf(host_.net_, host_.device());
    if (!client_) {
      if (w_.protocol == "udp") {
        sock_ = ns3::Socket::CreateSocket(node, UdpSocketFactory::GetTypeId());
        sock_->Bind(InetSocketAddress(Ipv4Address::GetAny(), w_.port));
        sock_->SetRecvCallback(MakeCallback(&Workload::ServeUdp, this));
      } else {
        sock_ = ns3::Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
        sock_->Bind(InetSocketAddress(Ipv4Address::GetAny(), w_.port));
        sock_->Listen();
        sock_->SetAcceptCallback(MakeNullCallback<bool, Ptr<ns3::Socket>, const Address&>(),
                                 MakeCallback(&Workload::Accepted, this));
      }
      return;
    }
    server_addr_ = host_.net_.ServiceAddress(w_.server);
    interval_ = static_cast<SimTime>(1e9 / w_.rate_pps);
    // `start` is a time of the run: a client restarted after it resumes at once.
    host_.After(std::max<SimTime>(0, w_.start - Clock::Now()), [this]() {
      if (w_.protocol == "tcp") Connect();
      SendNext();
    });
  }

  /// The host's crash: its sockets close (as the kernel closes a dead process's), what was in flight is
  /// forgotten, and Start() opens them again on the restart.
  void Crash() {
    if (sock_) {
      sock_->SetRecvCallback(MakeNullCallback<void, Ptr<ns3::Socket>>());
      sock_->SetCloseCallbacks(MakeNullCallback<void, Ptr<ns3::Socket>>(), MakeNullCallback<void, Ptr<ns3::Socket>>());
      sock_->SetConnectCallback(MakeNullCallback<void, Ptr<ns3::Socket>>(), MakeNullCallback<void, Ptr<ns3::Socket>>());
      if (!client_ && w_.protocol == "tcp") {
        sock_->SetAcceptCallback(MakeNullCallback<bool, Ptr<ns3::Socket>, const Address&>(),
                                 MakeNullCallback<void, Ptr<ns3::Socket>, const Address&>());
      }
      sock_->Close();
      sock_ = nullptr;
    }
    for (auto& c : conns_) {
      c->SetRecvCallback(MakeNullCallback<void, Ptr<ns3::Socket>>());
      c->Close();
    }
    conns_.clear();
    parsers_.clear();
    outstanding_.clear();
    queued_.clear();
    connected_ = connecting_ = false;
    ++conn_gen_;
    parser_ = StreamParser();
  }

 private:
  // ---- client ----
  void Connect() {
    Ptr<Node> node = NodeOf(host_.net_, host_.device());
    sock_ = ns3::Socket::CreateSocket(node, TcpSocketFactory::GetTypeId());
    sock_->Bind();
    connected_ = false;
    connecting_ = true;
    have_high_ = false;
    parser_ = StreamParser();
    uint64_t gen = ++conn_gen_;
    sock_->SetConnectCallback(MakeCallback(&Workload::Connected, this), MakeCallback(&Workload::ConnectFailed, this));
    sock_->SetCloseCallbacks(MakeCallback(&Workload::Closed, this), MakeCallback(&Workload::Failed, this));
    sock_->SetRecvCallback(MakeCallback(&Workload::ReceiveTcp, this));
    sock_->TraceConnectWithoutContext("Tx", MakeCallback(&Workload::TcpTx, this));
    sock_->Connect(InetSocketAddress(Ipv4Address(server_addr_), w_.port));
    // A connect timeout, as clients set one (curl --connect-timeout): give up and try again.
    host_.After(w_.timeout, [this, gen]() {
      if (gen == conn_gen_ && connecting_) Abort("connect-timeout", kReconnectBackoff);
    });
  }
  void Connected(Ptr<ns3::Socket>) {
    connected_ = true;
    connecting_ = false;
    for (auto& [id, pkt] : queued_) sock_->Send(pkt);
    queued_.clear();
  }
  void ConnectFailed(Ptr<ns3::Socket>) { Abort("connect-failed", kReconnectBackoff); }
  void Closed(Ptr<ns3::Socket>) { Abort("closed", kReconnectBackoff); }
  void Failed(Ptr<ns3::Socket>) { Abort("reset", kReconnectBackoff); }
  /// Drops the connection: requests on it fail, and a new connection follows after `backoff`.
  void Abort(const char* why, SimTime backoff) {
    if (!connected_ && !connecting_) return;
    connected_ = connecting_ = false;
    ++conn_gen_;
    host_.m_.resets->Add();
    // Requests in flight on a lost connection fail: users see errors, not late answers.
    host_.m_.errors->Add(static_cast<double>(outstanding_.size() + queued_.size()));
    outstanding_.clear();
    queued_.clear();
    host_.Emit("connection.lost", nlohmann::json({{"workload", w_.id}, {"why", why}}).dump());
    sock_->SetRecvCallback(MakeNullCallback<void, Ptr<ns3::Socket>>());
    sock_->SetCloseCallbacks(MakeNullCallback<void, Ptr<ns3::Socket>>(), MakeNullCallback<void, Ptr<ns3::Socket>>());
    sock_->SetConnectCallback(MakeNullCallback<void, Ptr<ns3::Socket>>(), MakeNullCallback<void, Ptr<ns3::Socket>>());
    sock_->Close();
    host_.After(backoff, [this]() { Connect(); });
  }
  void TcpTx(Ptr<const Packet> p, const TcpHeader& h, Ptr<const TcpSocketBase>) {
    uint32_t len = p->GetSize();
    if (len == 0) return;
    SequenceNumber32 end = h.GetSequenceNumber() + len;
    if (have_high_ && end <= high_tx_) host_.m_.retransmits->Add();
    if (!have_high_ || end > high_tx_) { high_tx_ = end; have_high_ = true; }
  }

  void SendNext() {
    if (w_.stop && Clock::Now() >= *w_.stop) return;
    uint32_t id = ++next_id_;
    host_.m_.sent->Add();
    Ptr<Packet> req = Frame(kReqMagic, id, static_cast<uint32_t>(w_.response_bytes), static_cast<uint32_t>(w_.request_bytes));
    bool sent = false;
    if (w_.protocol == "udp") {
      if (!sock_) {
        sock_ = ns3::Socket::CreateSocket(NodeOf(host_.net_, host_.device()), UdpSocketFactory::GetTypeId());
        sock_->Bind();
        sock_->SetRecvCallback(MakeCallback(&Workload::ReceiveUdp, this));
      }
      sent = sock_->SendTo(req, 0, InetSocketAddress(Ipv4Address(server_addr_), w_.port)) >= 0;
    } else if (connected_) {
      sent = sock_->Send(req) >= 0;  // -1: the send buffer is full, the connection is stalled
    } else if (connecting_ && queued_.size() < 1000) {
      queued_.emplace_back(id, req);
      sent = true;
    }
    if (!sent) {
      host_.m_.errors->Add();
    } else {
      outstanding_[id] = Clock::Now();
      host_.After(w_.timeout, [this, id]() {
        if (!outstanding_.erase(id)) return;
        host_.m_.timeouts->Add();
        // A request/response client abandons a connection whose request timed out and opens a new one,
        // rather than waiting out TCP's exponential retransmission backoff.
        if (w_.protocol == "tcp" && connected_) Abort("request-timeout", 0);
      });
    }
    host_.After(interval_, [this]() { SendNext(); });
  }

  void Completed(uint32_t id, uint32_t status, uint32_t bytes) {
    auto it = outstanding_.find(id);
    if (it == outstanding_.end()) return;  // late: already counted as a timeout
    double latency = ToSeconds(Clock::Now() - it->second);
    outstanding_.erase(it);
    if (status != 0) { host_.m_.errors->Add(); return; }
    host_.m_.ok->Add();
    host_.m_.latency->Observe(latency);
    host_.m_.goodput_bytes += bytes;
  }

  void ReceiveUdp(Ptr<ns3::Socket> s) {
    Address from;
    while (Ptr<Packet> p = s->RecvFrom(from)) {
      if (p->GetSize() < kHeader) continue;
      uint8_t h[kHeader];
      p->CopyData(h, kHeader);
      if (Get32(h) == kRespMagic) Completed(Get32(h + 4), Get32(h + 8), p->GetSize());
    }
  }

  void ReceiveTcp(Ptr<ns3::Socket> s) {
    while (Ptr<Packet> p = s->Recv()) {
      std::vector<uint8_t> b(p->GetSize());
      p->CopyData(b.data(), b.size());
      parser_.Feed(b.data(), b.size(), [this](uint32_t magic, uint32_t id, uint32_t status, uint32_t total) {
        if (magic == kRespMagic) Completed(id, status, total);
      });
    }
  }

  // ---- server ----
  void ServeUdp(Ptr<ns3::Socket> s) {
    Address from;
    while (Ptr<Packet> p = s->RecvFrom(from)) {
      if (p->GetSize() < kHeader || !host_.running()) continue;
      uint8_t h[kHeader];
      p->CopyData(h, kHeader);
      if (Get32(h) != kReqMagic) continue;
      s->SendTo(Frame(kRespMagic, Get32(h + 4), 0, std::max<uint32_t>(Get32(h + 8), kHeader)), 0, from);
      host_.m_.served->Add();
    }
  }
  void Accepted(Ptr<ns3::Socket> s, const Address&) {
    auto parser = std::make_shared<StreamParser>();
    conns_.push_back(s);
    s->SetRecvCallback(MakeBoundCallback(&Workload::ServeTcp, this, parser.get()));
    parsers_.push_back(parser);
  }
  static void ServeTcp(Workload* self, StreamParser* parser, Ptr<ns3::Socket> s) {
    while (Ptr<Packet> p = s->Recv()) {
      std::vector<uint8_t> b(p->GetSize());
      p->CopyData(b.data(), b.size());
      parser->Feed(b.data(), b.size(), [self, s](uint32_t magic, uint32_t id, uint32_t resp, uint32_t) {
        if (magic != kReqMagic || !self->host_.running()) return;
        s->Send(Frame(kRespMagic, id, 0, std::max<uint32_t>(resp, kHeader)));
        self->host_.m_.served->Add();
      });
    }
  }

  HostDataPlane& host_;
  WorkloadSpec w_;
  bool client_;
  Ptr<ns3::Socket> sock_;
  uint32_t server_addr_ = 0;
  SimTime interval_ = kSec;
  uint32_t next_id_ = 0;
  std::map<uint32_t, SimTime> outstanding_;
  std::vector<std::pair<uint32_t, Ptr<Packet>>> queued_;
  bool connected_ = false, connecting_ = false;
  uint64_t conn_gen_ = 0;
  StreamParser parser_;
  SequenceNumber32 high_tx_;
  bool have_high_ = false;
  std::vector<Ptr<ns3::Socket>> conns_;
  std::vector<std::shared_ptr<StreamParser>> parsers_;
};

HostDataPlane::HostDataPlane(RunContext& ctx, const std::string& device, Network& net,
                             const std::vector<WorkloadSpec>& clients, const std::vector<WorkloadSpec>& servers)
    : PlaneActor(ctx, device, Plane::kData), net_(net) {
  const HostDataMetrics& m = HostDataMetrics::Get();
  m_.sent = AddCounter(m.requests_sent);
  m_.ok = AddCounter(m.responses_ok);
  m_.errors = AddCounter(m.errors);
  m_.timeouts = AddCounter(m.timeouts);
  m_.loss_ratio = AddGauge(m.loss_ratio);
  m_.latency = AddHistogram(m.latency);
  m_.goodput = AddGauge(m.goodput_bps);
  m_.retransmits = AddCounter(m.tcp_retransmits);
  m_.resets = AddCounter(m.connection_resets);
  m_.served = AddCounter(m.requests_served);
  for (const auto& w : servers) workloads_.emplace_back(new Workload(*this, w, false));
  for (const auto& w : clients) workloads_.emplace_back(new Workload(*this, w, true));
}

HostDataPlane::~HostDataPlane() = default;

void HostDataPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  for (auto& w : workloads_) w->Start();
}

void HostDataPlane::HandleCrash() {
  for (auto& w : workloads_) w->Crash();
}

Health HostDataPlane::MeasureHealth() {
  double ok = m_.ok->value(), bad = m_.errors->value() + m_.timeouts->value();
  double d_ok = ok - last_ok_, d_bad = bad - last_bad_;
  last_ok_ = ok;
  last_bad_ = bad;
  SimTime now = Clock::Now();
  double secs = ToSeconds(now - last_sample_);
  last_sample_ = now;
  m_.goodput->Set(secs > 0 ? 8.0 * m_.goodput_bytes / secs : 0);
  m_.goodput_bytes = 0;
  double ratio = (d_ok + d_bad) > 0 ? d_bad / (d_ok + d_bad) : 0;
  m_.loss_ratio->Set(ratio);
  // What users get: most requests failing is down, more than 1 % failing is degraded.
  if (d_ok + d_bad > 0) last_health_ = HealthFromFailures(d_bad, d_ok + d_bad);
  return WithLifecycle(last_health_);
}

namespace {
class HostDevice : public Device {
 public:
  explicit HostDevice(DeviceEnv& env) : Device(env.spec.id) {
    std::vector<WorkloadSpec> clients, servers;
    for (const auto& w : env.scenario.workloads) {
      if (w.client == id()) clients.push_back(w);
      if (w.server == id()) servers.push_back(w);
    }
    data_.reset(new HostDataPlane(env.ctx, id(), env.network, clients, servers));
  }
  std::vector<PlaneActor*> planes() override { return {data_.get()}; }

 private:
  std::unique_ptr<HostDataPlane> data_;
};
}  // namespace

void RegisterHostKind(DeviceRegistry& registry) {
  registry.Register("host", [](DeviceEnv& env) { return std::unique_ptr<Device>(new HostDevice(env)); });
}
}  // namespace planelab
