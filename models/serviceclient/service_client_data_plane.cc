#include "models/serviceclient/service_client_data_plane.h"

#include <algorithm>

#include "models/mesh/data/sidecar_metrics.h"
#include "models/mesh/mesh_section.h"
#include "models/proto/cluster_api.h"
#include "models/serviceclient/service_client_metrics.h"
#include "sim/core/clock.h"
#include "sim/core/message_socket.h"
#include "sim/core/network.h"

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
  AddGauge(sm.upstream_cx_active)->BindReader([sum]() { return sum([](envoy::UpstreamCluster& c) { return c.connections(); }); });
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

void ServiceClientDataPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  sock_.reset(new MessageSocket(net_, device(), 0));
  lb_addr_ = net_.ServiceAddress("cloud");
  sock_->OnReceive([this](uint32_t, uint16_t, std::shared_ptr<const void> msg) {
    const auto& r = *std::static_pointer_cast<const ServiceResponse>(msg);
    if (sidecar_) {
      MeshOnResponse(r);
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
  sidecar_.reset();
  mesh_rq_.clear();
  attempts_.clear();
  waiting_.clear();
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
  if (sidecar_) MeshStart(req->id, c);
  else sock_->Send(lb_addr_, kServicePort, c.request_bytes, req);
  uint64_t id = req->id;
  After(c.timeout, [this, id]() {
    auto it = outstanding_.find(id);
    if (it == outstanding_.end()) return;
    if (sidecar_) MeshUserGaveUp(id);
    timeouts_->Add();
    ++interval_due_;
    ++interval_bad_;
    outstanding_.erase(it);
  });
  // Poisson arrivals, as independent users make them.
  std::exponential_distribution<double> gap(RateAt(c, Clock::Now()));
  After(std::max<SimTime>(1, static_cast<SimTime>(gap(rng()) * 1e9)), [this, i]() { SendNext(i); });
}

// ---- The client's Envoy sidecar (outbound), in a mesh ----

void ServiceClientDataPlane::MeshStart(uint64_t user_id, const ServiceClientSpec& c) {
  MeshRequest rq;
  rq.user_id = user_id;
  rq.service = c.service;
  rq.started = Clock::Now();
  rq.spec = &c;
  mesh_rq_[user_id] = rq;
  MeshDispatch(user_id);
}

void ServiceClientDataPlane::MeshDispatch(uint64_t id) {
  auto it = mesh_rq_.find(id);
  if (it == mesh_rq_.end()) return;
  MeshRequest& rq = it->second;
  if (!sidecar_->serving()) {
    // The app's connection is redirected to Envoy's outbound listener, which is not up yet: refused.
    MeshFinish(id, 503, {envoy::Flag::kUF}, "outbound listener not started");
    return;
  }
  envoy::RouteTable& table = sidecar_->table();
  const envoy::RouteEntry* route = table.Route(rq.service);
  if (!route) {
    MeshFinish(id, 404, {envoy::Flag::kNR}, "route_not_found");
    return;
  }
  if (rq.cluster.empty()) {
    uint32_t total = envoy::RouteTable::TotalWeight(*route);
    uint64_t draw = total ? std::uniform_int_distribution<uint64_t>(0, total - 1)(rng()) : 0;
    rq.cluster = envoy::RouteTable::PickCluster(*route, draw);
    auto c = cluster_rq_.find(rq.cluster);
    if (c != cluster_rq_.end()) c->second->Add();
    if (route->timeout > 0) {
      After(route->timeout, [this, id]() {
        auto r = mesh_rq_.find(id);
        if (r != mesh_rq_.end()) MeshFinish(id, 504, {envoy::Flag::kUT}, "upstream_response_timeout");
      });
    }
  }
  envoy::UpstreamCluster* cluster = table.Cluster(rq.cluster);
  std::string host = cluster ? cluster->Pick(rng(), Clock::Now(), rq.tried) : std::string();
  if (host.empty()) {
    MeshFinish(id, 503, {envoy::Flag::kUH}, "no_healthy_upstream");
    return;
  }
  rq.host = host;
  switch (cluster->Admit(host)) {
    case envoy::UpstreamCluster::Admission::kOverflow:
      MeshFinish(id, 503, {envoy::Flag::kUO}, "upstream_reset_before_response_started{overflow}");
      return;
    case envoy::UpstreamCluster::Admission::kPending:
      rq.pending = true;
      waiting_[host].push_back(id);
      return;
    case envoy::UpstreamCluster::Admission::kGo:
      MeshSend(id);
      return;
  }
}

void ServiceClientDataPlane::MeshSend(uint64_t id) {
  auto it = mesh_rq_.find(id);
  if (it == mesh_rq_.end() || !sock_) return;
  MeshRequest& rq = it->second;
  envoy::UpstreamCluster* cluster = sidecar_->table().Cluster(rq.cluster);
  const envoy::Endpoint* ep = cluster ? cluster->Find(rq.host) : nullptr;
  if (!ep) {
    MeshFinish(id, 503, {envoy::Flag::kUH}, "no_healthy_upstream");
    return;
  }
  const uint32_t addr = ep->addr;
  rq.pending = false;
  rq.on_wire = true;
  auto req = std::make_shared<ServiceRequest>();
  req->id = next_attempt_++;
  attempts_[req->id] = id;
  req->service = rq.service;
  req->request_bytes = rq.spec->request_bytes;
  req->response_bytes = rq.spec->response_bytes;
  req->client_addr = sock_->address();
  req->client_port = sock_->port();
  req->hops = 1;
  req->pod = rq.host;
  req->mtls = true;
  req->client_cert_valid = sidecar_->cert().Valid(Clock::Now());
  sock_->Send(addr, kServicePort, rq.spec->request_bytes, req);
}

void ServiceClientDataPlane::MeshOnResponse(const ServiceResponse& r) {
  auto a = attempts_.find(r.id);
  if (a == attempts_.end()) return;  // the request already finished (timeout, user gone)
  uint64_t id = a->second;
  attempts_.erase(a);
  auto it = mesh_rq_.find(id);
  if (it == mesh_rq_.end()) return;
  MeshRequest& rq = it->second;
  rq.on_wire = false;
  envoy::UpstreamCluster* cluster = sidecar_->table().Cluster(rq.cluster);
  const bool failed = r.refused || r.tls_failure;
  if (cluster) {
    if (cluster->OnResult(rq.host, failed, Clock::Now())) {
      ejections_->Add();
      Emit("envoy.outlier_ejection", "{\"cluster\":\"" + rq.cluster + "\",\"host\":\"" + rq.host + "\"}");
    }
    MeshRelease(*cluster, rq.host, failed);
  }
  if (!failed) {
    MeshFinish(id, 200, {}, "");
    return;
  }
  if (r.tls_failure) ssl_errors_->Add();
  const std::string why = r.tls_failure
      ? "upstream_reset_before_response_started{connection_failure,TLS_error:|268436501:SSL_routines:"
        "OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED:TLS_error_end}"
      : "upstream_reset_before_response_started{connection_failure}";
  // Istio's retry policy retries connect failures on another host (previous_hosts), with Envoy's back-off.
  const envoy::RouteEntry* route = sidecar_->table().Route(rq.service);
  uint32_t attempts = route ? route->retry.attempts : 0;
  if (rq.retries < attempts) {
    ++rq.retries;
    retries_->Add();
    rq.tried.insert(rq.host);
    double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng());
    After(envoy::RetryBackoff(envoy::RetryPolicy(), rq.retries, u), [this, id]() { MeshDispatch(id); });
    return;
  }
  std::vector<envoy::Flag> flags{envoy::Flag::kUF};
  if (attempts > 0) flags.push_back(envoy::Flag::kURX);
  MeshFinish(id, 503, flags, why);
}

void ServiceClientDataPlane::MeshRelease(envoy::UpstreamCluster& cluster, const std::string& host,
                                         bool connection_failed) {
  if (!cluster.Release(host, connection_failed)) return;
  auto w = waiting_.find(host);
  if (w == waiting_.end() || w->second.empty()) return;
  uint64_t next = w->second.front();
  w->second.pop_front();
  if (w->second.empty()) waiting_.erase(w);
  auto r = mesh_rq_.find(next);
  if (r != mesh_rq_.end()) {
    r->second.pending = false;  // it holds a connection now (released if it ends before MeshSend runs)
    r->second.on_wire = true;
  }
  After(0, [this, next]() { MeshSend(next); });
}

void ServiceClientDataPlane::MeshFinish(uint64_t id, int code, const std::vector<envoy::Flag>& flags,
                                        const std::string& detail) {
  auto it = mesh_rq_.find(id);
  if (it == mesh_rq_.end()) return;
  MeshRequest rq = it->second;
  mesh_rq_.erase(it);
  envoy::UpstreamCluster* cluster = rq.cluster.empty() ? nullptr : sidecar_->table().Cluster(rq.cluster);
  if (cluster && rq.pending) {
    cluster->CancelPending(rq.host);
    auto w = waiting_.find(rq.host);
    if (w != waiting_.end()) {
      w->second.erase(std::remove(w->second.begin(), w->second.end(), id), w->second.end());
      if (w->second.empty()) waiting_.erase(w);
    }
  } else if (cluster && rq.on_wire) {
    // Envoy resets the stream (UT, or the user gone); PlaneLab reuses its connection for the next pending request.
    MeshRelease(*cluster, rq.host, false);
    for (auto a = attempts_.begin(); a != attempts_.end();) {
      if (a->second == id) a = attempts_.erase(a);
      else ++a;
    }
  }
  if (code > 0) (code < 300 ? rq_2xx_ : code < 500 ? rq_4xx_ : rq_5xx_)->Add();
  std::string flag_text;
  for (envoy::Flag f : flags) {
    flag_counters_[f]->Add();
    flag_text += (flag_text.empty() ? "" : ",") + std::string(envoy::FlagName(f));
  }
  if (code >= 300) {
    // Envoy's access log for the failure (sampled: at most 10 lines per second per proxy; the counters count all).
    SimTime second = Clock::Now() / kSec;
    if (second != log_second_) {
      log_second_ = second;
      logged_in_second_ = 0;
    }
    if (logged_in_second_++ < 10) {
      Emit("envoy.access_log",
           "{\"line\":\"\\\"GET / HTTP/1.1\\\" " + std::to_string(code) + " " + (flag_text.empty() ? "-" : flag_text) +
               " " + detail + " \\\"" + rq.service + "\\\" \\\"outbound|80|" + (rq.cluster.empty() ? "-" : rq.cluster) +
               "\\\" " + (rq.host.empty() ? "-" : rq.host) + "\",\"code\":" + std::to_string(code) +
               ",\"flags\":\"" + (flag_text.empty() ? "-" : flag_text) + "\"}");
    }
  }
  // The user's side: the request is answered (2xx) or gets the sidecar's error response.
  auto o = outstanding_.find(rq.user_id);
  if (o == outstanding_.end() || code == 0) return;
  ++interval_due_;
  if (code < 300) {
    ok_->Add();
    latency_->Observe(ToSeconds(Clock::Now() - o->second.sent));
  } else {
    ++interval_bad_;
  }
  outstanding_.erase(o);
}

void ServiceClientDataPlane::MeshUserGaveUp(uint64_t user_id) {
  // The app closed the connection before Envoy answered: Envoy logs DC (downstream connection termination).
  if (mesh_rq_.count(user_id)) MeshFinish(user_id, 0, {envoy::Flag::kDC}, "downstream_remote_disconnect");
}

void ServiceClientDataPlane::MeshSweep() {
  if (sidecar_) {
    for (auto& [name, c] : sidecar_->table().clusters()) c.Sweep(Clock::Now());
  }
  After(mesh_.outlier.interval, [this]() { MeshSweep(); });
}

Health ServiceClientDataPlane::MeasureHealth() {
  last_error_ratio_ = interval_due_ ? static_cast<double>(interval_bad_) / interval_due_ : 0.0;
  Health h = HealthFromFailures(static_cast<double>(interval_bad_), static_cast<double>(interval_due_));
  interval_due_ = interval_bad_ = 0;
  return WithLifecycle(h);
}

}  // namespace planelab
