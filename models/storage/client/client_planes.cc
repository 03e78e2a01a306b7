#include "models/storage/client/client_planes.h"

#include <nlohmann/json.hpp>

#include "models/storage/client/client_metrics.h"
#include "sim/core/message_socket.h"

namespace planelab {

using storage::Msg;

namespace {

const StorageClientSpec* SpecOf(const StorageSpec& s, const std::string& device) {
  for (const auto& c : s.clients) {
    if (c.client == device) return &c;
  }
  return nullptr;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// Control plane: mount, subscription, volume creates

StorageClientControlPlane::StorageClientControlPlane(RunContext& ctx, const std::string& device, Network& net,
                                                     const StorageSpec& spec, std::shared_ptr<const StorageNetcfg> cfg,
                                                     Port<ClientMapPtr>& to_data)
    : PlaneActor(ctx, device, Plane::kControl), net_(net), spec_(spec), cfg_(std::move(cfg)), to_data_(to_data),
      mine_(SpecOf(spec, device)) {
  const StorageClientControlMetrics& m = StorageClientControlMetrics::Get();
  mounted_ = AddGauge(m.mounted);
  mount_failures_ = AddCounter(m.mount_failures);
  creates_ok_ = AddCounter(m.volume_creates);
  creates_failed_ = AddCounter(m.volume_create_failures);
  epoch_ = AddGauge(m.epoch);
  // The operators' calls happen on their clock.
  if (mine_) Clock::After(mine_->mount_at, [this]() { if (running()) Mount(); });
  for (const VolumeCreateSpec& v : spec_.volume_creates) {
    if (v.via == device) Clock::After(v.at, [this, v]() { if (running()) Create(v); });
  }
}

StorageClientControlPlane::~StorageClientControlPlane() = default;

void StorageClientControlPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  sock_.reset(new MessageSocket(net_, device(), storage::kClientControlPort));
  sock_->OnReceive([this](uint32_t, uint16_t, std::shared_ptr<const void> msg) {
    if (running()) OnMessage(*std::static_pointer_cast<const Msg>(msg));
  });
  if (mine_ && Clock::Now() > mine_->mount_at) Mount();  // a restart mounts again
}

void StorageClientControlPlane::HandleCrash() {
  sock_.reset();
  map_.reset();
  mounting_ = false;
  mounted_->Set(0);
}

void StorageClientControlPlane::ToMons(std::shared_ptr<Msg> m, uint32_t bytes) {
  if (!sock_) return;
  for (const auto& [id, addr] : cfg_->mons) sock_->Send(addr, storage::kMonPort, bytes, m);
}

void StorageClientControlPlane::Mount() {
  if (map_ || mounting_) return;
  mounting_ = true;
  mount_started_ = Clock::Now();
  ++interval_asked_;
  Emit("storage.mount", nlohmann::json({{"volume", mine_ ? mine_->volume : ""}}).dump());
  Hunt(++attempt_);
}

void StorageClientControlPlane::Hunt(uint64_t attempt) {
  if (map_ || attempt != attempt_) return;
  if (Clock::Now() - mount_started_ >= spec_.mount_timeout) {
    // No monitor answered in time: the mount fails ("error connecting to the cluster"); the operator retries.
    mount_failures_->Add();
    ++interval_failed_;
    Emit("storage.mount-failed", "{}");
    mounting_ = false;
    Mount();
    return;
  }
  auto sub = std::make_shared<Msg>();
  sub->kind = Msg::Kind::kSubscribe;
  ToMons(sub, 64);
  // MonClient hunts every mon_client_hunt_interval (3 s).
  After(std::min<SimTime>(3 * kSec, spec_.mount_timeout), [this, attempt]() { Hunt(attempt); });
}

void StorageClientControlPlane::Create(const VolumeCreateSpec& v) {
  ++interval_asked_;
  creates_[v.volume] = Clock::Now();
  auto m = std::make_shared<Msg>();
  m->kind = Msg::Kind::kVolumeCreate;
  m->volume = v.volume;
  ToMons(m, 128);
  std::string name = v.volume;
  After(spec_.mount_timeout, [this, name]() {
    if (creates_.erase(name)) {
      creates_failed_->Add();
      ++interval_failed_;
      Emit("storage.volume-create-failed", nlohmann::json({{"volume", name}, {"why", "no answer"}}).dump());
    }
  });
}

void StorageClientControlPlane::OnMessage(const Msg& m) {
  if (m.kind == Msg::Kind::kMap) {
    if (!m.map || (map_ && m.map->epoch <= map_->epoch)) return;
    bool first = !map_;
    map_ = m.map;
    epoch_->Set(static_cast<double>(map_->epoch));
    if (first && mounting_) {
      mounting_ = false;
      mounted_->Set(1);
      Emit("storage.mounted", nlohmann::json({{"epoch", map_->epoch}}).dump());
    }
    to_data_.Send(map_);
  } else if (m.kind == Msg::Kind::kVolumeCreated) {
    if (!creates_.erase(m.volume)) return;
    if (m.ok) creates_ok_->Add(); else { creates_failed_->Add(); ++interval_failed_; }
  }
}

Health StorageClientControlPlane::MeasureHealth() {
  Health h = HealthFromFailures(static_cast<double>(interval_failed_), static_cast<double>(interval_asked_));
  // A mount or create waiting past a hunt interval is a change that does not happen.
  SimTime now = Clock::Now();
  if (mounting_ && now - mount_started_ > 3 * kSec) h = Health::kDown;
  for (const auto& [name, at] : creates_) {
    if (now - at > 3 * kSec) h = Health::kDown;
  }
  interval_asked_ = interval_failed_ = 0;
  return WithLifecycle(h);
}

// ---------------------------------------------------------------------------------------------------------------
// Data plane: I/O to the OSDs

StorageClientDataPlane::StorageClientDataPlane(RunContext& ctx, const std::string& device, Network& net,
                                               const StorageSpec& spec, std::shared_ptr<const StorageNetcfg> cfg)
    : PlaneActor(ctx, device, Plane::kData), net_(net), spec_(spec), cfg_(std::move(cfg)),
      mine_(SpecOf(spec, device)) {
  const StorageClientDataMetrics& m = StorageClientDataMetrics::Get();
  ops_done_ = AddCounter(m.ops);
  errors_ = AddCounter(m.errors);
  r_lat_ = AddHistogram(m.read_latency);
  w_lat_ = AddHistogram(m.write_latency);
  error_ratio_ = AddGauge(m.error_ratio);
  pending_ = AddGauge(m.ops_pending);
}

StorageClientDataPlane::~StorageClientDataPlane() = default;

void StorageClientDataPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  sock_.reset(new MessageSocket(net_, device(), storage::kClientDataPort));
  sock_->OnReceive([this](uint32_t, uint16_t, std::shared_ptr<const void> msg) {
    if (!running()) return;
    const Msg& m = *std::static_pointer_cast<const Msg>(msg);
    if (m.kind != Msg::Kind::kOpReply) return;
    auto it = ops_.find(m.op);
    if (it == ops_.end()) return;  // answered after it failed, or a duplicate
    double lat = ToSeconds(Clock::Now() - it->second.start);
    (it->second.write ? w_lat_ : r_lat_)->Observe(lat);
    // Slower than 100 ms is a slow I/O for the VM: ten times a healthy SSD-backed op's p99 (PlaneLab's threshold).
    if (lat > 0.1) ++interval_slow_;
    ops_done_->Add();
    ++interval_done_;
    ops_.erase(it);
    pending_->Set(static_cast<double>(ops_.size()));
  });
  generating_ = false;
  if (map_) Schedule();
}

void StorageClientDataPlane::HandleCrash() {
  sock_.reset();
  ops_.clear();
  generating_ = false;
}

void StorageClientDataPlane::OnMap(const ClientMapPtr& map) {
  if (!running() || !map || (map_ && map->epoch <= map_->epoch)) return;
  map_ = map;
  // Objecter: an op whose PG now maps to another primary (or could not be sent) is sent again.
  for (auto& [id, op] : ops_) {
    auto up = ceph::UpSet(op.pg, *map_);
    int primary = up.size() >= map_->pool.min_size ? up[0] : -1;
    if (primary != op.sent_to) SendOp(id, op);
  }
  if (!generating_) Schedule();
}

void StorageClientDataPlane::Schedule() {
  if (!mine_ || mine_->iops <= 0) return;
  generating_ = true;
  std::exponential_distribution<double> gap(mine_->iops);
  After(std::max<SimTime>(1, FromSeconds(gap(rng()))), [this]() {
    Issue();
    Schedule();
  });
}

void StorageClientDataPlane::Issue() {
  if (!map_) return;
  // An RBD volume of 1024 objects of 4 MiB (rbd's default object size), accessed uniformly.
  std::uniform_int_distribution<int> obj(0, 1023);
  std::uniform_real_distribution<double> u(0, 1);
  uint64_t id = next_op_++;
  Op& op = ops_[id];
  op.pg = ceph::PgOf(mine_->volume + "." + std::to_string(obj(rng())), map_->pool.pg_num);
  op.write = u(rng()) >= mine_->read_share;
  op.start = Clock::Now();
  SendOp(id, op);
  pending_->Set(static_cast<double>(ops_.size()));
  After(spec_.op_timeout, [this, id]() {
    if (!ops_.erase(id)) return;
    errors_->Add();
    ++interval_failed_;
    pending_->Set(static_cast<double>(ops_.size()));
  });
}

void StorageClientDataPlane::SendOp(uint64_t id, Op& op) {
  auto up = ceph::UpSet(op.pg, *map_);
  // Below min_size the PG is inactive: the op waits for a map that activates it.
  if (up.size() < map_->pool.min_size || !sock_) {
    op.sent_to = -1;
    return;
  }
  op.sent_to = up[0];
  auto m = std::make_shared<Msg>();
  m->kind = Msg::Kind::kOp;
  m->op = id;
  m->pg = op.pg;
  m->write = op.write;
  m->bytes = mine_->io_bytes;
  m->epoch = map_->epoch;
  sock_->Send(cfg_->osds[up[0]].second, storage::kOsdDataPort, (op.write ? mine_->io_bytes : 0) + 128, m);
}

Health StorageClientDataPlane::MeasureHealth() {
  // What the VM feels: failed ops, and ops stuck longer than a second (a hung disk before the timeout fires).
  SimTime now = Clock::Now();
  double stuck = 0;
  for (const auto& [id, op] : ops_) stuck += now - op.start > 1 * kSec ? 1 : 0;
  double failed = static_cast<double>(interval_failed_) + stuck;
  double total = static_cast<double>(interval_done_) + failed;
  error_ratio_->Set(total > 0 ? static_cast<double>(interval_failed_) / std::max(1.0, static_cast<double>(interval_done_ + interval_failed_)) : 0);
  Health h = HealthFromFailures(failed, total);
  if (h == Health::kUp && HealthFromFailures(static_cast<double>(interval_slow_), total) != Health::kUp) {
    h = Health::kDegraded;  // served, but slowly
  }
  interval_done_ = interval_failed_ = interval_slow_ = 0;
  return WithLifecycle(h);
}

}  // namespace planelab
