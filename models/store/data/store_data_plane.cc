#include "models/store/data/store_data_plane.h"

#include "models/store/data/store_data_metrics.h"
#include "sim/core/clock.h"
#include "sim/core/message_socket.h"
#include "sim/core/network.h"

namespace planelab {

namespace {
// etcd's server request timeout: 5 s plus twice the election timeout (etcdserver/config.go ReqTimeout):
// a write that has not applied by then fails with "etcdserver: request timed out".
SimTime ReqTimeout(const ClusterSpec& s) { return 5 * kSec + 2 * s.store_election; }
// Changes kept for watch streams that resume from an older revision. The API server compacts etcd every
// 5 minutes (--etcd-compaction-interval); a count bound keeps memory flat whatever the write rate.
constexpr size_t kHistory = 100000;
// Progress notifications let a watcher notice a dead stream; etcd sends them on request.
constexpr SimTime kProgressInterval = 1 * kSec;
}  // namespace

StoreDataPlane::StoreDataPlane(RunContext& ctx, const std::string& device, const ClusterSpec& spec, Network& net,
                               uint64_t member_id, const std::vector<ObjectPtr>& bootstrap,
                               Port<StoreProposal>& to_control)
    : PlaneActor(ctx, device, Plane::kData), spec_(spec), net_(net), id_(member_id), to_control_(to_control) {
  // The cluster already runs when the scenario starts: every member holds the same state at the same revision.
  for (const auto& o : bootstrap) kv_[o->Key()] = {o, ++revision_};
  compacted_ = revision_;
  const StoreDataMetrics& m = StoreDataMetrics::Get();
  requests_ = AddCounter(m.client_requests);
  failed_ = AddCounter(m.client_requests_failed);
  applied_ = AddCounter(m.proposals_applied);
  pending_gauge_ = AddGauge(m.proposals_pending);
  pending_gauge_->BindReader([this]() { return static_cast<double>(pending_.size()); });
  revision_gauge_ = AddGauge(m.revision);
  revision_gauge_->BindReader([this]() { return static_cast<double>(revision_); });
  keys_ = AddGauge(m.keys);
  keys_->BindReader([this]() { return static_cast<double>(kv_.size()); });
  watchers_gauge_ = AddGauge(m.watch_streams);
  watchers_gauge_->BindReader([this]() { return static_cast<double>(watchers_.size()); });
  latency_ = AddHistogram(m.write_latency);
}

StoreDataPlane::~StoreDataPlane() = default;

void StoreDataPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  sock_.reset(new MessageSocket(net_, device(), kStoreClientPort));
  sock_->OnReceive([this](uint32_t addr, uint16_t port, std::shared_ptr<const void> msg) {
    if (!running()) return;
    OnRequest(addr, port, *std::static_pointer_cast<const StoreRequest>(msg));
  });
  After(kProgressInterval, [this]() { Progress(); });
}

void StoreDataPlane::Progress() {
  // An empty batch: "everything up to revision_ was sent"; a watcher that hears nothing reconnects elsewhere.
  // Without a leader the member sends none: the API server watches WithRequireLeader, so its stream moves on.
  if (!has_leader_) {
    After(kProgressInterval, [this]() { Progress(); });
    return;
  }
  for (auto& [key, w] : watchers_) {
    if (!w.pending.empty()) continue;
    auto b = std::make_shared<StoreWatchBatch>();
    b->watch_id = w.watch_id;
    b->seq = ++w.seq;
    b->revision = revision_;
    sock_->Send(w.addr, w.port, b->Bytes(), b);
  }
  After(kProgressInterval, [this]() { Progress(); });
}

void StoreDataPlane::Reply(uint32_t addr, uint16_t port, StoreResponse resp) {
  auto r = std::make_shared<StoreResponse>(std::move(resp));
  sock_->Send(addr, port, r->Bytes(), r);
}

void StoreDataPlane::OnRequest(uint32_t addr, uint16_t port, const StoreRequest& r) {
  requests_->Add();
  ++interval_requests_;
  switch (r.op) {
    case StoreRequest::Op::kRange: {
      // A serializable read from this member's state, as the API server's initial list does.
      StoreResponse resp;
      resp.id = r.id;
      resp.revision = revision_;
      for (auto it = kv_.lower_bound(r.key); it != kv_.end() && it->first.compare(0, r.key.size(), r.key) == 0; ++it) {
        resp.kvs.push_back({it->first, it->second.value, it->second.mod_revision});
      }
      Reply(addr, port, std::move(resp));
      return;
    }
    case StoreRequest::Op::kWatch: {
      auto first = std::make_shared<StoreWatchBatch>();
      first->watch_id = r.watch_id;
      first->revision = revision_;
      if (r.start_revision > 0 && r.start_revision <= compacted_) {
        first->status = StoreResponse::Status::kCompacted;
        ++interval_failed_;
        sock_->Send(addr, port, first->Bytes(), first);
        return;
      }
      Watcher& w = watchers_[{addr, r.watch_id}];
      w = Watcher();
      w.addr = addr;
      w.port = port;
      w.watch_id = r.watch_id;
      w.prefix = r.key;
      if (r.start_revision > 0) {
        for (const auto& [rev, ev] : history_) {
          if (rev >= r.start_revision && ev.key.compare(0, w.prefix.size(), w.prefix) == 0) w.pending.push_back(ev);
        }
      }
      sock_->Send(addr, port, first->Bytes(), first);
      if (!w.pending.empty()) FlushWatches();
      return;
    }
    case StoreRequest::Op::kPut:
    case StoreRequest::Op::kDelete: {
      auto cmd = std::make_shared<StoreCommand>();
      cmd->origin_member = id_;
      cmd->request_id = next_local_id_++;
      cmd->request = r;
      pending_[cmd->request_id] = {addr, port, Clock::Now(), r.id};
      uint64_t local = cmd->request_id;
      uint64_t client_id = r.id;
      After(ReqTimeout(spec_), [this, local, client_id]() {
        auto it = pending_.find(local);
        if (it == pending_.end()) return;
        StoreResponse resp;
        resp.id = client_id;
        resp.status = StoreResponse::Status::kTimeout;
        resp.revision = revision_;
        ++interval_failed_;
        failed_->Add();
        Reply(it->second.addr, it->second.port, std::move(resp));
        pending_.erase(it);
      });
      StoreProposal p;
      p.bytes = r.Bytes();
      p.command = cmd;
      to_control_.Send(std::move(p));
      return;
    }
  }
}

StoreResponse StoreDataPlane::Execute(const StoreRequest& r) {
  StoreResponse resp;
  resp.id = r.id;
  auto it = kv_.find(r.key);
  int64_t current = it == kv_.end() ? 0 : it->second.mod_revision;
  if (r.expect_mod_revision >= 0 && r.expect_mod_revision != current) {
    resp.status = StoreResponse::Status::kConflict;
    resp.revision = revision_;
    if (it != kv_.end()) resp.kvs.push_back({r.key, it->second.value, current});
    return resp;
  }
  if (r.op == StoreRequest::Op::kDelete && it == kv_.end()) {
    resp.status = StoreResponse::Status::kNotFound;
    resp.revision = revision_;
    return resp;
  }
  ++revision_;
  KvEvent ev{r.key, r.op == StoreRequest::Op::kPut ? r.value : nullptr, revision_};
  if (r.op == StoreRequest::Op::kPut) kv_[r.key] = {r.value, revision_};
  else kv_.erase(it);
  history_.emplace_back(revision_, ev);
  for (auto& [key, w] : watchers_) {
    if (ev.key.compare(0, w.prefix.size(), w.prefix) == 0) w.pending.push_back(ev);
  }
  resp.revision = revision_;
  resp.kvs.push_back(ev);
  return resp;
}

void StoreDataPlane::OnApply(const StoreApply& a) {
  has_leader_ = a.has_leader;
  for (uint64_t id : a.dropped) {
    auto it = pending_.find(id);
    if (it == pending_.end()) continue;
    // Raft refused the proposal: no leader known (etcd's ErrProposalDropped surfaces to the client).
    StoreResponse resp;
    resp.id = it->second.client_id;
    resp.status = StoreResponse::Status::kNoLeader;
    resp.revision = revision_;
    failed_->Add();
    ++interval_failed_;
    Reply(it->second.addr, it->second.port, std::move(resp));
    pending_.erase(it);
  }
  for (const auto& item : a.items) {
    if (item.index <= applied_index_) continue;  // replayed from the WAL after a restart: already applied
    applied_index_ = item.index;
    if (!item.command) continue;
    applied_->Add();
    StoreResponse resp = Execute(item.command->request);
    if (item.command->origin_member != id_) continue;
    auto it = pending_.find(item.command->request_id);
    if (it == pending_.end()) continue;  // the client was already told it timed out
    latency_->Observe(ToSeconds(Clock::Now() - it->second.at));
    Reply(it->second.addr, it->second.port, std::move(resp));
    pending_.erase(it);
  }
  while (history_.size() > kHistory) {
    compacted_ = history_.front().first;
    history_.pop_front();
  }
  if (!flush_scheduled_) {
    flush_scheduled_ = true;
    // Events applied in one burst leave in one batch per stream.
    After(0, [this]() { flush_scheduled_ = false; FlushWatches(); });
  }
}

void StoreDataPlane::FlushWatches() {
  for (auto& [key, w] : watchers_) {
    if (w.pending.empty()) continue;
    auto b = std::make_shared<StoreWatchBatch>();
    b->watch_id = w.watch_id;
    b->seq = ++w.seq;
    b->revision = revision_;
    b->events = std::move(w.pending);
    w.pending.clear();
    sock_->Send(w.addr, w.port, b->Bytes(), b);
  }
}

void StoreDataPlane::HandleCrash() {
  sock_.reset();
  watchers_.clear();
  pending_.clear();  // clients of a dead member time out on their side
}

Health StoreDataPlane::MeasureHealth() {
  Health h = HealthFromFailures(static_cast<double>(interval_failed_), static_cast<double>(interval_requests_));
  interval_requests_ = interval_failed_ = 0;
  return WithLifecycle(h);
}

}  // namespace planelab
