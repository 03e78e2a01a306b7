#include "models/mesh/control/istiod_control_plane.h"

#include <algorithm>

#include "models/client/api_client.h"
#include "models/mesh/control/istiod_metrics.h"
#include "sim/core/clock.h"
#include "sim/core/message_socket.h"
#include "sim/core/network.h"

namespace planelab {

namespace {
// An unACKed push is sent again after this long (the datagram may have been lost).
constexpr SimTime kResend = 5 * kSec;
constexpr SimTime kSweep = 5 * kSec;
// Prometheus' default scrape interval.
constexpr SimTime kScrapeInterval = 15 * kSec;
}  // namespace

IstiodControlPlane::IstiodControlPlane(RunContext& ctx, const std::string& device, const ClusterSpec& cs,
                                       const MeshSpec& spec, Network& net, Port<IstiodStats>& to_mgmt)
    : PlaneActor(ctx, device, Plane::kControl), cs_(cs), spec_(spec), net_(net), to_mgmt_(to_mgmt),
      debounce_(spec.debounce) {
  const IstiodControlMetrics& m = IstiodControlMetrics::Get();
  connected_ = AddGauge(m.pilot_xds);
  connected_->BindReader([this]() { return static_cast<double>(proxies_.size()); });
  pushes_ = AddCounter(m.pilot_xds_pushes);
  triggers_ = AddCounter(m.pilot_push_triggers);
  debounce_events_ = AddCounter(m.pilot_debounce_events);
  push_time_ = AddHistogram(m.pilot_xds_push_time);
  convergence_ = AddHistogram(m.pilot_proxy_convergence_time);
  connect_push_time_ = AddHistogram(m.pilot_xds_connect_push_time);
  propagation_ = AddHistogram(m.config_propagation_time);
  stale_ = AddGauge(m.pilot_proxies_stale);
  stale_->BindReader([this]() {
    double n = 0;
    for (const auto& [id, p] : proxies_) n += p.acked < version_ ? 1 : 0;
    return n;
  });
  version_gauge_ = AddGauge(m.pilot_config_version);
  version_gauge_->BindReader([this]() { return static_cast<double>(version_); });
  csrs_ = AddCounter(m.citadel_server_csr_count);
  issued_ = AddCounter(m.citadel_server_success_cert_issuance_count);
}

IstiodControlPlane::~IstiodControlPlane() = default;

void IstiodControlPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  debounce_ = mesh::PushDebouncer(spec_.debounce);
  lanes_.assign(std::max<uint32_t>(1, spec_.istiod_cpus), Clock::Now());
  api_.reset(new ApiClient(net_, device(), "apiserver", 50, 100, [this]() { return running(); }));
  sock_.reset(new MessageSocket(net_, device(), kIstiodXdsPort));
  sock_->OnReceive([this](uint32_t addr, uint16_t port, std::shared_ptr<const void> msg) {
    if (running()) OnUp(addr, port, *std::static_pointer_cast<const XdsUp>(msg));
  });
  // istiod's informers: the pods of every service (its endpoints) and the VirtualServices. It serves no proxy
  // before every cache has synced (istiod is not ready until then).
  After(500 * kMs, [this]() {
    watches_ = cs_.deployments.size() + 1;
    for (const auto& d : cs_.deployments) {
      std::string name = d.name;
      api_->Watch(ObjectKind::kPod, OwnerFilter(name), [this, name](const std::vector<ApiWatchBatch::Event>& ev, bool relist) {
        OnPods(name, ev, relist);
      });
    }
    api_->Watch(ObjectKind::kVirtualService, "", [this](const std::vector<ApiWatchBatch::Event>& ev, bool relist) {
      OnVirtualServices(ev, relist);
    });
  });
  After(kSweep, [this]() { Sweep(); });
}

void IstiodControlPlane::HandleCrash() {
  api_.reset();
  sock_.reset();
  pods_.clear();
  vs_.clear();
  synced_.clear();
  proxies_.clear();
  rounds_.clear();
  queue_.clear();
  queued_.clear();
  inflight_ = 0;
  round_sending_ = false;
  snapshot_.reset();
  scoped_.clear();
}

void IstiodControlPlane::OnPods(const std::string& deployment, const std::vector<ApiWatchBatch::Event>& ev, bool relist) {
  auto& pods = pods_[deployment];
  if (relist) pods.clear();
  for (const auto& e : ev) {
    if (e.deleted) pods.erase(e.obj->name);
    else pods[e.obj->name] = e.obj;
  }
  synced_.insert("pods/" + deployment);
  Changed();
}

void IstiodControlPlane::OnVirtualServices(const std::vector<ApiWatchBatch::Event>& ev, bool relist) {
  if (relist) vs_.clear();
  for (const auto& e : ev) {
    if (e.deleted) vs_.erase(e.obj->name);
    else vs_[e.obj->name] = e.obj;
  }
  synced_.insert("virtualservices");
  Changed();
}

void IstiodControlPlane::Changed() {
  debounce_events_->Add();
  if (debounce_.OnEvent(Clock::Now())) After(spec_.debounce.after, [this]() { CheckDebounce(); });
}

void IstiodControlPlane::CheckDebounce() {
  if (synced_.size() < watches_) {
    After(spec_.debounce.after, [this]() { CheckDebounce(); });
    return;
  }
  SimTime again = 0;
  if (debounce_.Check(Clock::Now(), &again)) StartRound();
  else if (debounce_.pending()) After(again, [this]() { CheckDebounce(); });
}

void IstiodControlPlane::StartRound() {
  auto s = std::make_shared<envoy::Snapshot>();
  s->version = ++version_;
  for (const auto& d : cs_.deployments) {
    auto& eps = s->clusters[d.name];
    for (const auto& [name, o] : pods_[d.name]) {
      if (!o->pod_ready || o->terminating || o->node.empty()) continue;
      auto a = node_addr_.find(o->node);
      uint32_t addr = a != node_addr_.end() ? a->second : (node_addr_[o->node] = net_.ServiceAddress(o->node));
      eps.push_back({name, o->node, addr});
    }
    envoy::RouteEntry r;
    auto v = vs_.find(d.name);
    if (v != vs_.end()) {
      for (const auto& [cluster, w] : v->second->routes) r.clusters.push_back({cluster, w});
      r.timeout = v->second->route_timeout;
      r.retry.attempts = v->second->retry_attempts;
    } else {
      r.clusters.push_back({d.name, 100});  // no VirtualService: the service's own cluster
    }
    s->routes[d.name] = r;
  }
  snapshot_ = s;
  for (const auto& [host, o] : vs_) {
    auto it = pushed_rule_.find(host);
    if (it != pushed_rule_.end() && it->second == o->created) continue;
    pushed_rule_[host] = o->created;
    rule_versions_.emplace_back(version_, o->created);
  }
  triggers_->Add();
  Round round;
  round.start = Clock::Now();
  round.first_event = debounce_.pushed_first_event();
  for (const auto& [id, p] : proxies_) {
    round.remaining.insert(id);
    Enqueue(id);
  }
  Emit("istiod.push", "{\"version\":" + std::to_string(version_) + ",\"proxies\":" + std::to_string(proxies_.size()) +
                          ",\"merged_changes\":" + std::to_string(debounce_.pushed_events()) + "}");
  if (!round.remaining.empty()) rounds_[version_] = std::move(round);
  round_sending_ = true;
  Pump();
}

void IstiodControlPlane::Enqueue(const std::string& proxy) {
  if (queued_.insert(proxy).second) queue_.push_back(proxy);
}

SimTime IstiodControlPlane::OnCpu(SimTime cost) {
  auto lane = std::min_element(lanes_.begin(), lanes_.end());
  *lane = std::max(*lane, Clock::Now()) + cost;
  return *lane;
}

void IstiodControlPlane::Pump() {
  while (inflight_ < spec_.push_throttle && !queue_.empty()) {
    std::string id = queue_.front();
    queue_.pop_front();
    queued_.erase(id);
    auto it = proxies_.find(id);
    if (it == proxies_.end() || !snapshot_) continue;
    size_t endpoints = 0;
    if (auto scope = ScopeFor(it->second)) {
      for (const auto& [c, eps] : scope->clusters) endpoints += eps.size();
    }
    SimTime done = OnCpu(spec_.push_cost + static_cast<SimTime>(endpoints) * spec_.push_cost_per_endpoint) + extra_push_;
    ++inflight_;
    After(done - Clock::Now(), [this, id]() {
      --inflight_;
      auto p = proxies_.find(id);
      if (p != proxies_.end() && snapshot_) {
        auto m = std::make_shared<XdsDown>();
        m->type = XdsDown::Type::kPush;
        m->proxy = id;
        m->version = snapshot_->version;
        m->snapshot = ScopeFor(p->second);
        p->second.sent = m->version;
        p->second.sent_at = Clock::Now();
        pushes_->Add();
        Send(p->second, m);
      }
      Pump();
    });
  }
  if (round_sending_ && queue_.empty() && inflight_ == 0) {
    // Every proxy of the round has its push: the debounce may start the next one (istiod's `free`).
    round_sending_ = false;
    debounce_.PushDone();
    if (debounce_.pending()) After(0, [this]() { CheckDebounce(); });
  }
}

std::shared_ptr<const envoy::Snapshot> IstiodControlPlane::ScopeFor(const Proxy& p) {
  if (p.full_scope || !snapshot_) return p.full_scope ? snapshot_ : nullptr;
  auto calls = spec_.calls.find(p.workload);
  if (calls == spec_.calls.end()) return nullptr;
  auto& scoped = scoped_[p.workload];
  if (scoped && scoped->version == snapshot_->version) return scoped;
  auto s = std::make_shared<envoy::Snapshot>();
  s->version = snapshot_->version;
  for (const auto& call : calls->second) {
    auto r = snapshot_->routes.find(call.service);
    if (r == snapshot_->routes.end()) continue;
    s->routes[r->first] = r->second;
    for (const auto& wc : r->second.clusters) {
      auto c = snapshot_->clusters.find(wc.cluster);
      if (c != snapshot_->clusters.end()) s->clusters[c->first] = c->second;
    }
  }
  scoped = s;
  return scoped;
}

void IstiodControlPlane::Send(const Proxy& p, std::shared_ptr<XdsDown> m) {
  sock_->Send(p.addr, p.port, m->Bytes(), m);
}

void IstiodControlPlane::OnUp(uint32_t addr, uint16_t port, const XdsUp& m) {
  const SimTime now = Clock::Now();
  switch (m.type) {
    case XdsUp::Type::kConnect: {
      Proxy& p = proxies_[m.proxy];
      p = Proxy();
      p.addr = addr;
      p.port = port;
      p.full_scope = m.full_scope;
      p.workload = m.workload;
      p.acked = m.version;  // the configuration the proxy still holds
      p.last_heard = p.connected_at = now;
      // A new stream gets the current configuration at once (a full push for that connection).
      if (snapshot_) {
        Enqueue(m.proxy);
        Pump();
      } else {
        auto pong = std::make_shared<XdsDown>();
        pong->type = XdsDown::Type::kPong;
        pong->proxy = m.proxy;
        Send(p, pong);
      }
      break;
    }
    case XdsUp::Type::kAck: {
      auto it = proxies_.find(m.proxy);
      if (it == proxies_.end()) return;
      Proxy& p = it->second;
      p.last_heard = now;
      // Propagation is measured for proxies that held an older configuration (a new proxy is not a change's).
      for (const auto& [version, asked] : rule_versions_) {
        if (p.acked > 0 && version > p.acked && version <= m.version) propagation_->Observe(ToSeconds(now - asked));
      }
      p.acked = std::max(p.acked, m.version);
      if (!p.first_acked) {
        p.first_acked = true;
        connect_push_time_->Observe(ToSeconds(now - p.connected_at));
      }
      for (auto r = rounds_.begin(); r != rounds_.end();) {
        if (r->first > p.acked) break;
        if (r->second.remaining.erase(m.proxy)) convergence_->Observe(ToSeconds(now - r->second.first_event));
        if (r->second.remaining.empty()) {
          push_time_->Observe(ToSeconds(now - r->second.start));
          r = rounds_.erase(r);
        } else {
          ++r;
        }
      }
      break;
    }
    case XdsUp::Type::kPing: {
      auto it = proxies_.find(m.proxy);
      if (it == proxies_.end()) return;  // a stream this istiod does not know (it restarted): no answer
      it->second.last_heard = now;
      auto pong = std::make_shared<XdsDown>();
      pong->type = XdsDown::Type::kPong;
      pong->proxy = m.proxy;
      pong->nonce = m.nonce;
      Send(it->second, pong);
      break;
    }
    case XdsUp::Type::kCsr: {
      csrs_->Add();
      std::string proxy = m.proxy;
      uint64_t nonce = m.nonce;
      SimTime done = OnCpu(spec_.csr_cost);
      After(done - now, [this, addr, port, proxy, nonce]() {
        issued_->Add();
        auto cert = std::make_shared<XdsDown>();
        cert->type = XdsDown::Type::kCert;
        cert->proxy = proxy;
        cert->nonce = nonce;
        cert->issued = Clock::Now();
        cert->expiry = Clock::Now() + spec_.cert.ttl;
        sock_->Send(addr, port, cert->Bytes(), cert);
      });
      break;
    }
  }
}

void IstiodControlPlane::Sweep() {
  const SimTime now = Clock::Now();
  const SimTime dead = spec_.keepalive_interval + spec_.keepalive_timeout;
  for (auto it = proxies_.begin(); it != proxies_.end();) {
    if (now - it->second.last_heard > dead) {
      for (auto& [v, r] : rounds_) r.remaining.erase(it->first);
      it = proxies_.erase(it);
      continue;
    }
    // A push not ACKed in time is sent again (its datagram may have been lost).
    if (snapshot_ && it->second.acked < it->second.sent && now - it->second.sent_at > kResend) Enqueue(it->first);
    ++it;
  }
  for (auto r = rounds_.begin(); r != rounds_.end();) {
    if (r->second.remaining.empty()) {
      push_time_->Observe(ToSeconds(now - r->second.start));
      r = rounds_.erase(r);
    } else {
      ++r;
    }
  }
  Pump();
  After(kSweep, [this]() { Sweep(); });
}

Health IstiodControlPlane::MeasureHealth() {
  Health h = Health::kUp;
  if (synced_.size() < watches_ || watches_ == 0) h = Health::kDegraded;
  // A push round still unfinished after debounce_max: changes are not reaching the proxies.
  for (const auto& [v, r] : rounds_) {
    if (Clock::Now() - r.start > spec_.debounce.max) h = Health::kDegraded;
  }
  return WithLifecycle(h);
}

IstiodMgmtPlane::IstiodMgmtPlane(RunContext& ctx, const std::string& device, Port<IstiodScrape>& to_control)
    : PlaneActor(ctx, device, Plane::kManagement), to_control_(to_control) {
  const IstiodMgmtMetrics& m = IstiodMgmtMetrics::Get();
  up_ = AddGauge(m.up);
  scraped_ = AddGauge(m.scraped_pilot_xds);
  age_ = AddGauge(m.scrape_age);
  age_->BindReader([this]() { return ToSeconds(Clock::Now() - last_ok_); });
}

void IstiodMgmtPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  last_ok_ = Clock::Now();
  up_->Set(1);
  After(kScrapeInterval, [this]() { Scrape(); });
}

void IstiodMgmtPlane::Scrape() {
  if (!answered_) up_->Set(0);
  answered_ = false;
  to_control_.Send(IstiodScrape());
  After(kScrapeInterval, [this]() { Scrape(); });
}

void IstiodMgmtPlane::OnStats(const IstiodStats& s) {
  answered_ = true;
  up_->Set(1);
  scraped_->Set(static_cast<double>(s.connected));
  last_ok_ = Clock::Now();
}

Health IstiodMgmtPlane::MeasureHealth() {
  return WithLifecycle(Clock::Now() - last_ok_ > 2 * kScrapeInterval ? Health::kDegraded : Health::kUp);
}

}  // namespace planelab
