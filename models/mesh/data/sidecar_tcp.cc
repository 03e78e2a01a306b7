#include "models/mesh/data/sidecar_tcp.h"

#include <ns3/double.h>
#include <ns3/inet-socket-address.h>
#include <ns3/simulator.h>
#include <ns3/socket.h>

#include <algorithm>
#include <deque>

#include "sim/core/indexed_tcp.h"
#include "sim/core/network_ns3.h"
#include "sim/core/stream_callbacks.h"

namespace planelab {

using ns3::Ptr;

namespace {

/// Closed sockets, kept for a while. ns-3 3.37 frees a socket once its connection is CLOSED and nobody holds it,
/// while a timer of its (LAST_ACK's retransmission after a passive close) may still be scheduled: the timer then
/// runs on freed memory. Sockets closed here stay referenced for 10 minutes of simulated time (well past LAST_ACK's
/// retries and TIME_WAIT's 2 MSL), aggregated to their node so ns-3's teardown releases the rest.
class ClosedSockets : public ns3::Object {
 public:
  static ns3::TypeId GetTypeId() {
    static ns3::TypeId tid = ns3::TypeId("planelab::ClosedSockets").SetParent<ns3::Object>().SetGroupName("PlaneLab");
    return tid;
  }
  /// Gives `node` its keeper, while the node is alive (a pool or listener is made there).
  static void Prepare(const Ptr<ns3::Node>& node) {
    if (node && !node->GetObject<ClosedSockets>()) node->AggregateObject(ns3::CreateObject<ClosedSockets>());
  }
  static void Keep(const Ptr<ns3::Socket>& s) {
    Ptr<ns3::Node> node = s->GetNode();
    Ptr<ClosedSockets> g = node ? node->GetObject<ClosedSockets>() : nullptr;
    if (!g || g->disposed_) return;  // the run is over: nothing runs any more
    const ns3::Time now = ns3::Simulator::Now();
    while (!g->kept_.empty() && g->kept_.front().first + ns3::Seconds(600) < now) g->kept_.pop_front();
    g->kept_.emplace_back(now, s);
  }

 protected:
  void DoDispose() override {
    disposed_ = true;
    kept_.clear();
    ns3::Object::DoDispose();
  }

 private:
  std::deque<std::pair<ns3::Time, Ptr<ns3::Socket>>> kept_;
  bool disposed_ = false;
};

}  // namespace

/// One TCP connection carrying TLS records: what TCP's buffer cannot take yet waits here; records are handed up
/// whole. Close() silences it (no callback follows), so its owner may drop it from inside one.
class TlsStream {
 public:
  using OnRecord = std::function<void(uint8_t type, const uint8_t* body, size_t n)>;
  TlsStream(Ptr<IndexedTcpSocket> s, OnRecord on_record, std::function<void()> on_close)
      : sock_(std::move(s)), on_record_(std::move(on_record)), on_close_(std::move(on_close)) {
    sock_->IndexConnection();
    BindStreamCallbacks<TlsStream, &TlsStream::Read, &TlsStream::PeerClosed, &TlsStream::Flush>(*sock_, this);
  }
  ~TlsStream() {
    Close();
    flush_.Cancel();
  }
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  /// Queues bytes; they go to TCP in an event of their own at the same time. A connection within one node is
  /// delivered synchronously by ns-3 (Ipv4Interface's loopback): writing from inside the peer's callback would
  /// re-enter this socket's send path.
  void Write(const std::vector<uint8_t>& bytes) {
    if (!open_) return;
    backlog_.insert(backlog_.end(), bytes.begin(), bytes.end());
    if (!flush_.IsRunning()) {
      flush_ = ns3::Simulator::ScheduleNow(+[](TlsStream* self) { self->Flush(); }, this);
    }
  }
  /// Hands what is queued to TCP (an alert before the close), then closes; no callback follows.
  void Close() {
    if (!sock_) return;
    flush_.Cancel();
    Flush();
    if (!sock_) return;
    open_ = false;
    UnbindStreamCallbacks(*sock_);
    sock_->Close();
    ClosedSockets::Keep(sock_);
    sock_ = nullptr;
    backlog_.clear();
    flush_.Cancel();  // a write made from a callback while the last bytes went out
  }
  bool open() const { return open_; }

 private:
  /// The peer closed or the connection failed: closes our side and tells the owner.
  void PeerClosed() {
    if (!open_) return;
    Close();
    if (on_close_) on_close_();
  }
  void Flush() {
    if (!open_ || backlog_.empty() || flushing_) return;
    flushing_ = true;
    // Segment-sized packets (IndexedTcpSocket::SendBytes): no large ns-3 buffers (sim/core/indexed_tcp.h). The
    // chunk is taken out first: what the peer answers synchronously is appended behind it.
    std::vector<uint8_t> chunk;
    chunk.swap(backlog_);
    uint32_t n = sock_ ? sock_->SendBytes(chunk.data(), static_cast<uint32_t>(chunk.size())) : 0;
    if (open_) backlog_.insert(backlog_.begin(), chunk.begin() + n, chunk.end());
    flushing_ = false;
  }
  void Read() {
    if (reading_) return;  // the outer Read reads what arrived meanwhile
    reading_ = true;
    Reading();
    reading_ = false;
  }
  void Reading() {
    std::vector<uint8_t> b;
    while (open_) {
      b.clear();
      if (sock_->RecvInto(&b, 65536) == 0) break;
      bool ok = reader_.Feed(b.data(), b.size(), [this](uint8_t type, const uint8_t* body, size_t n) {
        if (open_) on_record_(type, body, n);
      });
      if (!ok && open_) {
        // Not TLS: the connection is closed, as a TLS stack does on a record it cannot parse.
        Close();
        if (on_close_) on_close_();
        return;
      }
    }
  }
  Ptr<IndexedTcpSocket> sock_;
  OnRecord on_record_;
  std::function<void()> on_close_;
  tls::RecordReader reader_;
  std::vector<uint8_t> backlog_;
  bool open_ = true;
  bool flushing_ = false, reading_ = false;
  ns3::EventId flush_;
};

// ---- The caller's side ----

struct UpstreamPool::Conn {
  uint64_t id = 0;
  std::string pod;
  uint32_t addr = 0;
  enum class State { kConnecting, kHandshake, kReady } state = State::kConnecting;
  Ptr<IndexedTcpSocket> connecting;
  std::unique_ptr<TlsStream> stream;
  std::shared_ptr<const ServiceRequest> queued;  // sent once the handshake is done
  uint64_t inflight = 0;                         // the attempt on the wire (0: idle)
  uint32_t requests = 0;                         // sent on it so far
  uint64_t idle_epoch = 0;                       // bumped whenever it is used: an idle timer of an older one is void
  tls::HttpReader http;
  bool dead = false;
};

UpstreamPool::UpstreamPool(Network& net, std::string device, uint64_t seed, Hooks hooks)
    : net_(net), device_(std::move(device)), rnd_(seed), h_(std::move(hooks)), alive_(std::make_shared<bool>(true)) {
  ClosedSockets::Prepare(NodeOf(net_, device_));
}

UpstreamPool::~UpstreamPool() {
  *alive_ = false;
  CloseAll();
}

void UpstreamPool::CloseAll() {
  for (auto& [id, c] : conns_) {
    if (c->connecting) {
      c->connecting->SetConnectCallback(ns3::MakeNullCallback<void, Ptr<ns3::Socket>>(),
                                        ns3::MakeNullCallback<void, Ptr<ns3::Socket>>());
      c->connecting->Close();
      ClosedSockets::Keep(c->connecting);
      c->connecting = nullptr;
    }
    if (c->stream) c->stream->Close();
  }
  conns_.clear();
}

void UpstreamPool::Send(uint32_t addr, std::shared_ptr<ServiceRequest> req) {
  // Envoy's HTTP/1.1 pool: an idle connection to the host if there is one, else a new one.
  for (auto& [id, c] : conns_) {
    if (!c->dead && c->state == Conn::State::kReady && c->inflight == 0 && c->pod == req->pod && c->addr == addr) {
      Write(*c, req);
      return;
    }
  }
  const uint64_t id = next_conn_++;
  auto c = std::make_unique<Conn>();
  c->id = id;
  c->pod = req->pod;
  c->addr = addr;
  c->queued = req;
  Ptr<IndexedTcpSocket> s = CreateIndexedTcpSocket(NodeOf(net_, device_));
  // Linux's TIME_WAIT is 60 s (TCP_TIMEWAIT_LEN), ns-3's 2 x 120 s: a pool that opens many connections would keep
  // four times as many closed endpoints (ns-3 scans them for every new connection).
  s->SetAttribute("MaxSegLifetime", ns3::DoubleValue(30));
  s->Bind();
  c->connecting = s;
  conns_[id] = std::move(c);
  s->SetConnectCallback(
      ns3::MakeBoundCallback(+[](UpstreamPool* self, uint64_t k, Ptr<ns3::Socket>) {
        auto it = self->conns_.find(k);
        if (it == self->conns_.end() || it->second->dead) return;
        Conn& cn = *it->second;
        Ptr<IndexedTcpSocket> sock = cn.connecting;
        cn.connecting = nullptr;
        cn.state = Conn::State::kHandshake;
        cn.stream.reset(new TlsStream(
            sock, [self, k](uint8_t type, const uint8_t* body, size_t n) { self->OnRecord(k, type, body, n); },
            [self, k]() {
              auto c2 = self->conns_.find(k);
              if (c2 == self->conns_.end() || c2->second->dead) return;
              // Closed by the pod's side: refused before the handshake ended, or reset with an answer owed.
              if (c2->second->state != Conn::State::kReady || c2->second->inflight) self->Fail(k, false);
              else self->Drop(k);
            }));
        cn.stream->Write(tls::ClientHello(cn.pod, tls::kIstioAlpn, self->rnd_));
      }, this, id),
      ns3::MakeBoundCallback(+[](UpstreamPool* self, uint64_t k, Ptr<ns3::Socket>) {
        auto it = self->conns_.find(k);
        if (it != self->conns_.end() && !it->second->dead) self->Fail(k, false);
      }, this, id));
  s->Connect(ns3::InetSocketAddress(ns3::Ipv4Address(addr), kServicePort));
  // Envoy's connect_timeout (Istio: 10 s) covers the TCP and the TLS handshake.
  std::weak_ptr<bool> alive = alive_;
  h_.after(kSidecarConnectTimeout, [this, alive, id]() {
    auto a = alive.lock();
    if (!a || !*a) return;
    auto it = conns_.find(id);
    if (it != conns_.end() && !it->second->dead && it->second->state != Conn::State::kReady) Fail(id, false);
  });
}

void UpstreamPool::Write(Conn& c, std::shared_ptr<const ServiceRequest> req) {
  c.inflight = req->id;
  ++c.requests;
  ++c.idle_epoch;
  tls::HttpMessage m;
  m.id = req->id;
  m.service = req->service;
  m.pod = req->pod;
  m.response_bytes = req->response_bytes;
  c.stream->Write(tls::Encrypted(tls::kApplicationData, tls::EncodeHttp(m, req->request_bytes)));
}

void UpstreamPool::OnRecord(uint64_t id, uint8_t type, const uint8_t* body, size_t n) {
  auto it = conns_.find(id);
  if (it == conns_.end() || it->second->dead) return;
  Conn& c = *it->second;
  if (type == tls::kAlert) {
    Fail(id, true);
    return;
  }
  if (type != tls::kApplicationData) return;  // the ServerHello, the compatibility ChangeCipherSpec
  size_t len = 0;
  uint8_t inner = tls::InnerType(body, n, &len);
  if (inner == tls::kHandshake && c.state == Conn::State::kHandshake) {
    // The server's flight: its certificate must hold (the first content byte says whether it does).
    if (len == 0 || body[0] != 1) {
      c.stream->Write(tls::Alert(tls::kAlertCertificateExpired));
      Fail(id, true);
      return;
    }
    std::vector<uint8_t> flight = tls::ChangeCipherSpec();
    auto rest = tls::Encrypted(tls::kHandshake, {static_cast<uint8_t>(h_.cert_valid() ? 1 : 0)}, kClientFlightBytes);
    flight.insert(flight.end(), rest.begin(), rest.end());
    c.stream->Write(flight);
    c.state = Conn::State::kReady;
    if (c.queued) {
      auto q = c.queued;
      c.queued = nullptr;
      Write(c, q);
    }
    return;
  }
  if (inner != tls::kApplicationData || c.state != Conn::State::kReady) return;
  std::vector<ServiceResponse> answers;
  bool ok = c.http.Feed(body, len, [&](const tls::HttpMessage& m) {
    if (!m.response || m.id != c.inflight) return;
    c.inflight = 0;
    ServiceResponse r;
    r.id = m.id;
    r.code = m.code;
    answers.push_back(r);
  });
  if (!ok) {
    Fail(id, false);
    return;
  }
  if (!answers.empty() && c.inflight == 0) {
    if (h_.max_requests_per_connection > 0 && c.requests >= h_.max_requests_per_connection) {
      Drop(id);  // maxRequestsPerConnection reached: Envoy closes it
    } else {
      // idleTimeout: closed if nobody uses it meanwhile.
      const uint64_t epoch = ++c.idle_epoch;
      std::weak_ptr<bool> alive = alive_;
      h_.after(h_.idle_timeout, [this, alive, id, epoch]() {
        auto a = alive.lock();
        if (!a || !*a) return;
        auto it2 = conns_.find(id);
        if (it2 != conns_.end() && !it2->second->dead && it2->second->inflight == 0 && it2->second->idle_epoch == epoch) {
          Drop(id);
        }
      });
    }
  }
  for (const auto& r : answers) h_.on_response(r);
}

void UpstreamPool::Fail(uint64_t id, bool tls) {
  auto it = conns_.find(id);
  if (it == conns_.end() || it->second->dead) return;
  std::vector<uint64_t> owed;
  if (it->second->queued) owed.push_back(it->second->queued->id);
  if (it->second->inflight) owed.push_back(it->second->inflight);
  Drop(id);
  for (uint64_t a : owed) {
    ServiceResponse r;
    r.id = a;
    r.refused = !tls;
    r.tls_failure = tls;
    h_.on_response(r);
  }
}

void UpstreamPool::Cancel(uint64_t attempt) {
  for (auto& [id, c] : conns_) {
    if (!c->dead && (c->inflight == attempt || (c->queued && c->queued->id == attempt))) {
      Drop(id);
      return;
    }
  }
}

void UpstreamPool::Drop(uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end() || it->second->dead) return;
  Conn& c = *it->second;
  c.dead = true;
  if (c.connecting) {
    c.connecting->SetConnectCallback(ns3::MakeNullCallback<void, Ptr<ns3::Socket>>(),
                                     ns3::MakeNullCallback<void, Ptr<ns3::Socket>>());
    c.connecting->Close();
    ClosedSockets::Keep(c.connecting);
    c.connecting = nullptr;
  }
  if (c.stream) c.stream->Close();
  // Freed once the callback that dropped it has returned.
  std::weak_ptr<bool> alive = alive_;
  h_.after(0, [this, alive, id]() {
    auto a = alive.lock();
    if (a && *a) conns_.erase(id);
  });
}

size_t UpstreamPool::connections() const {
  size_t n = 0;
  for (const auto& [id, c] : conns_) n += c->dead ? 0 : 1;
  return n;
}

// ---- The pods' side ----

struct InboundListener::Listen {
  Ptr<IndexedTcpSocket> sock;
};

struct InboundListener::Conn {
  uint64_t id = 0;
  enum class State { kHello, kWaitClient, kReady } state = State::kHello;
  std::string pod;
  std::unique_ptr<TlsStream> stream;
  tls::HttpReader http;
  bool dead = false;
};

InboundListener::InboundListener(Network& net, std::string device, uint64_t seed, Hooks hooks)
    : net_(net), device_(std::move(device)), rnd_(seed), h_(std::move(hooks)), alive_(std::make_shared<bool>(true)),
      listen_(new Listen) {
  ClosedSockets::Prepare(NodeOf(net_, device_));
  listen_->sock = CreateIndexedTcpSocket(NodeOf(net_, device_));
  listen_->sock->SetAttribute("MaxSegLifetime", ns3::DoubleValue(30));  // as the callers' (Linux's TIME_WAIT)
  listen_->sock->Bind(ns3::InetSocketAddress(ns3::Ipv4Address::GetAny(), kServicePort));
  listen_->sock->Listen();
  listen_->sock->SetAcceptCallback(
      ns3::MakeNullCallback<bool, Ptr<ns3::Socket>, const ns3::Address&>(),
      ns3::MakeBoundCallback(+[](InboundListener* self, Ptr<ns3::Socket> s, const ns3::Address&) {
        Ptr<IndexedTcpSocket> sock = ns3::DynamicCast<IndexedTcpSocket>(s);
        if (!sock) {
          s->Close();
          ClosedSockets::Keep(s);
          return;
        }
        const uint64_t k = self->next_conn_++;
        auto c = std::make_unique<Conn>();
        c->id = k;
        c->stream.reset(new TlsStream(
            sock, [self, k](uint8_t type, const uint8_t* body, size_t n) { self->OnRecord(k, type, body, n); },
            [self, k]() { self->Drop(k); }));
        self->conns_[k] = std::move(c);
      }, this));
}

InboundListener::~InboundListener() {
  *alive_ = false;
  for (auto& [id, c] : conns_) {
    if (c->stream) c->stream->Close();
  }
  conns_.clear();
  if (listen_->sock) {
    listen_->sock->SetAcceptCallback(ns3::MakeNullCallback<bool, Ptr<ns3::Socket>, const ns3::Address&>(),
                                     ns3::MakeNullCallback<void, Ptr<ns3::Socket>, const ns3::Address&>());
    listen_->sock->Close();
    ClosedSockets::Keep(listen_->sock);
  }
}

void InboundListener::OnRecord(uint64_t id, uint8_t type, const uint8_t* body, size_t n) {
  auto it = conns_.find(id);
  if (it == conns_.end() || it->second->dead) return;
  Conn& c = *it->second;
  if (type == tls::kAlert) {
    Drop(id);
    return;
  }
  if (type == tls::kHandshake && c.state == Conn::State::kHello) {
    tls::ClientHelloInfo hello;
    if (!tls::ParseClientHello(body, n, &hello)) {
      Drop(id);
      return;
    }
    c.pod = hello.sni;
    Verdict v = h_.admit(c.pod, true);
    if (v == Verdict::kRefused) {
      // Nothing listens for that pod: the connection is closed before any answer (Envoy: connection failure).
      Drop(id);
      return;
    }
    std::vector<uint8_t> flight = tls::ServerHello(hello.session_id, rnd_);
    auto ccs = tls::ChangeCipherSpec();
    auto rest = tls::Encrypted(tls::kHandshake, {static_cast<uint8_t>(v == Verdict::kOk ? 1 : 0)}, kServerFlightBytes);
    flight.insert(flight.end(), ccs.begin(), ccs.end());
    flight.insert(flight.end(), rest.begin(), rest.end());
    c.stream->Write(flight);
    c.state = Conn::State::kWaitClient;
    return;
  }
  if (type != tls::kApplicationData) return;
  size_t len = 0;
  uint8_t inner = tls::InnerType(body, n, &len);
  if (inner == tls::kHandshake && c.state == Conn::State::kWaitClient) {
    // The client's certificate flight: STRICT mTLS wants a valid one.
    if (h_.admit(c.pod, len > 0 && body[0] == 1) != Verdict::kOk) {
      c.stream->Write(tls::Alert(tls::kAlertCertificateExpired));
      Drop(id);
      return;
    }
    c.state = Conn::State::kReady;
    return;
  }
  if (inner != tls::kApplicationData || c.state != Conn::State::kReady) return;
  std::vector<std::shared_ptr<ServiceRequest>> requests;
  bool ok = c.http.Feed(body, len, [&](const tls::HttpMessage& m) {
    if (m.response) return;
    auto r = std::make_shared<ServiceRequest>();
    r->id = m.id;
    r->service = m.service;
    r->pod = m.pod.empty() ? c.pod : m.pod;
    r->response_bytes = m.response_bytes;
    r->hops = 1;
    r->mtls = true;
    r->client_cert_valid = true;
    r->conn = id;
    requests.push_back(r);
  });
  if (!ok) {
    Drop(id);
    return;
  }
  for (auto& r : requests) h_.on_request(r);
}

void InboundListener::Reply(uint64_t conn, const ServiceResponse& r, uint32_t bytes) {
  auto it = conns_.find(conn);
  if (it == conns_.end() || it->second->dead) return;
  tls::HttpMessage m;
  m.response = true;
  m.id = r.id;
  m.code = r.code;
  it->second->stream->Write(tls::Encrypted(tls::kApplicationData, tls::EncodeHttp(m, bytes)));
}

void InboundListener::ClosePod(const std::string& pod) {
  std::vector<uint64_t> ids;
  for (const auto& [id, c] : conns_) {
    if (!c->dead && c->pod == pod) ids.push_back(id);
  }
  for (uint64_t id : ids) Drop(id);
}

void InboundListener::Drop(uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end() || it->second->dead) return;
  it->second->dead = true;
  if (it->second->stream) it->second->stream->Close();
  std::weak_ptr<bool> alive = alive_;
  h_.after(0, [this, alive, id]() {
    auto a = alive.lock();
    if (a && *a) conns_.erase(id);
  });
}

}  // namespace planelab
