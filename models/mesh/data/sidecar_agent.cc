#include "models/mesh/data/sidecar_agent.h"

#include <algorithm>

#include "models/mesh/mesh_section.h"

namespace planelab {

SidecarAgent::SidecarAgent(std::string proxy, bool full_scope, const MeshSpec& spec, Hooks hooks)
    : proxy_(std::move(proxy)),
      full_scope_(full_scope),
      spec_(spec),
      h_(std::move(hooks)),
      epoch_(std::make_shared<uint64_t>(0)),
      table_(spec.outlier, spec.breakers),
      cert_(spec.cert) {}

SidecarAgent::~SidecarAgent() { ++*epoch_; }

double SidecarAgent::Uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(*h_.rng); }

void SidecarAgent::Later(SimTime d, std::function<void()> fn) {
  std::weak_ptr<uint64_t> token = epoch_;
  uint64_t epoch = *epoch_;
  h_.after(d, [token, epoch, fn = std::move(fn)]() {
    auto t = token.lock();
    if (t && *t == epoch) fn();
  });
}

void SidecarAgent::Start(bool warm) {
  ++*epoch_;
  running_ = true;
  connected_ = connecting_ = false;
  backoff_attempt_ = csr_attempt_ = 0;
  csr_outstanding_ = false;
  const SimTime now = h_.now();
  if (warm) {
    // Issued at a random point of the rotation period before the run: the mesh's rotations are spread out.
    SimTime period = static_cast<SimTime>(static_cast<double>(spec_.cert.ttl) * (1.0 - spec_.cert.grace_ratio));
    SimTime issued = now - static_cast<SimTime>(Uniform() * static_cast<double>(period));
    cert_.Issued(issued, issued + spec_.cert.ttl);
    ScheduleRotation();
    serving_ = true;
    // Proxies reconnect spread over the first seconds of the run, as the kubelets do.
    Later(static_cast<SimTime>((0.5 + 2.5 * Uniform()) * 1e9), [this]() { Connect(); });
    return;
  }
  table_ = envoy::RouteTable(spec_.outlier, spec_.breakers);
  cert_ = mesh::CertLifecycle(spec_.cert);
  serving_ = false;
  Connect();
  SendCsr();
  // Envoy's initial_fetch_timeout: with no configuration after it, the proxy starts with what it has (nothing).
  Later(spec_.initial_fetch_timeout, [this]() {
    if (serving_) return;
    serving_ = true;
    h_.emit("sidecar.initial_fetch_timeout",
            "{\"proxy\":\"" + proxy_ + "\",\"note\":\"started without configuration from istiod\"}");
  });
}

void SidecarAgent::Stop() {
  ++*epoch_;
  running_ = connected_ = serving_ = connecting_ = false;
  table_ = envoy::RouteTable(spec_.outlier, spec_.breakers);
  cert_ = mesh::CertLifecycle(spec_.cert);
}

void SidecarAgent::Connect() {
  if (!running_) return;
  connecting_ = true;
  auto m = std::make_shared<XdsUp>();
  m->type = XdsUp::Type::kConnect;
  m->proxy = proxy_;
  m->full_scope = full_scope_;
  m->workload = workload_;
  m->version = table_.version();
  h_.send(m);
  // The stream is up when istiod answers; no answer within the keepalive timeout: try again after the back-off.
  uint64_t attempt = ++ping_nonce_;
  Later(spec_.keepalive_timeout, [this, attempt]() {
    if (connecting_ && !connected_ && ping_nonce_ == attempt) Lost("no answer from istiod");
  });
}

void SidecarAgent::Lost(const char* why) {
  const bool was = connected_;
  connected_ = connecting_ = false;
  if (was) {
    h_.emit("sidecar.xds_disconnected", "{\"proxy\":\"" + proxy_ + "\",\"reason\":\"" + why +
                                            "\",\"keeps_version\":" + std::to_string(table_.version()) + "}");
  }
  SimTime cap = envoy::kXdsRetryInitial;
  for (uint32_t i = 0; i < backoff_attempt_ && cap < envoy::kXdsRetryMax; ++i) cap *= 2;
  cap = std::min(cap, envoy::kXdsRetryMax);
  ++backoff_attempt_;
  Later(static_cast<SimTime>(Uniform() * static_cast<double>(cap)) + 1, [this]() { Connect(); });
}

void SidecarAgent::Ping() {
  if (!running_ || !connected_) return;
  auto m = std::make_shared<XdsUp>();
  m->type = XdsUp::Type::kPing;
  m->proxy = proxy_;
  m->nonce = ++ping_nonce_;
  uint64_t nonce = m->nonce;
  h_.send(m);
  Later(spec_.keepalive_timeout, [this, nonce]() {
    if (connected_ && pong_nonce_ < nonce) Lost("keepalive timeout");
  });
  Later(spec_.keepalive_interval, [this]() { Ping(); });
}

void SidecarAgent::OnMessage(const XdsDown& m) {
  if (!running_) return;
  switch (m.type) {
    case XdsDown::Type::kPush: {
      if (m.snapshot) {
        table_.Apply(*m.snapshot);
      } else {
        envoy::Snapshot scoped;
        scoped.version = m.version;
        table_.Apply(scoped);
      }
      serving_ = true;
      auto ack = std::make_shared<XdsUp>();
      ack->type = XdsUp::Type::kAck;
      ack->proxy = proxy_;
      ack->version = m.version;
      h_.send(ack);
      [[fallthrough]];
    }
    case XdsDown::Type::kPong:
      pong_nonce_ = std::max(pong_nonce_, m.nonce);
      if (!connected_) {
        connected_ = true;
        connecting_ = false;
        backoff_attempt_ = 0;
        pong_nonce_ = ping_nonce_;
        Later(spec_.keepalive_interval, [this]() { Ping(); });
      }
      break;
    case XdsDown::Type::kCert:
      if (!csr_outstanding_ || m.nonce != csr_nonce_) return;
      csr_outstanding_ = false;
      csr_attempt_ = 0;
      cert_.Issued(m.issued, m.expiry);
      ScheduleRotation();
      break;
  }
}

void SidecarAgent::SendCsr() {
  if (!running_) return;
  csr_outstanding_ = true;
  auto m = std::make_shared<XdsUp>();
  m->type = XdsUp::Type::kCsr;
  m->proxy = proxy_;
  m->nonce = ++csr_nonce_;
  uint64_t nonce = m->nonce;
  h_.send(m);
  Later(cert_.RetryDelay(csr_attempt_), [this, nonce]() {
    if (!csr_outstanding_ || csr_nonce_ != nonce) return;
    ++csr_attempt_;
    SendCsr();
  });
}

void SidecarAgent::ScheduleRotation() {
  int sign = std::uniform_int_distribution<int>(0, 1)(*h_.rng) ? 1 : -1;
  SimTime at = cert_.RotateAt(Uniform(), sign);
  Later(std::max<SimTime>(0, at - h_.now()), [this]() { SendCsr(); });
}

}  // namespace planelab
