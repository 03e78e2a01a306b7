#include "models/node/data/node_data_plane.h"

#include <algorithm>

#include "models/mesh/data/sidecar_metrics.h"
#include "models/mesh/mesh_section.h"
#include "models/node/data/node_data_metrics.h"
#include "sim/core/clock.h"
#include "sim/core/message_socket.h"
#include "sim/core/network.h"
#include "sim/util/hash.h"

namespace planelab {

namespace {
// A pod's listen backlog, in time: requests that would wait longer are dropped (the client times out).
constexpr SimTime kBacklog = 1 * kSec;
// A refusal (TCP RST / ICMP port unreachable) is a small packet.
constexpr uint32_t kRefusalBytes = 40;
// A pod's error answer (a 503/504 with Envoy's or the app's short body and headers).
constexpr uint32_t kErrorAnswerBytes = 200;
// cAdvisor's housekeeping and metrics-server's --metric-resolution: 15 s.
constexpr SimTime kStatsWindow = 15 * kSec;
}  // namespace

NodeDataPlane::NodeDataPlane(RunContext& ctx, const std::string& device, Network& net, bool running_at_start,
                             Port<PodStats>& stats, const MeshSpec& mesh)
    : PlaneActor(ctx, device, Plane::kData), net_(net), running_at_start_(running_at_start), stats_(stats),
      mesh_(mesh) {
  const NodeDataMetrics& m = NodeDataMetrics::Get();
  requests_ = AddCounter(m.service_requests);
  forwarded_ = AddCounter(m.forwarded);
  served_ = AddCounter(m.served);
  refused_ = AddCounter(m.refused);
  overload_drops_ = AddCounter(m.overload_drops);
  ready_pods_ = AddGauge(m.ready_pods);
  ready_pods_->BindReader([this]() { return static_cast<double>(pods_.size()); });
  if (mesh.enabled) {
    SidecarAgent::Hooks hooks;
    hooks.now = []() { return Clock::Now(); };
    hooks.after = [this](SimTime d, std::function<void()> fn) { After(d, std::move(fn)); };
    hooks.emit = [this](const std::string& kind, const std::string& detail) { Emit(kind, detail); };
    hooks.rng = &rng();
    OutboundProxy::Hooks out;
    if (!mesh.calls.empty()) {
      // The calling pods' sidecars (outbound), counted for the node as Envoy counts per proxy.
      const NodeSidecarMetrics& om = NodeSidecarMetrics::Get();
      out_rq_2xx_ = AddCounter(om.outbound_rq_2xx);
      out_rq_4xx_ = AddCounter(om.outbound_rq_4xx);
      out_rq_5xx_ = AddCounter(om.outbound_rq_5xx);
      for (auto [f, name] : {std::pair{envoy::Flag::kUF, "UF"}, {envoy::Flag::kUH, "UH"}, {envoy::Flag::kNR, "NR"},
                             {envoy::Flag::kUO, "UO"}, {envoy::Flag::kUT, "UT"}, {envoy::Flag::kURX, "URX"},
                             {envoy::Flag::kDC, "DC"}}) {
        out_flags_[f] = AddCounter(om.outbound_response_flags.Instance(name));
      }
      out_retries_ = AddCounter(om.outbound_rq_retry);
      out_ejections_ = AddCounter(om.outbound_ejections_total);
      out_ssl_errors_ = AddCounter(om.outbound_ssl_connection_error);
      answered_5xx_ = AddCounter(om.answered_5xx);
      AddGauge(om.outbound_cx_active)->BindReader([this]() { return sidecars_->UpstreamConnections(); });
      AddGauge(om.outbound_rq_active)->BindReader([this]() {
        return sidecars_->SumClusters([](envoy::UpstreamCluster& c) { return c.active_requests(); });
      });
      AddGauge(om.outbound_rq_pending_active)->BindReader([this]() {
        return sidecars_->SumClusters([](envoy::UpstreamCluster& c) { return c.pending_requests(); });
      });
      out.now = hooks.now;
      out.after = hooks.after;
      out.emit = hooks.emit;
      out.rng = &rng();
      out.done = [this](uint64_t id, int code) { CallDone(id, code); };
      out.answered = [this](int code, const std::vector<envoy::Flag>& flags) {
        if (code > 0) (code < 300 ? out_rq_2xx_ : code < 500 ? out_rq_4xx_ : out_rq_5xx_)->Add();
        for (envoy::Flag f : flags) out_flags_[f]->Add();
      };
      out.retried = [this]() { out_retries_->Add(); };
      out.ejected = [this]() { out_ejections_->Add(); };
      out.ssl_error = [this]() { out_ssl_errors_->Add(); };
    }
    sidecars_.reset(new NodeSidecars(net, device, mesh, hooks, out));
    const NodeSidecarMetrics& sm = NodeSidecarMetrics::Get();
    AddGauge(sm.sidecars)->BindReader([this]() { return static_cast<double>(sidecars_->size()); });
    AddGauge(sm.sidecars_connected)->BindReader([this]() { return static_cast<double>(sidecars_->connected()); });
    AddGauge(sm.sidecars_unconfigured)->BindReader([this]() { return static_cast<double>(sidecars_->unconfigured()); });
    AddGauge(sm.sidecars_cert_expired)->BindReader([this]() {
      return static_cast<double>(sidecars_->cert_expired(Clock::Now()));
    });
    inbound_tls_errors_ = AddCounter(sm.inbound_ssl_connection_error);
    inbound_refused_ = AddCounter(sm.inbound_cx_refused);
  }
}

NodeDataPlane::~NodeDataPlane() = default;

void NodeDataPlane::Start() {
  if (!running_at_start_) {
    SetLifecycle(Lifecycle::kAbsent, "no instance");
    return;
  }
  PowerOn();
}

void NodeDataPlane::PowerOn() {
  SetLifecycle(Lifecycle::kUp, "instance running");
  Serving();
}

void NodeDataPlane::HandleCrash() {
  sock_.reset();
  inbound_.reset();
  app_.clear();
  calls_.clear();
  if (sidecars_) sidecars_->Close();
}

void NodeDataPlane::HandleRestart() {
  SetLifecycle(Lifecycle::kUp, "start");
  Serving();
  PodStats resync;
  resync.resync = true;
  stats_.Send(std::move(resync));
}

void NodeDataPlane::Serving() {
  if (sidecars_) sidecars_->Open();
  if (sidecars_ && mesh_.tcp) {
    InboundListener::Hooks h;
    h.after = [this](SimTime d, std::function<void()> fn) { After(d, std::move(fn)); };
    h.admit = [this](const std::string& pod, bool client_cert) { return AdmitConnection(pod, client_cert); };
    h.on_request = [this](std::shared_ptr<ServiceRequest> r) {
      if (running()) OnMeshRequest(r);
    };
    inbound_.reset(new InboundListener(net_, device(), Fnv1a64(device() + "/inbound"), h));
  }
  sock_.reset(new MessageSocket(net_, device(), kServicePort));
  sock_->OnReceive([this](uint32_t, uint16_t, std::shared_ptr<const void> msg) {
    if (running()) OnRequest(std::static_pointer_cast<const ServiceRequest>(msg));
  });
  After(kStatsWindow, [this]() { ReportStats(); });
  if (sidecars_ && !mesh_.calls.empty()) After(mesh_.outlier.interval, [this]() { OutboundSweep(); });
}

void NodeDataPlane::OutboundSweep() {
  if (!running() || !sidecars_) return;
  sidecars_->Sweep(Clock::Now());
  After(mesh_.outlier.interval, [this]() { OutboundSweep(); });
}

void NodeDataPlane::ReportStats() {
  PodStats s;
  for (auto& [name, pod] : pods_) {
    double rps = static_cast<double>(pod.served_in_interval) / ToSeconds(kStatsWindow);
    s.utilization[name] = rps / pod.spec.capacity_rps;
    pod.served_in_interval = 0;
  }
  stats_.Send(std::move(s));
  After(kStatsWindow, [this]() { ReportStats(); });
}

void NodeDataPlane::PowerOff() {
  SetLifecycle(Lifecycle::kAbsent, "instance terminated");
  sock_.reset();
  inbound_.reset();
  pods_.clear();
  endpoints_.clear();
  app_.clear();
  calls_.clear();
  if (sidecars_) sidecars_->Close();
}

void NodeDataPlane::OnProgram(const NodeProgram& p) {
  if (p.has_pods) {
    std::map<std::string, Pod> next;
    for (const auto& lp : p.pods) {
      auto it = pods_.find(lp.name);
      Pod pod = it == pods_.end() ? Pod() : it->second;
      pod.spec = lp;
      next[lp.name] = pod;
    }
    if (inbound_) {
      // A pod that stops here takes its sidecar and its connections with it.
      for (const auto& [name, pod] : pods_) {
        if (!next.count(name)) inbound_->ClosePod(name);
      }
    }
    pods_.swap(next);
    if (sidecars_) {
      std::vector<std::pair<std::string, std::string>> names;
      for (const auto& [name, pod] : pods_) names.emplace_back(name, pod.spec.service);
      // Pods adopted in the first seconds ran before the run began: their sidecars are connected and certified.
      sidecars_->SyncPods(names, Clock::Now() < 10 * kSec);
    }
  }
  if (p.has_endpoints) endpoints_ = p.endpoints;  // kube-proxy rewrites the whole rule set
}

void NodeDataPlane::CrashSidecar(const std::string& pod, bool on) {
  if (!sidecars_) return;
  if (on) crashed_sidecar_ = pod.empty() ? sidecars_->FirstPod() : pod;
  if (!crashed_sidecar_.empty()) sidecars_->CrashSidecar(crashed_sidecar_, on);
  if (on && inbound_ && !crashed_sidecar_.empty()) inbound_->ClosePod(crashed_sidecar_);
}

void NodeDataPlane::Refuse(const ServiceRequest& r, bool tls_failure) {
  refused_->Add();
  ++interval_bad_;
  auto resp = std::make_shared<ServiceResponse>();
  resp->id = r.id;
  resp->refused = !tls_failure;
  resp->tls_failure = tls_failure;
  sock_->Send(r.client_addr, r.client_port, kRefusalBytes, resp);
}

void NodeDataPlane::Serve(Pod& pod, std::shared_ptr<const ServiceRequest> r) {
  SimTime now = Clock::Now();
  SimTime service = static_cast<SimTime>(1e9 / pod.spec.capacity_rps);
  SimTime start = std::max(now, pod.busy_until);
  if (start - now > kBacklog) {
    overload_drops_->Add();
    ++interval_bad_;
    return;
  }
  pod.busy_until = start + service;
  ++pod.served_in_interval;
  if (sidecars_) {
    auto calls = mesh_.calls.find(pod.spec.service);
    if (calls != mesh_.calls.end()) {
      // The application does its own work, then calls the services it depends on through its sidecar.
      std::string name = pod.spec.name;
      const std::vector<MeshCallSpec>* list = &calls->second;
      After(pod.busy_until - now, [this, r, name, list]() { StartCalls(name, *list, r); });
      return;
    }
  }
  After(pod.busy_until - now, [this, r]() {
    served_->Add();
    auto resp = std::make_shared<ServiceResponse>();
    resp->id = r->id;
    SendAnswer(*r, resp, r->response_bytes);
  });
}

void NodeDataPlane::SendAnswer(const ServiceRequest& r, std::shared_ptr<ServiceResponse> resp, uint32_t bytes) {
  if (r.conn) {
    if (inbound_) inbound_->Reply(r.conn, *resp, bytes);
    return;
  }
  if (sock_) sock_->Send(r.client_addr, r.client_port, bytes, resp);
}

InboundListener::Verdict NodeDataPlane::AdmitConnection(const std::string& pod, bool client_cert) {
  if (!running()) return InboundListener::Verdict::kRefused;
  // A refused connection or a failed handshake is a request that reached the node and failed, as a refused
  // datagram is.
  auto fail = [&](Counter* why) {
    requests_->Add();
    ++interval_in_;
    refused_->Add();
    ++interval_bad_;
    if (why) why->Add();
  };
  if (cni_broken_ || !pods_.count(pod)) {
    fail(nullptr);
    return InboundListener::Verdict::kRefused;
  }
  switch (sidecars_->Admit(pod, client_cert, Clock::Now())) {
    case NodeSidecars::Inbound::kOk: return InboundListener::Verdict::kOk;
    case NodeSidecars::Inbound::kRefused:
      fail(inbound_refused_);
      return InboundListener::Verdict::kRefused;
    case NodeSidecars::Inbound::kNoCertificate:
    case NodeSidecars::Inbound::kCertificateExpired:
      fail(inbound_tls_errors_);
      return InboundListener::Verdict::kBadCertificate;
  }
  return InboundListener::Verdict::kRefused;
}

void NodeDataPlane::OnMeshRequest(std::shared_ptr<const ServiceRequest> r) {
  requests_->Add();
  ++interval_in_;
  auto p = pods_.find(r->pod);
  if (p == pods_.end() || cni_broken_) {
    // The pod went away (or the CNI broke) under an open connection: it is reset.
    refused_->Add();
    ++interval_bad_;
    if (inbound_) inbound_->Reset(r->conn);
    return;
  }
  Serve(p->second, r);
}

void NodeDataPlane::StartCalls(const std::string& pod, const std::vector<MeshCallSpec>& calls,
                               std::shared_ptr<const ServiceRequest> r) {
  const uint64_t app = next_app_++;
  AppRequest& a = app_[app];
  a.r = r;
  for (const auto& c : calls) a.outstanding += c.per_request;
  // Every call is registered before any starts: one that fails at once (no route, no host) must not answer early.
  std::vector<std::pair<uint64_t, const MeshCallSpec*>> ids;
  for (const auto& c : calls) {
    for (uint32_t k = 0; k < c.per_request; ++k) {
      const uint64_t id = next_call_++;
      calls_[id] = app;
      ids.emplace_back(id, &c);
    }
  }
  for (const auto& [id, c] : ids) {
    const uint64_t call = id;
    After(c->timeout, [this, call, pod]() {
      if (!calls_.count(call)) return;
      // The application's own timeout: it closes the connection (Envoy logs DC) and answers 504.
      if (sidecars_) sidecars_->GiveUp(pod, call);
      CallDone(call, 504);
    });
    // No sidecar to call through (it crashed, the pod is going): the connection is refused.
    if (!sidecars_ || !sidecars_->Call(pod, call, *c)) CallDone(call, 503);
  }
}

void NodeDataPlane::CallDone(uint64_t call, int code) {
  auto c = calls_.find(call);
  if (c == calls_.end()) return;
  const uint64_t app = c->second;
  calls_.erase(c);
  auto a = app_.find(app);
  if (a == app_.end()) return;
  // The request fails with the status of its first failed call (a 503 stays a 503, a timeout a 504).
  if (code >= 300 && a->second.code < 300) a->second.code = code;
  if (--a->second.outstanding > 0) return;
  std::shared_ptr<const ServiceRequest> r = a->second.r;
  const int status = a->second.code;
  app_.erase(a);
  Answer(*r, status);
}

void NodeDataPlane::Answer(const ServiceRequest& r, int code) {
  if (!sock_ && !inbound_) return;
  served_->Add();
  if (code >= 500) {
    ++interval_bad_;
    if (answered_5xx_) answered_5xx_->Add();
  }
  auto resp = std::make_shared<ServiceResponse>();
  resp->id = r.id;
  resp->code = static_cast<uint16_t>(code);
  SendAnswer(r, resp, code < 300 ? r.response_bytes : kErrorAnswerBytes);
}

void NodeDataPlane::OnRequest(std::shared_ptr<const ServiceRequest> r) {
  if (r->health_check) {
    // The load balancer's health check: kube-proxy's healthz on the node answers while the node's data plane runs.
    auto resp = std::make_shared<ServiceResponse>();
    resp->id = r->id;
    sock_->Send(r->client_addr, r->client_port, 64, resp);
    return;
  }
  requests_->Add();
  ++interval_in_;
  // A broken CNI: nothing reaches the pod network through this node, in or out.
  if (cni_broken_) { Refuse(*r); return; }
  if (r->hops > 0) {
    // Sent here by another node's kube-proxy to the endpoint it chose: that pod must still run here.
    auto p = pods_.find(r->pod);
    if (p == pods_.end()) { Refuse(*r); return; }
    if (r->mtls && sidecars_) {
      // The pod's sidecar terminates mTLS: it must run, have started its listeners, and both certificates hold.
      switch (sidecars_->Admit(r->pod, r->client_cert_valid, Clock::Now())) {
        case NodeSidecars::Inbound::kOk: break;
        case NodeSidecars::Inbound::kRefused:
          inbound_refused_->Add();
          Refuse(*r);
          return;
        case NodeSidecars::Inbound::kNoCertificate:
        case NodeSidecars::Inbound::kCertificateExpired:
          inbound_tls_errors_->Add();
          Refuse(*r, true);
          return;
      }
    }
    Serve(p->second, r);
    return;
  }
  auto it = endpoints_.find(r->service);
  if (it == endpoints_.end() || it->second.empty()) {
    // kube-proxy installs a REJECT rule for a service without endpoints.
    Refuse(*r);
    return;
  }
  // iptables mode picks an endpoint at random with equal probability.
  std::uniform_int_distribution<size_t> pick(0, it->second.size() - 1);
  const auto& [pod_name, node] = it->second[pick(rng())];
  if (node == device()) {
    auto p = pods_.find(pod_name);
    if (p != pods_.end()) { Serve(p->second, r); return; }
    Refuse(*r);
    return;
  }
  forwarded_->Add();
  auto a = node_addr_.find(node);
  uint32_t addr = a != node_addr_.end() ? a->second : (node_addr_[node] = net_.ServiceAddress(node));
  auto fwd = std::make_shared<ServiceRequest>(*r);
  fwd->hops = 1;
  fwd->pod = pod_name;
  sock_->Send(addr, kServicePort, fwd->request_bytes, fwd);
}

Health NodeDataPlane::MeasureHealth() {
  Health h = HealthFromFailures(static_cast<double>(interval_bad_), static_cast<double>(interval_in_));
  interval_in_ = interval_bad_ = 0;
  return WithLifecycle(h);
}

}  // namespace planelab
