#include "models/serviceclient/service_client_data_plane.h"

#include <algorithm>

#include "models/mesh/data/sidecar_metrics.h"
#include "models/mesh/mesh_section.h"
#include "models/proto/cluster_api.h"
#include "models/serviceclient/service_client_metrics.h"
#include "sim/core/clock.h"
#include "sim/core/message_socket.h"
#include "sim/core/network.h"
#include "sim/util/hash.h"

namespace planelab {

ServiceClientDataPlane::ServiceClientDataPlane(RunContext& ctx, const std::string& device, Network& net,
                                               std::vector<const ServiceClientSpec*> clients, const MeshSpec& mesh,
                                               std::vector<std::string> mesh_clusters)
    : PlaneActor(ctx, device, Plane::kData), net_(net), clients_(std::move(clients)), mesh_(mesh) {
  const ServiceClientMetrics& m = ServiceClientMetrics::Get();
  sent_ = AddCounter(m.requests_sent);
  ok_ = AddCounter(m.responses_ok);
  refused_ = AddCounter(m.refused);
  timeouts_ = AddCounter(m.timeouts);
  latency_ = AddHistogram(m.latency);
  error_ratio_ = AddGauge(m.error_ratio);
  error_ratio_->BindReader([this]() { return last_error_ratio_; });
  if (!mesh_.enabled) return;
  const ClientSidecarMetrics& sm = ClientSidecarMetrics::Get();
  rq_2xx_ = AddCounter(sm.upstream_rq_2xx);
  rq_4xx_ = AddCounter(sm.upstream_rq_4xx);
  rq_5xx_ = AddCounter(sm.upstream_rq_5xx);
  for (auto [f, name] : {std::pair{envoy::Flag::kUF, "UF"}, {envoy::Flag::kUH, "UH"}, {envoy::Flag::kNR, "NR"},
                         {envoy::Flag::kUO, "UO"}, {envoy::Flag::kUT, "UT"}, {envoy::Flag::kURX, "URX"},
                         {envoy::Flag::kDC, "DC"}}) {
    flag_counters_[f] = AddCounter(sm.response_flags.Instance(name));
  }
  retries_ = AddCounter(sm.upstream_rq_retry);
  // Every deployment may be a route's destination: one series per cluster, from the start.
  for (const auto& d : mesh_clusters) cluster_rq_[d] = AddCounter(sm.cluster_rq_total.Instance(d));
  ejections_ = AddCounter(sm.ejections_total);
  ssl_errors_ = AddCounter(sm.ssl_connection_error);
  auto sum = [this](auto fn) {
    double n = 0;
    if (sidecar_) {
      for (auto& [name, c] : sidecar_->table().clusters()) n += fn(c);
    }
    return n;
  };
  AddGauge(sm.upstream_cx_active)->BindReader([this, sum]() {
    // Over TCP: the connections really open; otherwise the pool's model of them.
    if (upstream_) return static_cast<double>(upstream_->connections());
    return sum([](envoy::UpstreamCluster& c) { return c.connections(); });
  });
  AddGauge(sm.upstream_rq_active)->BindReader([sum]() { return sum([](envoy::UpstreamCluster& c) { return c.active_requests(); }); });
  AddGauge(sm.upstream_rq_pending_active)->BindReader([sum]() {
    return sum([](envoy::UpstreamCluster& c) { return c.pending_requests(); });
  });
  AddGauge(sm.ejections_active)->BindReader([sum]() {
    return sum([](envoy::UpstreamCluster& c) { return c.ejected(Clock::Now()); });
  });
  AddGauge(sm.connected_state)->BindReader([this]() { return sidecar_ && sidecar_->connected() ? 1.0 : 0.0; });
  AddGauge(sm.config_version)->BindReader([this]() { return sidecar_ ? static_cast<double>(sidecar_->version()) : 0.0; });
  AddGauge(sm.cert_expiry_seconds)->BindReader([this]() {
    if (!sidecar_ || !sidecar_->cert().has()) return 0.0;
    return ToSeconds(sidecar_->cert().expiry() - Clock::Now());
  });
}

ServiceClientDataPlane::~ServiceClientDataPlane() = default;

OutboundProxy::Hooks ServiceClientDataPlane::OutboundHooks() {
  OutboundProxy::Hooks h;
  h.now = []() { return Clock::Now(); };
  h.after = [this](SimTime d, std::function<void()> fn) { After(d, std::move(fn)); };
  h.emit = [this](const std::string& kind, const std::string& detail) { Emit(kind, detail); };
  h.rng = &rng();
  h.send = [this](uint32_t addr, std::shared_ptr<ServiceRequest> req) {
    if (upstream_) {
      upstream_->Send(addr, req);
      return;
    }
    if (!sock_) return;
    req->client_addr = sock_->address();
    req->client_port = sock_->port();
    sock_->Send(addr, kServicePort, req->request_bytes, req);
  };
  h.answered = [this](int code, const std::vector<envoy::Flag>& flags) {
    if (code > 0) (code < 300 ? rq_2xx_ : code < 500 ? rq_4xx_ : rq_5xx_)->Add();
    for (envoy::Flag f : flags) flag_counters_[f]->Add();
  };
  h.cluster_picked = [this](const std::string& cluster) {
    auto c = cluster_rq_.find(cluster);
    if (c != cluster_rq_.end()) c->second->Add();
  };
  h.cancel = [this](uint64_t attempt) {
    if (upstream_) upstream_->Cancel(attempt);
  };
  h.retried = [this]() { retries_->Add(); };
  h.ejected = [this]() { ejections_->Add(); };
  h.ssl_error = [this]() { ssl_errors_->Add(); };
  // The user's side: the request is answered (2xx) or gets the sidecar's error response.
  h.done = [this](uint64_t id, int code) {
    auto o = outstanding_.find(id);
    if (o == outstanding_.end()) return;
    ++interval_due_;
    if (code < 300) {
      ok_->Add();
      latency_->Observe(ToSeconds(Clock::Now() - o->second.sent));
    } else {
      ++interval_bad_;
    }
    outstanding_.erase(o);
  };
  return h;
}

void ServiceClientDataPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  sock_.reset(new MessageSocket(net_, device(), 0));
  lb_addr_ = net_.ServiceAddress("cloud");
  sock_->OnReceive([this](uint32_t, uint16_t, std::shared_ptr<const void> msg) {
    const auto& r = *std::static_pointer_cast<const ServiceResponse>(msg);
    if (outbound_) {
      outbound_->OnResponse(r);
      return;
    }
    auto it = outstanding_.find(r.id);
    if (it == outstanding_.end()) return;  // late: already counted as a timeout
    ++interval_due_;
    if (r.refused) {
      refused_->Add();
      ++interval_bad_;
    } else {
      ok_->Add();
      latency_->Observe(ToSeconds(Clock::Now() - it->second.sent));
    }
    outstanding_.erase(it);
  });
  if (mesh_.enabled) {
    SidecarAgent::Hooks hooks;
    hooks.now = []() { return Clock::Now(); };
    hooks.after = [this](SimTime d, std::function<void()> fn) { After(d, std::move(fn)); };
    hooks.emit = [this](const std::string& kind, const std::string& detail) { Emit(kind, detail); };
    hooks.rng = &rng();
    hooks.send = [this](std::shared_ptr<XdsUp> m) {
      if (xds_sock_) xds_sock_->Send(istiod_addr_, kIstiodXdsPort, m->Bytes(), m);
    };
    xds_sock_.reset(new MessageSocket(net_, device(), 0));
    istiod_addr_ = net_.ServiceAddress("istiod");
    xds_sock_->OnReceive([this](uint32_t, uint16_t, std::shared_ptr<const void> msg) {
      if (sidecar_) sidecar_->OnMessage(*std::static_pointer_cast<const XdsDown>(msg));
    });
    sidecar_.reset(new SidecarAgent(device(), true, mesh_, hooks));
    sidecar_->Start(Clock::Now() == 0);
    outbound_.reset(new OutboundProxy(*sidecar_, OutboundHooks()));
    if (mesh_.tcp) {
      UpstreamPool::Hooks ph;
      ph.now = []() { return Clock::Now(); };
      ph.after = [this](SimTime d, std::function<void()> fn) { After(d, std::move(fn)); };
      ph.cert_valid = [this]() { return sidecar_ && sidecar_->cert().Valid(Clock::Now()); };
      ph.max_requests_per_connection = mesh_.max_requests_per_connection;
      ph.idle_timeout = mesh_.idle_timeout;
      ph.on_response = [this](const ServiceResponse& r) {
        if (outbound_) outbound_->OnResponse(r);
      };
      upstream_.reset(new UpstreamPool(net_, device(), Fnv1a64(device() + "/upstream"), ph));
    }
    After(mesh_.outlier.interval, [this]() { MeshSweep(); });
  }
  // `start` is a time of the run: a restarted client resumes at once if it is past.
  for (size_t i = 0; i < clients_.size(); ++i) {
    After(std::max<SimTime>(0, clients_[i]->start - Clock::Now()), [this, i]() { SendNext(i); });
  }
}

void ServiceClientDataPlane::HandleCrash() {
  // The users behind the client wait no more: what was in flight is forgotten, not counted as failed.
  sock_.reset();
  outstanding_.clear();
  xds_sock_.reset();
  upstream_.reset();
  outbound_.reset();
  sidecar_.reset();
}

double ServiceClientDataPlane::RateAt(const ServiceClientSpec& c, SimTime t) const {
  double rate = c.rate_pps;
  for (const auto& [at, r] : c.rate_steps) {
    if (at <= t) rate = r;
  }
  return rate;
}

void ServiceClientDataPlane::SendNext(size_t i) {
  const ServiceClientSpec& c = *clients_[i];
  auto req = std::make_shared<ServiceRequest>();
  req->id = next_id_++;
  req->service = c.service;
  req->request_bytes = c.request_bytes;
  req->response_bytes = c.response_bytes;
  outstanding_[req->id] = {Clock::Now(), i};
  sent_->Add();
  if (outbound_) outbound_->Start(req->id, c.service, c.request_bytes, c.response_bytes);
  else sock_->Send(lb_addr_, kServicePort, c.request_bytes, req);
  uint64_t id = req->id;
  After(c.timeout, [this, id]() {
    auto it = outstanding_.find(id);
    if (it == outstanding_.end()) return;
    // The app closed the connection before Envoy answered: Envoy logs DC (downstream connection termination).
    if (outbound_) outbound_->GiveUp(id);
    timeouts_->Add();
    ++interval_due_;
    ++interval_bad_;
    outstanding_.erase(it);
  });
  // Poisson arrivals, as independent users make them.
  std::exponential_distribution<double> gap(RateAt(c, Clock::Now()));
  After(std::max<SimTime>(1, static_cast<SimTime>(gap(rng()) * 1e9)), [this, i]() { SendNext(i); });
}

void ServiceClientDataPlane::MeshSweep() {
  if (outbound_) outbound_->Sweep(Clock::Now());
  After(mesh_.outlier.interval, [this]() { MeshSweep(); });
}

Health ServiceClientDataPlane::MeasureHealth() {
  last_error_ratio_ = interval_due_ ? static_cast<double>(interval_bad_) / interval_due_ : 0.0;
  Health h = HealthFromFailures(static_cast<double>(interval_bad_), static_cast<double>(interval_due_));
  interval_due_ = interval_bad_ = 0;
  return WithLifecycle(h);
}

}  // namespace planelab
