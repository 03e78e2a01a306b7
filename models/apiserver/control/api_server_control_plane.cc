#include "models/apiserver/control/api_server_control_plane.h"

#include <algorithm>

#include "models/apiserver/control/api_server_control_metrics.h"
#include "sim/core/clock.h"
#include "sim/core/message_socket.h"
#include "sim/core/metrics_endpoint.h"
#include "sim/core/network.h"

namespace planelab {

namespace {
// The API server's etcd client gives up on a member that does not answer and moves to the next endpoint.
constexpr SimTime kStoreCallTimeout = 10 * kSec;
// Without a batch or progress notification for this long, the cache's store watch starts over elsewhere.
constexpr SimTime kStoreWatchSilence = 5 * kSec;
// Bookmarks keep idle watches alive and let clients notice a dead server.
constexpr SimTime kBookmarkInterval = 15 * kSec;
// Serving from the watch cache: a fixed cost plus a little per object listed.
constexpr SimTime kReadCost = 500 * kUs;
constexpr SimTime kListCostPerItem = 2 * kUs;
// Kubernetes SLO (sig-scalability "API call latency"): mutating single-object calls p99 <= 1 s.
constexpr double kMutatingSlo = 1.0;

bool Mutating(Verb v) { return v == Verb::kCreate || v == Verb::kUpdate || v == Verb::kDelete; }
}  // namespace

ApiServerControlPlane::ApiServerControlPlane(RunContext& ctx, const std::string& device, const ClusterSpec& spec,
                                             Network& net)
    : PlaneActor(ctx, device, Plane::kControl), spec_(spec), net_(net), balancer_(spec.store_members, device) {
  for (uint32_t i = 1; i <= spec.store_members; ++i) members_.push_back(net.ServiceAddress("etcd-" + std::to_string(i)));
  const ApiServerControlMetrics& m = ApiServerControlMetrics::Get();
  for (Verb v : kVerbs) {
    // apiserver_request_total{verb} and apiserver_request_duration_seconds{verb}, split per verb.
    verbs_[v].requests = AddCounter(m.requests.Instance(ToString(v)));
    verbs_[v].errors = AddCounter(m.errors.Instance(ToString(v)));
    verbs_[v].latency = AddHistogram(m.latency.Instance(ToString(v)));
  }
  throttled_ = AddCounter(m.throttled);
  store_errors_ = AddCounter(m.store_errors);
  inflight_gauge_ = AddGauge(m.inflight);
  inflight_gauge_->BindReader([this]() { return static_cast<double>(inflight_); });
  watchers_gauge_ = AddGauge(m.watches);
  watchers_gauge_->BindReader([this]() { return static_cast<double>(watchers_.size()); });
  cache_rv_gauge_ = AddGauge(m.watch_cache_revision);
  cache_rv_gauge_->BindReader([this]() { return static_cast<double>(cache_rv_); });
}

ApiServerControlPlane::~ApiServerControlPlane() = default;

void ApiServerControlPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  sock_.reset(new MessageSocket(net_, device(), kApiServerPort));
  sock_->OnReceive([this](uint32_t addr, uint16_t port, std::shared_ptr<const void> msg) {
    if (running()) OnRequest(addr, port, *std::static_pointer_cast<const ApiRequest>(msg));
  });
  store_sock_.reset(new MessageSocket(net_, device(), 0));
  store_sock_->OnReceive([this](uint32_t, uint16_t, std::shared_ptr<const void> msg) {
    auto r = std::static_pointer_cast<const StoreResponse>(msg);
    auto it = store_calls_.find(r->id);
    if (it == store_calls_.end()) return;
    auto done = std::move(it->second.done);
    // "etcdserver: no leader" and "request timed out" are Unavailable: the client moves away.
    if (r->status == StoreResponse::Status::kNoLeader || r->status == StoreResponse::Status::kTimeout) {
      balancer_.Failed(it->second.member, Clock::Now());
    } else {
      balancer_.Succeeded(it->second.member);
    }
    store_calls_.erase(it);
    done(r.get());
  });
  watch_sock_.reset(new MessageSocket(net_, device(), 0));
  watch_sock_->OnReceive([this](uint32_t, uint16_t, std::shared_ptr<const void> msg) {
    OnStoreBatch(*std::static_pointer_cast<const StoreWatchBatch>(msg));
  });
  metrics_endpoint_ = OpenMetricsEndpoint(net_, ctx().metrics, device(), kApiServerPort);
  InitCache();
  After(kBookmarkInterval, [this]() { Bookmarks(); });
  After(1 * kSec, [this]() { CheckStoreWatch(); });
}

void ApiServerControlPlane::HandleCrash() {
  sock_.reset();
  metrics_endpoint_.reset();
  store_sock_.reset();
  watch_sock_.reset();
  store_calls_.clear();
  cache_.clear();
  by_field_.clear();
  cache_rv_ = 0;
  cache_ready_ = false;
  store_watch_id_ = 0;
  store_seq_ = 0;
  watchers_.clear();
  index_.clear();
  dirty_.clear();
  flush_armed_ = false;
  inflight_ = inflight_mutating_ = 0;
}

void ApiServerControlPlane::CallStore(StoreRequest req, std::function<void(const StoreResponse*)> done) {
  uint64_t id = next_store_id_++;
  req.id = id;
  size_t member = balancer_.Pick(Clock::Now());
  store_calls_[id] = {std::move(done), member};
  auto msg = std::make_shared<StoreRequest>(std::move(req));
  store_sock_->Send(members_[member], kStoreClientPort, msg->Bytes(), msg);
  After(kStoreCallTimeout, [this, id]() {
    auto it = store_calls_.find(id);
    if (it == store_calls_.end()) return;
    auto done = std::move(it->second.done);
    balancer_.Failed(it->second.member, Clock::Now());
    store_calls_.erase(it);
    done(nullptr);
  });
}

void ApiServerControlPlane::InitCache() {
  StoreRequest req;
  req.op = StoreRequest::Op::kRange;
  req.key = "/registry/";
  CallStore(req, [this](const StoreResponse* r) {
    if (!r || r->status != StoreResponse::Status::kOk) {
      store_errors_->Add();
      After(1 * kSec, [this]() { InitCache(); });
      return;
    }
    cache_.clear();
    by_field_.clear();
    for (const auto& kv : r->kvs) {
      cache_[kv.key] = {kv.value, kv.mod_revision};
      IndexObject(kv.key, kv.value.get(), true);
    }
    cache_rv_ = r->revision;
    cache_ready_ = true;
    // Watchers that listed before now would miss what changed in between: they start over.
    watchers_.clear();
    index_.clear();
    dirty_.clear();
    WatchStore();
  });
}

void ApiServerControlPlane::WatchStore() {
  store_watch_id_ = next_store_id_++;
  store_seq_ = 0;
  store_heard_ = Clock::Now();
  auto req = std::make_shared<StoreRequest>();
  req->op = StoreRequest::Op::kWatch;
  req->key = "/registry/";
  req->watch_id = store_watch_id_;
  req->start_revision = cache_rv_ + 1;
  // A watch is one long-lived stream on one member, chosen as unary calls are.
  watch_member_ = balancer_.Pick(Clock::Now());
  watch_sock_->Send(members_[watch_member_], kStoreClientPort, req->Bytes(), req);
}

void ApiServerControlPlane::CheckStoreWatch() {
  if (cache_ready_ && Clock::Now() - store_heard_ >= kStoreWatchSilence) {
    balancer_.Failed(watch_member_, Clock::Now());
    WatchStore();
  }
  After(1 * kSec, [this]() { CheckStoreWatch(); });
}

void ApiServerControlPlane::OnStoreBatch(const StoreWatchBatch& b) {
  if (b.watch_id != store_watch_id_ || !running()) return;
  if (b.seq == 0) {
    if (b.status == StoreResponse::Status::kCompacted) {
      InitCache();  // too far behind: list everything again
      return;
    }
    store_heard_ = Clock::Now();
    return;
  }
  if (b.seq != store_seq_ + 1) {
    WatchStore();  // a batch was lost: resume from what the cache has
    return;
  }
  store_seq_ = b.seq;
  store_heard_ = Clock::Now();
  for (const auto& ev : b.events) {
    if (ev.mod_revision <= cache_rv_) continue;
    Apply(ev);
  }
  if (!flush_armed_) {
    flush_armed_ = true;
    After(0, [this]() { flush_armed_ = false; FlushWatchers(); });
  }
}

bool ApiServerControlPlane::Matches(const Watcher& w, const ApiObject& o) const {
  if (o.kind != w.kind) return false;
  if (w.filter.empty()) return true;
  std::string owner;
  if (IsOwnerFilter(w.filter, &owner)) return o.deployment == owner;
  return o.node == w.filter;
}

void ApiServerControlPlane::Apply(const KvEvent& ev) {
  cache_rv_ = ev.mod_revision;
  ObjectPtr before;
  auto it = cache_.find(ev.key);
  if (it != cache_.end()) before = it->second.first;
  if (before) IndexObject(ev.key, before.get(), false);
  if (ev.value) {
    cache_[ev.key] = {ev.value, ev.mod_revision};
    IndexObject(ev.key, ev.value.get(), true);
  } else if (it != cache_.end()) {
    cache_.erase(it);
  }
  if (!ev.value && !before) return;  // a delete of a key the cache never had: nothing to tell anyone
  // Only the watchers whose kind and filter can match the object before or after the change.
  std::string k = ToString(ev.value ? ev.value->kind : before->kind);
  std::vector<std::string> names = {k + "|"};
  for (const ApiObject* o : {ev.value.get(), before.get()}) {
    if (!o) continue;
    if (!o->node.empty()) names.push_back(k + "|" + o->node);
    if (!o->deployment.empty()) names.push_back(k + "|" + OwnerFilter(o->deployment));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (const auto& name : names) {
    auto b = index_.find(name);
    if (b == index_.end()) continue;
    for (const auto& key : b->second) {
      auto wi = watchers_.find(key);
      if (wi == watchers_.end()) continue;
      Watcher& w = wi->second;
      bool now_matches = ev.value && Matches(w, *ev.value);
      bool was_matching = before && Matches(w, *before);
      if (!now_matches && !was_matching) continue;
      ApiWatchBatch::Event e;
      e.deleted = !now_matches;
      e.obj = now_matches ? ev.value : before;
      e.resource_version = ev.mod_revision;
      w.pending.push_back(std::move(e));
      dirty_.insert(key);
    }
  }
}

void ApiServerControlPlane::IndexObject(const std::string& key, const ApiObject* o, bool add) {
  // The watch cache's field indexes (spec.nodeName and the owner), so filtered lists do not scan every pod.
  if (o->kind != ObjectKind::kPod) return;
  for (const std::string& f : {o->node, o->deployment.empty() ? std::string() : OwnerFilter(o->deployment)}) {
    if (f.empty()) continue;
    if (add) by_field_[f].insert(key);
    else {
      auto it = by_field_.find(f);
      if (it != by_field_.end()) {
        it->second.erase(key);
        if (it->second.empty()) by_field_.erase(it);
      }
    }
  }
}

template <class F>
void ApiServerControlPlane::ForEachMatching(ObjectKind kind, const std::string& filter, F fn) {
  if (kind == ObjectKind::kPod && !filter.empty()) {
    auto it = by_field_.find(filter);
    if (it == by_field_.end()) return;
    for (const auto& key : it->second) {
      auto c = cache_.find(key);
      if (c != cache_.end()) fn(c->second);
    }
    return;
  }
  std::string prefix = KeyOf(kind, "");
  for (auto it = cache_.lower_bound(prefix); it != cache_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    fn(it->second);
  }
}

void ApiServerControlPlane::FlushWatchers() {
  for (const auto& key : dirty_) {
    auto wi = watchers_.find(key);
    if (wi == watchers_.end()) continue;
    Watcher& w = wi->second;
    if (w.pending.empty()) continue;
    auto b = std::make_shared<ApiWatchBatch>();
    b->watch_id = w.watch_id;
    b->seq = ++w.seq;
    b->endpoints_view = IsOwnerFilter(w.filter);
    b->events = std::move(w.pending);
    w.pending.clear();
    sock_->Send(w.addr, w.port, b->Bytes(), b);
  }
  dirty_.clear();
}

void ApiServerControlPlane::Bookmarks() {
  for (auto& [key, w] : watchers_) {
    auto b = std::make_shared<ApiWatchBatch>();
    b->watch_id = w.watch_id;
    b->seq = ++w.seq;
    sock_->Send(w.addr, w.port, b->Bytes(), b);
  }
  After(kBookmarkInterval, [this]() { Bookmarks(); });
}

void ApiServerControlPlane::Respond(uint32_t addr, uint16_t port, const ApiRequest& r, ApiResponse resp,
                                    SimTime started, bool mutating) {
  if (mutating) --inflight_mutating_;
  else --inflight_;
  VerbStats& vs = verbs_[r.verb];
  double latency = ToSeconds(Clock::Now() - started);
  vs.latency->Observe(latency);
  if (mutating) interval_mutating_.Observe(latency);
  if (resp.code == 429 || resp.code >= 500) {
    vs.errors->Add();
    ++interval_errors_;
  }
  resp.id = r.id;
  auto msg = std::make_shared<ApiResponse>(std::move(resp));
  sock_->Send(addr, port, msg->Bytes(), msg);
}

void ApiServerControlPlane::OnRequest(uint32_t addr, uint16_t port, const ApiRequest& r) {
  SimTime started = Clock::Now();
  VerbStats& vs = verbs_[r.verb];
  vs.requests->Add();
  ++interval_requests_;
  bool mutating = Mutating(r.verb);
  // --max-requests-inflight / --max-mutating-requests-inflight: over the limit, 429 at once.
  if ((mutating && inflight_mutating_ >= spec_.api_max_mutating_inflight) ||
      (!mutating && inflight_ >= spec_.api_max_inflight) || !cache_ready_) {
    throttled_->Add();
    vs.errors->Add();
    ++interval_errors_;
    if (r.verb == Verb::kWatch) {
      auto b = std::make_shared<ApiWatchBatch>();
      b->watch_id = r.watch_id;
      b->code = 429;
      sock_->Send(addr, port, b->Bytes(), b);
    } else {
      auto msg = std::make_shared<ApiResponse>();
      msg->id = r.id;
      msg->code = 429;
      sock_->Send(addr, port, msg->Bytes(), msg);
    }
    return;
  }
  if (mutating) ++inflight_mutating_;
  else ++inflight_;
  switch (r.verb) {
    case Verb::kGet: {
      ApiResponse resp;
      auto it = cache_.find(KeyOf(r.kind, r.name));
      if (it == cache_.end()) resp.code = 404;
      else { resp.obj = it->second.first; resp.resource_version = it->second.second; }
      ApiRequest copy = r;
      After(kReadCost, [=]() mutable { Respond(addr, port, copy, std::move(resp), started, false); });
      return;
    }
    case Verb::kList: {
      ApiResponse resp;
      Watcher probe;
      probe.kind = r.kind;
      probe.filter = r.node_filter;
      ForEachMatching(r.kind, r.node_filter, [&](const std::pair<ObjectPtr, int64_t>& e) {
        if (Matches(probe, *e.first)) resp.items.push_back(e);
      });
      resp.resource_version = cache_rv_;
      SimTime cost = kReadCost + kListCostPerItem * static_cast<SimTime>(resp.items.size());
      ApiRequest copy = r;
      After(cost, [=]() mutable { Respond(addr, port, copy, std::move(resp), started, false); });
      return;
    }
    case Verb::kWatch: {
      // A watch is counted while it is set up, then it lives outside the inflight limit (as long-running requests do).
      --inflight_;
      // One stream per client socket: a client that watches again from the same socket replaces its old stream.
      auto old = watchers_.find({addr, port});
      if (old != watchers_.end()) index_[std::string(ToString(old->second.kind)) + "|" + old->second.filter].erase({addr, port});
      Watcher& w = watchers_[{addr, port}];
      w = Watcher();
      index_[std::string(ToString(r.kind)) + "|" + r.node_filter].insert({addr, port});
      w.addr = addr;
      w.port = port;
      w.watch_id = r.watch_id;
      w.kind = r.kind;
      w.filter = r.node_filter;
      auto b = std::make_shared<ApiWatchBatch>();
      b->watch_id = r.watch_id;
      b->endpoints_view = IsOwnerFilter(w.filter);
      ForEachMatching(r.kind, r.node_filter, [&](const std::pair<ObjectPtr, int64_t>& e) {
        if (Matches(w, *e.first)) b->events.push_back({false, e.first, e.second});
      });
      verbs_[Verb::kWatch].latency->Observe(ToSeconds(kReadCost));
      sock_->Send(addr, port, b->Bytes(), b);
      return;
    }
    default:
      Write(addr, port, r, started);
  }
}

void ApiServerControlPlane::Write(uint32_t addr, uint16_t port, const ApiRequest& r, SimTime started) {
  StoreRequest req;
  req.key = KeyOf(r.kind, r.obj ? r.obj->name : r.name);
  if (r.verb == Verb::kDelete) {
    req.op = StoreRequest::Op::kDelete;
  } else {
    req.op = StoreRequest::Op::kPut;
    req.value = r.obj;
    req.expect_mod_revision = r.verb == Verb::kCreate ? 0 : (r.resource_version > 0 ? r.resource_version : -1);
  }
  ApiRequest copy = r;
  auto done = std::make_shared<bool>(false);
  // --request-timeout: whatever the store does, the client hears back by then.
  After(spec_.api_request_timeout, [this, addr, port, copy, started, done]() {
    if (*done) return;
    *done = true;
    ApiResponse resp;
    resp.code = 504;
    Respond(addr, port, copy, std::move(resp), started, true);
  });
  CallStore(req, [this, addr, port, copy, started, done](const StoreResponse* s) {
    if (*done) return;
    *done = true;
    ApiResponse resp;
    if (!s) {
      store_errors_->Add();
      resp.code = 504;
    } else {
      switch (s->status) {
        case StoreResponse::Status::kOk:
          resp.code = copy.verb == Verb::kCreate ? 201 : 200;
          resp.resource_version = s->revision;
          resp.obj = copy.obj;
          break;
        case StoreResponse::Status::kConflict:
          resp.code = 409;
          if (!s->kvs.empty()) { resp.obj = s->kvs[0].value; resp.resource_version = s->kvs[0].mod_revision; }
          break;
        case StoreResponse::Status::kNotFound: resp.code = 404; break;
        default:
          // "etcdserver: request timed out" / "no leader" reach the client as an internal error.
          store_errors_->Add();
          resp.code = 500;
      }
    }
    Respond(addr, port, copy, std::move(resp), started, true);
  });
}

Health ApiServerControlPlane::MeasureHealth() {
  Health h = HealthFromFailures(static_cast<double>(interval_errors_), static_cast<double>(interval_requests_));
  if (h == Health::kUp && interval_mutating_.count() > 0) {
    double p99 = interval_mutating_.Percentile(0.99);
    if (p99 > kMutatingSlo) h = Health::kDegraded;
  }
  interval_requests_ = interval_errors_ = 0;
  interval_mutating_.Reset();
  return WithLifecycle(h);
}

}  // namespace planelab
