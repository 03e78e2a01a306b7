#include "models/store/control/store_control_plane.h"

#include <algorithm>

#include "models/store/control/store_control_metrics.h"
#include "models/store/store_safety_probe.h"
#include "sim/core/clock.h"
#include "sim/core/message_socket.h"
#include "sim/core/metrics_endpoint.h"
#include "sim/core/network.h"
#include "sim/util/hash.h"

namespace planelab {

namespace {
DiskConfig DiskOf(const ClusterSpec& spec) {
  DiskConfig d;
  d.iops = spec.disk_iops;
  d.fsync_latency_median = spec.disk_fsync_median;
  return d;
}
// The WAL record of a hard-state change (term, vote, commit): a small fixed record.
constexpr uint32_t kHardStateBytes = 64;
}  // namespace

StoreControlPlane::StoreControlPlane(RunContext& ctx, const std::string& device, const ClusterSpec& spec,
                                     Network& net, uint64_t member_id, std::map<uint64_t, uint32_t> peer_addrs,
                                     Port<StoreApply>& to_data)
    : PlaneActor(ctx, device, Plane::kControl),
      spec_(spec),
      net_(net),
      id_(member_id),
      peers_(std::move(peer_addrs)),
      to_data_(to_data),
      safety_(StoreSafetyProbe::For(ctx, "etcd-1")),
      disk_(DiskOf(spec), ctx.seed ^ Fnv1a64(device + "/disk")) {
  // Names and meanings follow etcd's own metrics (etcd.io/docs "Metrics").
  const StoreControlMetrics& m = StoreControlMetrics::Get();
  fsync_ = AddHistogram(m.wal_fsync_duration);
  backend_commit_ = AddHistogram(m.backend_commit_duration);
  proposals_committed_ = AddCounter(m.proposals_committed);
  proposals_failed_ = AddCounter(m.proposals_failed);
  leader_changes_ = AddCounter(m.leader_changes);
  heartbeat_failures_ = AddCounter(m.heartbeat_send_failures);
  peer_messages_sent_ = AddCounter(m.peer_messages_sent);
  has_leader_ = AddGauge(m.has_leader);
  is_leader_ = AddGauge(m.is_leader);
  term_ = AddGauge(m.term);
  commit_index_ = AddGauge(m.commit_index);
  disk_util_ = AddGauge(m.disk_utilization);
  disk_util_->BindReader([this]() { return disk_.TakeUtilization(Clock::Now()); });
  has_leader_->BindReader([this]() { return raft_ && running() && raft_->leader() != 0 ? 1.0 : 0.0; });
  is_leader_->BindReader([this]() { return raft_ && running() && raft_->role() == raft::Role::kLeader ? 1.0 : 0.0; });
  term_->BindReader([this]() { return raft_ ? static_cast<double>(raft_->term()) : 0.0; });
  commit_index_->BindReader([this]() { return raft_ ? static_cast<double>(raft_->commit()) : 0.0; });
  NewRaft(false);
}

StoreControlPlane::~StoreControlPlane() = default;

void StoreControlPlane::NewRaft(bool from_wal) {
  raft::Config cfg = StoreRaftConfig(spec_, id_);
  cfg.seed = ctx().seed ^ Fnv1a64(device() + "/raft");
  raft_.reset(from_wal ? new raft::RaftNode(cfg, wal_) : new raft::RaftNode(cfg));
}

void StoreControlPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  sock_.reset(new MessageSocket(net_, device(), kStorePeerPort));
  sock_->OnReceive([this](uint32_t, uint16_t, std::shared_ptr<const void> msg) { OnPeerMessage(std::move(msg)); });
  metrics_endpoint_ = OpenMetricsEndpoint(net_, ctx().metrics, device(), kEtcdMetricsPort);
  // Members start their tick loops at slightly different instants, as real processes do.
  std::uniform_int_distribution<SimTime> jitter(0, spec_.store_heartbeat - 1);
  After(jitter(rng()), [this]() { Tick(); });
  // The scenario starts on a running store: member 1 leads, as it would have before the run. It takes the
  // leadership at once, once the network has converged, instead of waiting out an election timeout.
  if (Clock::Now() == 0 && id_ == 1) {
    After(200 * kMs, [this]() {
      raft_->Campaign();
      Pump();
    });
  }
}

void StoreControlPlane::Tick() {
  raft_->Tick();
  Pump();
  After(spec_.store_heartbeat, [this]() { Tick(); });
}

void StoreControlPlane::OnPeerMessage(std::shared_ptr<const void> msg) {
  if (!running()) return;
  auto m = std::static_pointer_cast<const raft::Message>(msg);
  if (cut_from_.count(m->from)) return;  // the partition drops it at our firewall
  raft_->Step(*m);
  Pump();
}

void StoreControlPlane::OnProposal(const StoreProposal& p) {
  if (!raft_->Propose(p.bytes, p.command)) {
    proposals_failed_->Add();
    StoreApply a;
    a.dropped.push_back(p.command->request_id);
    a.has_leader = raft_->leader() != 0;
    to_data_.Send(std::move(a));
    return;
  }
  Pump();
}

void StoreControlPlane::Send(const raft::Message& m) {
  if (cut_from_.count(m.to)) return;
  auto it = peers_.find(m.to);
  if (it == peers_.end()) return;
  if (m.type == raft::MsgType::kHeartbeat) {
    // etcd's raftNode counts a heartbeat that leaves more than 2x the heartbeat interval after the previous
    // one to the same peer as a send failure (etcdserver/raft.go, timeout detector).
    SimTime now = Clock::Now();
    auto [h, fresh] = last_heartbeat_to_.emplace(m.to, now);
    if (!fresh) {
      if (now - h->second > 2 * spec_.store_heartbeat) heartbeat_failures_->Add();
      h->second = now;
    }
  }
  peer_messages_sent_->Add();
  sock_->Send(it->second, kStorePeerPort, m.WireBytes(), std::make_shared<raft::Message>(m));
}

void StoreControlPlane::Pump() {
  if (busy_ || !running() || !raft_->HasReady()) return;
  auto rd = std::make_shared<raft::Ready>(raft_->GetReady());
  busy_ = true;
  if (rd->soft_state_changed) {
    if (rd->leader != last_leader_ && rd->leader != 0) {
      leader_changes_->Add();
      // The first leader of the run is the running store's leader, not a change its health should show.
      if (had_leader_) ++interval_leader_changes_;
      had_leader_ = true;
      Emit("store.leader", "{\"leader\":" + std::to_string(rd->leader) + ",\"term\":" + std::to_string(raft_->term()) + "}");
    }
    if (rd->leader == 0 && had_leader_) interval_had_leader_ = false;
    last_leader_ = rd->leader;
    if (rd->role == raft::Role::kLeader) safety_.OnLeader(id_, raft_->term());
    if (was_leader_ && rd->role != raft::Role::kLeader) Emit("store.step-down", "{}");
    was_leader_ = rd->role == raft::Role::kLeader;
    // The key-value service learns whether a leader is known: without one it stops vouching for its watches.
    StoreApply leader_news;
    leader_news.has_leader = rd->leader != 0;
    to_data_.Send(std::move(leader_news));
  }
  // The leader sends before its own append completes (Raft thesis §10.2.1, as etcd does); followers only after.
  bool leader = raft_->role() == raft::Role::kLeader;
  if (leader) {
    for (const auto& m : rd->messages) Send(m);
  }
  uint64_t bytes = rd->hard_state_changed ? kHardStateBytes : 0;
  for (const auto& e : rd->entries) bytes += e.bytes + 32;
  SimTime now = Clock::Now();
  if (bytes > 0 || rd->has_snapshot) {
    SimTime done = disk_.Submit(now, bytes, true);
    After(done - now, [this, rd, leader, now]() {
      fsync_->Observe(ToSeconds(Clock::Now() - now));
      wal_.Persist(*rd);
      if (!leader) {
        for (const auto& m : rd->messages) Send(m);
      }
      Finish(rd);
    });
  } else {
    wal_.Persist(*rd);
    if (!leader) {
      for (const auto& m : rd->messages) Send(m);
    }
    Finish(rd);
  }
}

void StoreControlPlane::Finish(std::shared_ptr<raft::Ready> rd) {
  StoreApply apply;
  apply.has_leader = raft_->leader() != 0;
  uint64_t apply_bytes = 0;
  for (const auto& e : rd->committed) {
    safety_.OnApply(id_, e.index, e.term, e.payload.get());
    StoreApply::Item it;
    it.index = e.index;
    it.term = e.term;
    it.command = std::static_pointer_cast<const StoreCommand>(e.payload);
    if (it.command) {
      apply_bytes += e.bytes;
      // Every member reports it, as etcd does (etcd_server_proposals_committed_total).
      proposals_committed_->Add();
    }
    apply.items.push_back(std::move(it));
  }
  if (!apply.items.empty()) {
    // The backend (bbolt) commits applied entries in batches; a buffered write, not an fsync per entry.
    SimTime now = Clock::Now();
    SimTime done = disk_.Submit(now, apply_bytes, false);
    backend_commit_->Observe(ToSeconds(done - now));
    to_data_.Send(std::move(apply));
  }
  raft_->Advance();
  applied_since_snapshot_ += rd->committed.size();
  if (applied_since_snapshot_ >= spec_.snapshot_count) {
    // etcd snapshots every --snapshot-count applied entries and compacts its in-memory log, keeping
    // SnapshotCatchUpEntries (5000) behind it for slow followers (etcdserver/server.go).
    if (raft_->applied() > 5000) {
      uint64_t upto = raft_->applied() - 5000;
      raft_->Compact(upto, nullptr);
      if (upto > wal_.snap_index) {
        size_t drop = std::min<size_t>(wal_.entries.size(), static_cast<size_t>(upto - wal_.snap_index));
        wal_.snap_term = drop ? wal_.entries[drop - 1].term : wal_.snap_term;
        wal_.entries.erase(wal_.entries.begin(), wal_.entries.begin() + static_cast<long>(drop));
        wal_.snap_index = upto;
      }
    }
    applied_since_snapshot_ = 0;
  }
  busy_ = false;
  Pump();
}

void StoreControlPlane::SetDiskPressure(const DiskPressure* p) {
  if (p) disk_.SetPressure(*p);
  else disk_.ClearPressure();
}

void StoreControlPlane::HandleCrash() {
  sock_.reset();
  metrics_endpoint_.reset();
  busy_ = false;
}

void StoreControlPlane::HandleRestart() {
  // The WAL holds term, vote, commit and log: the node comes back as a follower with them; committed entries the
  // backend already has are skipped by the data plane (it knows its applied index).
  NewRaft(true);
  last_leader_ = 0;
  was_leader_ = false;
  last_heartbeat_to_.clear();
  Start();
}

void StoreControlPlane::SetPartitioned(const std::set<uint64_t>& cut_from) { cut_from_ = cut_from; }

Health StoreControlPlane::MeasureHealth() {
  Health h = Health::kUp;
  bool has_leader = raft_->leader() != 0;
  if (!has_leader || !interval_had_leader_) h = has_leader ? Health::kDegraded : Health::kDown;
  else if (interval_leader_changes_ > 0) h = Health::kDegraded;
  interval_leader_changes_ = 0;
  interval_had_leader_ = has_leader;
  return WithLifecycle(h);
}

}  // namespace planelab
