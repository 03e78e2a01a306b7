#include "models/storage/mon/mon_control_plane.h"

#include <nlohmann/json.hpp>

#include "models/storage/mon/mon_metrics.h"
#include "sim/core/message_socket.h"
#include "sim/util/hash.h"

namespace planelab {

using storage::Msg;

namespace {

ceph::OsdMap InitialMap(const StorageSpec& spec, const StorageNetcfg& cfg) {
  ceph::OsdMap m = ceph::OsdMap::Initial(static_cast<int>(cfg.osds.size()), spec.pool);
  for (const auto& c : spec.clients) m.volumes.insert(c.volume);  // the clients' volumes exist before the run
  return m;
}

uint32_t MapBytes(const ceph::OsdMap& m) { return 256 + 16 * static_cast<uint32_t>(m.num_osds()); }

}  // namespace

StorageMonControlPlane::StorageMonControlPlane(RunContext& ctx, const std::string& device, Network& net,
                                               const StorageSpec& spec, std::shared_ptr<const StorageNetcfg> cfg)
    : PlaneActor(ctx, device, Plane::kControl), net_(net), spec_(spec), cfg_(std::move(cfg)),
      map_(InitialMap(spec_, *cfg_)), failures_(spec.mon_osd) {
  for (size_t i = 0; i < cfg_->mons.size(); ++i) {
    if (cfg_->mons[i].first == device) member_ = i + 1;
  }
  const StorageMonMetrics& m = StorageMonMetrics::Get();
  quorum_ = AddGauge(m.quorum);
  is_leader_ = AddGauge(m.is_leader);
  epoch_ = AddGauge(m.epoch);
  osd_up_ = AddGauge(m.osd_up);
  osd_in_ = AddGauge(m.osd_in);
  pg_active_ = AddGauge(m.pg_active);
  pg_clean_ = AddGauge(m.pg_clean);
  pg_degraded_ = AddGauge(m.pg_degraded);
  pg_inactive_ = AddGauge(m.pg_inactive);
  map_changes_ = AddCounter(m.map_changes);
  failure_reports_ = AddCounter(m.failure_reports);
  unserved_ = AddCounter(m.requests_refused);
  volumes_ = AddGauge(m.volumes);
  Publish();
  NewRaft(false);
}

StorageMonControlPlane::~StorageMonControlPlane() = default;

void StorageMonControlPlane::NewRaft(bool from_log) {
  raft::Config c;
  c.id = member_;
  for (size_t i = 0; i < cfg_->mons.size(); ++i) c.peers.push_back(i + 1);
  c.election_tick = static_cast<int>(spec_.election_ticks);
  c.heartbeat_tick = 1;
  c.seed = ctx().seed ^ Fnv1a64(device() + "/raft");
  raft_.reset(from_log ? new raft::RaftNode(c, log_) : new raft::RaftNode(c));
}

void StorageMonControlPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  sock_.reset(new MessageSocket(net_, device(), storage::kMonPort));
  sock_->OnReceive([this](uint32_t from, uint16_t port, std::shared_ptr<const void> msg) {
    if (running()) OnMessage(from, port, *std::static_pointer_cast<const Msg>(msg));
  });
  std::uniform_int_distribution<SimTime> jitter(0, spec_.mon_tick - 1);
  After(jitter(rng()), [this]() { Tick(); });
  // The run starts on a healthy cluster: the first monitor holds the lead, as it did before the run.
  if (Clock::Now() == 0 && member_ == 1) {
    After(100 * kMs, [this]() {
      raft_->Campaign();
      Pump();
    });
  }
}

void StorageMonControlPlane::HandleCrash() {
  sock_.reset();
  subscribers_.clear();
  failures_ = ceph::OsdFailureCore(spec_.mon_osd);
}

void StorageMonControlPlane::HandleRestart() {
  // The monitor's store survives: the map is rebuilt by re-applying the committed entries the log hands out.
  map_ = InitialMap(spec_, *cfg_);
  NewRaft(true);
  Start();
}

void StorageMonControlPlane::Tick() {
  raft_->Tick();
  Pump();
  if (raft_->role() == raft::Role::kLeader) {
    for (const ceph::MapChange& c : failures_.Tick(map_, Clock::Now())) Propose({c, 0, 0});
  }
  After(spec_.mon_tick, [this]() { Tick(); });
}

void StorageMonControlPlane::Pump() {
  while (running() && raft_->HasReady()) {
    raft::Ready rd = raft_->GetReady();
    log_.Persist(rd);
    for (const auto& rm : rd.messages) {
      if (cut_ || !sock_) continue;
      auto m = std::make_shared<Msg>();
      m->kind = Msg::Kind::kRaft;
      m->mon = member_;
      m->raft = rm;
      sock_->Send(cfg_->mons[rm.to - 1].second, storage::kMonPort, std::max<uint32_t>(rm.WireBytes(), 16), m);
    }
    for (const auto& e : rd.committed) {
      if (e.payload) Applied(*std::static_pointer_cast<const storage::MonCommand>(e.payload));
    }
    raft_->Advance();
    if (rd.soft_state_changed) {
      quorum_->Set(rd.leader != 0 ? 1 : 0);
      is_leader_->Set(rd.role == raft::Role::kLeader ? 1 : 0);
      if (rd.leader != last_leader_) {
        failures_.ForgetProposals();
        Emit("storage.mon-leader",
             nlohmann::json({{"leader", rd.leader == 0 ? "" : cfg_->mons[rd.leader - 1].first},
                             {"term", raft_->term()}}).dump());
        last_leader_ = rd.leader;
        // A monitor that (re)joins a quorum serves its subscribers the map as it stands.
        if (rd.leader != 0) {
          for (const auto& [addr, port] : subscribers_) SendMap(addr, port);
        }
      }
    }
  }
}

void StorageMonControlPlane::Propose(const storage::MonCommand& c) {
  raft_->Propose(128, std::make_shared<storage::MonCommand>(c));
  Pump();
}

void StorageMonControlPlane::Applied(const storage::MonCommand& c) {
  ceph::OsdMap before = map_;
  bool changed = ceph::Apply(map_, c.change);
  if (changed) {
    map_changes_->Add();
    failures_.MapApplied(before, map_, Clock::Now());
    Publish();
    std::string what = c.change.kind == ceph::MapChange::Kind::kCreateVolume
                           ? c.change.volume
                           : "osd." + std::to_string(c.change.osd);
    Emit("storage.osdmap", nlohmann::json({{"epoch", map_.epoch}, {"change", ceph::ToString(c.change.kind)},
                                           {"what", what}}).dump());
    if (InQuorum()) {
      for (const auto& [addr, port] : subscribers_) SendMap(addr, port);
    }
  }
  // The leader answers the operator's create (committed, or refused because the volume exists).
  if (c.change.kind == ceph::MapChange::Kind::kCreateVolume && c.reply_addr != 0 &&
      raft_->role() == raft::Role::kLeader && sock_) {
    auto m = std::make_shared<Msg>();
    m->kind = Msg::Kind::kVolumeCreated;
    m->volume = c.change.volume;
    m->ok = changed;
    sock_->Send(c.reply_addr, c.reply_port, 64, m);
  }
}

void StorageMonControlPlane::SendMap(uint32_t addr, uint16_t port) {
  if (!sock_) return;
  auto m = std::make_shared<Msg>();
  m->kind = Msg::Kind::kMap;
  m->map = std::make_shared<const ceph::OsdMap>(map_);
  sock_->Send(addr, port, MapBytes(map_), m);
}

void StorageMonControlPlane::Publish() {
  ceph::PgSummary s = ceph::Summarize(map_);
  epoch_->Set(static_cast<double>(map_.epoch));
  osd_up_->Set(map_.num_up());
  osd_in_->Set(map_.num_in());
  pg_active_->Set(s.active);
  pg_clean_->Set(s.clean);
  pg_degraded_->Set(s.degraded);
  pg_inactive_->Set(s.inactive);
  volumes_->Set(static_cast<double>(map_.volumes.size()));
}

void StorageMonControlPlane::OnMessage(uint32_t from, uint16_t port, const Msg& m) {
  bool leader = raft_->role() == raft::Role::kLeader;
  switch (m.kind) {
    case Msg::Kind::kRaft:
      if (cut_) return;
      raft_->Step(m.raft);
      Pump();
      return;
    case Msg::Kind::kOsdBoot:
      if (leader) failures_.Booted(m.osd);
      return;
    case Msg::Kind::kFailure:
      failure_reports_->Add();
      if (leader) failures_.Report(m.osd, m.target, m.last_heard, Clock::Now());
      return;
    case Msg::Kind::kFailureCancel:
      if (leader) failures_.Cancel(m.osd, m.target);
      return;
    case Msg::Kind::kSubscribe:
      subscribers_.insert({from, port});
      // A monitor out of quorum answers nothing: the client keeps hunting for one that does (MonClient).
      if (InQuorum()) SendMap(from, port); else { unserved_->Add(); ++interval_unserved_; }
      return;
    case Msg::Kind::kVolumeCreate:
      if (leader) Propose({{ceph::MapChange::Kind::kCreateVolume, -1, m.volume}, from, port});
      else if (!InQuorum()) { unserved_->Add(); ++interval_unserved_; }
      return;
    default: return;
  }
}

Health StorageMonControlPlane::MeasureHealth() {
  // A monitor out of quorum can change nothing: no map change, no mount, no create. That is this plane down.
  Health h = InQuorum() ? Health::kUp : Health::kDown;
  interval_unserved_ = 0;
  return WithLifecycle(h);
}

}  // namespace planelab
