#include "models/mesh/data/outbound_proxy.h"

#include <algorithm>

#include "models/mesh/data/sidecar_agent.h"

namespace planelab {

OutboundProxy::OutboundProxy(SidecarAgent& agent, Hooks hooks)
    : agent_(agent), h_(std::move(hooks)), alive_(std::make_shared<bool>(true)) {}

OutboundProxy::~OutboundProxy() { *alive_ = false; }

void OutboundProxy::Later(SimTime d, std::function<void()> fn) {
  std::weak_ptr<bool> alive = alive_;
  h_.after(d, [alive, fn = std::move(fn)]() {
    auto a = alive.lock();
    if (a && *a) fn();
  });
}

void OutboundProxy::Start(uint64_t id, const std::string& service, uint32_t request_bytes, uint32_t response_bytes) {
  Request rq;
  rq.id = id;
  rq.service = service;
  rq.request_bytes = request_bytes;
  rq.response_bytes = response_bytes;
  rq_[id] = rq;
  Dispatch(id);
}

void OutboundProxy::Dispatch(uint64_t id) {
  auto it = rq_.find(id);
  if (it == rq_.end()) return;
  Request& rq = it->second;
  if (!agent_.serving()) {
    // The app's connection is redirected to Envoy's outbound listener, which is not up yet: refused.
    Finish(id, 503, {envoy::Flag::kUF}, "outbound listener not started");
    return;
  }
  envoy::RouteTable& table = agent_.table();
  const envoy::RouteEntry* route = table.Route(rq.service);
  if (!route) {
    Finish(id, 404, {envoy::Flag::kNR}, "route_not_found");
    return;
  }
  if (rq.cluster.empty()) {
    uint32_t total = envoy::RouteTable::TotalWeight(*route);
    uint64_t draw = total ? std::uniform_int_distribution<uint64_t>(0, total - 1)(*h_.rng) : 0;
    rq.cluster = envoy::RouteTable::PickCluster(*route, draw);
    if (h_.cluster_picked) h_.cluster_picked(rq.cluster);
    if (route->timeout > 0) {
      Later(route->timeout, [this, id]() {
        if (rq_.count(id)) Finish(id, 504, {envoy::Flag::kUT}, "upstream_response_timeout");
      });
    }
  }
  envoy::UpstreamCluster* cluster = table.Cluster(rq.cluster);
  std::string host = cluster ? cluster->Pick(*h_.rng, h_.now(), rq.tried) : std::string();
  if (host.empty()) {
    Finish(id, 503, {envoy::Flag::kUH}, "no_healthy_upstream");
    return;
  }
  rq.host = host;
  switch (cluster->Admit(host)) {
    case envoy::UpstreamCluster::Admission::kOverflow:
      Finish(id, 503, {envoy::Flag::kUO}, "upstream_reset_before_response_started{overflow}");
      return;
    case envoy::UpstreamCluster::Admission::kPending:
      rq.pending = true;
      waiting_[host].push_back(id);
      return;
    case envoy::UpstreamCluster::Admission::kGo:
      Send(id);
      return;
  }
}

void OutboundProxy::Send(uint64_t id) {
  auto it = rq_.find(id);
  if (it == rq_.end()) return;
  Request& rq = it->second;
  envoy::UpstreamCluster* cluster = agent_.table().Cluster(rq.cluster);
  const envoy::Endpoint* ep = cluster ? cluster->Find(rq.host) : nullptr;
  if (!ep) {
    Finish(id, 503, {envoy::Flag::kUH}, "no_healthy_upstream");
    return;
  }
  const uint32_t addr = ep->addr;
  rq.pending = false;
  rq.on_wire = true;
  auto req = std::make_shared<ServiceRequest>();
  req->id = next_attempt_++;
  attempts_[req->id] = id;
  req->service = rq.service;
  req->request_bytes = rq.request_bytes;
  req->response_bytes = rq.response_bytes;
  req->hops = 1;
  req->pod = rq.host;
  req->mtls = true;
  req->client_cert_valid = agent_.cert().Valid(h_.now());
  h_.send(addr, req);
}

void OutboundProxy::OnResponse(const ServiceResponse& r) {
  auto a = attempts_.find(r.id);
  if (a == attempts_.end()) return;  // the request already finished (timeout, application gone)
  uint64_t id = a->second;
  attempts_.erase(a);
  auto it = rq_.find(id);
  if (it == rq_.end()) return;
  Request& rq = it->second;
  rq.on_wire = false;
  envoy::UpstreamCluster* cluster = agent_.table().Cluster(rq.cluster);
  const bool connect_failed = r.refused || r.tls_failure;
  // Envoy's consecutive_5xx counts connect failures and 5xx answers of the upstream alike.
  const bool failed = connect_failed || r.code >= 500;
  if (cluster) {
    if (cluster->OnResult(rq.host, failed, h_.now())) {
      if (h_.ejected) h_.ejected();
      h_.emit("envoy.outlier_ejection", "{\"cluster\":\"" + rq.cluster + "\",\"host\":\"" + rq.host + "\"" +
                                            (h_.source.empty() ? "" : ",\"pod\":\"" + h_.source + "\"") + "}");
    }
    Release(*cluster, rq.host, connect_failed);
  }
  if (!failed) {
    Finish(id, r.code > 0 ? r.code : 200, {}, "");
    return;
  }
  if (r.tls_failure && h_.ssl_error) h_.ssl_error();
  const envoy::RouteEntry* route = agent_.table().Route(rq.service);
  uint32_t attempts = route ? route->retry.attempts : 0;
  // Istio's retry policy retries connect failures and 503 answers on another host (previous_hosts), with Envoy's
  // back-off; other 5xx (a 504 of the upstream) are answered as they came.
  const bool retriable = connect_failed || r.code == 503;
  if (retriable && rq.retries < attempts) {
    ++rq.retries;
    if (h_.retried) h_.retried();
    rq.tried.insert(rq.host);
    double u = std::uniform_real_distribution<double>(0.0, 1.0)(*h_.rng);
    Later(envoy::RetryBackoff(envoy::RetryPolicy(), rq.retries, u), [this, id]() { Dispatch(id); });
    return;
  }
  if (!connect_failed) {
    // The upstream answered 5xx: Envoy passes it on (no flag of its own; URX once retries ran out).
    std::vector<envoy::Flag> flags;
    if (retriable && attempts > 0) flags.push_back(envoy::Flag::kURX);
    Finish(id, r.code, flags, "via_upstream");
    return;
  }
  const std::string why = r.tls_failure
      ? "upstream_reset_before_response_started{connection_failure,TLS_error:|268436501:SSL_routines:"
        "OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED:TLS_error_end}"
      : "upstream_reset_before_response_started{connection_failure}";
  std::vector<envoy::Flag> flags{envoy::Flag::kUF};
  if (attempts > 0) flags.push_back(envoy::Flag::kURX);
  Finish(id, 503, flags, why);
}

void OutboundProxy::Release(envoy::UpstreamCluster& cluster, const std::string& host, bool connection_failed) {
  if (!cluster.Release(host, connection_failed)) return;
  auto w = waiting_.find(host);
  if (w == waiting_.end() || w->second.empty()) return;
  uint64_t next = w->second.front();
  w->second.pop_front();
  if (w->second.empty()) waiting_.erase(w);
  auto r = rq_.find(next);
  if (r != rq_.end()) {
    r->second.pending = false;  // it holds a connection now (released if it ends before Send runs)
    r->second.on_wire = true;
  }
  Later(0, [this, next]() { Send(next); });
}

void OutboundProxy::Finish(uint64_t id, int code, const std::vector<envoy::Flag>& flags, const std::string& detail) {
  auto it = rq_.find(id);
  if (it == rq_.end()) return;
  Request rq = it->second;
  rq_.erase(it);
  envoy::UpstreamCluster* cluster = rq.cluster.empty() ? nullptr : agent_.table().Cluster(rq.cluster);
  if (cluster && rq.pending) {
    cluster->CancelPending(rq.host);
    auto w = waiting_.find(rq.host);
    if (w != waiting_.end()) {
      w->second.erase(std::remove(w->second.begin(), w->second.end(), id), w->second.end());
      if (w->second.empty()) waiting_.erase(w);
    }
  } else if (cluster && rq.on_wire) {
    // Envoy resets the stream (UT, or the application gone); PlaneLab reuses its connection for the next pending
    // request.
    Release(*cluster, rq.host, false);
    for (auto a = attempts_.begin(); a != attempts_.end();) {
      if (a->second == id) {
        if (h_.cancel) h_.cancel(a->first);
        a = attempts_.erase(a);
      } else {
        ++a;
      }
    }
  }
  if (h_.answered) h_.answered(code, flags);
  std::string flag_text;
  for (envoy::Flag f : flags) flag_text += (flag_text.empty() ? "" : ",") + std::string(envoy::FlagName(f));
  if (code >= 300) {
    // Envoy's access log for the failure (sampled: at most 10 lines per second per proxy; the counters count all).
    SimTime second = h_.now() / kSec;
    if (second != log_second_) {
      log_second_ = second;
      logged_in_second_ = 0;
    }
    if (logged_in_second_++ < 10) {
      h_.emit("envoy.access_log",
              "{\"line\":\"\\\"GET / HTTP/1.1\\\" " + std::to_string(code) + " " +
                  (flag_text.empty() ? "-" : flag_text) + " " + detail + " \\\"" + rq.service +
                  "\\\" \\\"outbound|80|" + (rq.cluster.empty() ? "-" : rq.cluster) + "\\\" " +
                  (rq.host.empty() ? "-" : rq.host) + "\",\"code\":" + std::to_string(code) + ",\"flags\":\"" +
                  (flag_text.empty() ? "-" : flag_text) + "\"" +
                  (h_.source.empty() ? "" : ",\"pod\":\"" + h_.source + "\"") + "}");
    }
  }
  if (code > 0 && h_.done) h_.done(id, code);
}

void OutboundProxy::GiveUp(uint64_t id) {
  if (rq_.count(id)) Finish(id, 0, {envoy::Flag::kDC}, "downstream_remote_disconnect");
}

void OutboundProxy::Sweep(SimTime now) {
  for (auto& [name, c] : agent_.table().clusters()) c.Sweep(now);
}

void OutboundProxy::Abort(int code) {
  std::vector<uint64_t> ids;
  for (const auto& [id, rq] : rq_) ids.push_back(id);
  rq_.clear();
  attempts_.clear();
  waiting_.clear();
  if (h_.done) {
    for (uint64_t id : ids) h_.done(id, code);
  }
}

}  // namespace planelab
