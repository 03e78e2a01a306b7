#include "models/storage/osd/osd_planes.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "models/storage/osd/osd_metrics.h"
#include "sim/core/message_socket.h"

namespace planelab {

using storage::Msg;

// ---------------------------------------------------------------------------------------------------------------
// Control plane: map, boot, heartbeats, failure reports

OsdControlPlane::OsdControlPlane(RunContext& ctx, const std::string& device, Network& net, const StorageSpec& spec,
                                 std::shared_ptr<const StorageNetcfg> cfg, Port<OsdMapPtr>& to_data)
    : PlaneActor(ctx, device, Plane::kControl), net_(net), spec_(spec), cfg_(std::move(cfg)), to_data_(to_data),
      self_(cfg_->osd_id.at(device)), hb_(self_, spec.heartbeat) {
  const OsdControlMetrics& m = OsdControlMetrics::Get();
  epoch_ = AddGauge(m.epoch);
  up_in_map_ = AddGauge(m.up_in_map);
  peers_ = AddGauge(m.peers);
  reported_ = AddCounter(m.failures_reported);
  failed_now_ = AddGauge(m.peers_failed);
}

OsdControlPlane::~OsdControlPlane() = default;

void OsdControlPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  sock_.reset(new MessageSocket(net_, device(), storage::kOsdHeartbeatPort));
  sock_->OnReceive([this](uint32_t from, uint16_t port, std::shared_ptr<const void> msg) {
    if (running()) OnMessage(from, port, *std::static_pointer_cast<const Msg>(msg));
  });
  // Boot: subscribe to the map and tell the monitors this OSD is here (MOSDBoot), then check peers every interval
  // (Ceph jitters the interval; here a random phase).
  auto sub = std::make_shared<Msg>();
  sub->kind = Msg::Kind::kSubscribe;
  ToMons(sub, 64);
  std::uniform_int_distribution<SimTime> jitter(0, spec_.heartbeat.interval - 1);
  After(jitter(rng()), [this]() { Tick(); });
}

void OsdControlPlane::HandleCrash() {
  sock_.reset();
  hb_ = ceph::HeartbeatCore(self_, spec_.heartbeat);
  map_.reset();
}

void OsdControlPlane::ToMons(std::shared_ptr<Msg> m, uint32_t bytes) {
  if (!sock_) return;
  m->osd = self_;
  for (const auto& [id, addr] : cfg_->mons) sock_->Send(addr, storage::kMonPort, bytes, m);
}

void OsdControlPlane::Tick() {
  SimTime now = Clock::Now();
  // Until its map shows it up, the OSD keeps booting (a restarted or wrongly-marked-down OSD asks to be up).
  if (!map_ || !map_->up[self_]) {
    auto boot = std::make_shared<Msg>();
    boot->kind = Msg::Kind::kOsdBoot;
    ToMons(boot, 128);
    if (!map_) {
      auto sub = std::make_shared<Msg>();
      sub->kind = Msg::Kind::kSubscribe;
      ToMons(sub, 64);
    }
  }
  ceph::HeartbeatCore::Out out = hb_.Tick(now);
  for (int peer : out.ping) {
    auto m = std::make_shared<Msg>();
    m->kind = Msg::Kind::kPing;
    m->osd = self_;
    sock_->Send(cfg_->osds[peer].second, storage::kOsdHeartbeatPort, 64, m);
  }
  for (const auto& [peer, heard] : out.failed) {
    auto m = std::make_shared<Msg>();
    m->kind = Msg::Kind::kFailure;
    m->target = peer;
    m->last_heard = heard;
    ToMons(m, 96);
    reported_->Add();
  }
  for (int peer : out.alive) {
    auto m = std::make_shared<Msg>();
    m->kind = Msg::Kind::kFailureCancel;
    m->target = peer;
    ToMons(m, 96);
  }
  failed_now_->Set(static_cast<double>(out.failed.size()));
  After(spec_.heartbeat.interval, [this]() { Tick(); });
}

void OsdControlPlane::OnMessage(uint32_t from, uint16_t port, const Msg& m) {
  switch (m.kind) {
    case Msg::Kind::kPing: {
      hb_.Heard(m.osd, Clock::Now());
      auto r = std::make_shared<Msg>();
      r->kind = Msg::Kind::kPingReply;
      r->osd = self_;
      sock_->Send(from, port, 64, r);
      return;
    }
    case Msg::Kind::kPingReply: hb_.Heard(m.osd, Clock::Now()); return;
    case Msg::Kind::kMap: {
      if (!m.map || (map_ && m.map->epoch <= map_->epoch)) return;
      map_ = m.map;
      std::vector<int> peers;
      for (int o = 0; o < map_->num_osds(); ++o) {
        if (o != self_ && map_->up[o]) peers.push_back(o);
      }
      hb_.SetPeers(peers, Clock::Now());
      epoch_->Set(static_cast<double>(map_->epoch));
      up_in_map_->Set(map_->up[self_] ? 1 : 0);
      peers_->Set(static_cast<double>(peers.size()));
      to_data_.Send(map_);
      return;
    }
    default: return;
  }
}

Health OsdControlPlane::MeasureHealth() { return WithLifecycle(Health::kUp); }

// ---------------------------------------------------------------------------------------------------------------
// Data plane: client ops, replication, backfill

OsdDataPlane::OsdDataPlane(RunContext& ctx, const std::string& device, Network& net, const StorageSpec& spec,
                           std::shared_ptr<const StorageNetcfg> cfg, uint64_t seed)
    : PlaneActor(ctx, device, Plane::kData), net_(net), spec_(spec), cfg_(std::move(cfg)),
      self_(cfg_->osd_id.at(device)), disk_(DiskConfig(), seed) {
  const OsdDataMetrics& m = OsdDataMetrics::Get();
  op_r_ = AddCounter(m.op_r);
  op_w_ = AddCounter(m.op_w);
  r_lat_ = AddHistogram(m.op_r_latency);
  w_lat_ = AddHistogram(m.op_w_latency);
  in_flight_gauge_ = AddGauge(m.ops_in_flight);
  slow_ = AddCounter(m.slow_ops);
  blocked_ = AddCounter(m.ops_blocked);
  recovery_bytes_ = AddCounter(m.recovery_bytes);
  backfilling_ = AddGauge(m.pg_backfilling);
  primary_ = AddGauge(m.pg_primary);
}

OsdDataPlane::~OsdDataPlane() = default;

void OsdDataPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  sock_.reset(new MessageSocket(net_, device(), storage::kOsdDataPort));
  sock_->OnReceive([this](uint32_t from, uint16_t port, std::shared_ptr<const void> msg) {
    if (running()) OnMessage(from, port, *std::static_pointer_cast<const Msg>(msg));
  });
  After(1 * kSec, [this]() { BackfillWatchdog(); });
}

void OsdDataPlane::HandleCrash() {
  sock_.reset();
  writes_.clear();
  backfills_.clear();
  in_flight_ = 0;
  // The map survives: an OSD keeps the maps it has seen in its object store and loads the latest at start.
}

void OsdDataPlane::SetDiskPressure(const DiskPressure* p) {
  if (p) disk_.SetPressure(*p); else disk_.ClearPressure();
}

void OsdDataPlane::Send(int osd, std::shared_ptr<Msg> m, uint32_t bytes) {
  if (!sock_ || osd < 0 || osd >= static_cast<int>(cfg_->osds.size())) return;
  m->osd = self_;
  sock_->Send(cfg_->osds[osd].second, storage::kOsdDataPort, bytes, std::move(m));
}

void OsdDataPlane::OnMap(const OsdMapPtr& map) {
  if (!running() || !map || (map_ && map->epoch <= map_->epoch)) return;
  OsdMapPtr before = map_;
  map_ = map;
  // Writes waiting for a copy the new map no longer has go on without it (the PG re-peers on the new acting set);
  // ops of PGs this OSD no longer leads, or that fell below min_size, are dropped: the client resends.
  for (auto it = writes_.begin(); it != writes_.end();) {
    std::vector<int> up = ceph::UpSet(it->second.pg, *map_);
    if (up.empty() || up[0] != self_ || up.size() < map_->pool.min_size) {
      blocked_->Add();
      --in_flight_;
      it = writes_.erase(it);
      continue;
    }
    for (auto w = it->second.waiting.begin(); w != it->second.waiting.end();) {
      w = std::find(up.begin(), up.end(), *w) == up.end() ? it->second.waiting.erase(w) : std::next(w);
    }
    ++it;
  }
  std::vector<uint64_t> keys;
  for (const auto& [k, w] : writes_) keys.push_back(k);
  for (uint64_t k : keys) MaybeComplete(k);
  PlanBackfill(before.get(), *map_);
  PublishPgs();
}

void OsdDataPlane::PublishPgs() {
  if (!map_) return;
  uint32_t primary = 0;
  for (uint32_t pg = 0; pg < map_->pool.pg_num; ++pg) {
    auto up = ceph::UpSet(pg, *map_);
    primary += !up.empty() && up[0] == self_;
  }
  primary_->Set(primary);
  std::set<uint32_t> pgs;
  for (const auto& b : backfills_) pgs.insert(b.pg);
  backfilling_->Set(static_cast<double>(pgs.size()));
  in_flight_gauge_->Set(static_cast<double>(in_flight_));
}

void OsdDataPlane::OnMessage(uint32_t from, uint16_t port, const Msg& m) {
  SimTime now = Clock::Now();
  switch (m.kind) {
    case Msg::Kind::kOp: OnClientOp(from, port, m); return;
    case Msg::Kind::kRepOp: {
      // A replica write: on disk (fsync), then acknowledged to the primary.
      SimTime done = disk_.Submit(now, m.bytes, true);
      uint64_t key = m.op;
      int primary = m.osd;
      After(done - now, [this, key, primary]() {
        auto r = std::make_shared<Msg>();
        r->kind = Msg::Kind::kRepOpReply;
        r->op = key;
        Send(primary, r, 64);
      });
      return;
    }
    case Msg::Kind::kRepOpReply: {
      auto it = writes_.find(m.op);
      if (it == writes_.end()) return;
      it->second.waiting.erase(m.osd);
      MaybeComplete(m.op);
      return;
    }
    case Msg::Kind::kBackfill: {
      SimTime done = disk_.Submit(now, m.bytes, false);
      auto ack = std::make_shared<Msg>();
      ack->kind = Msg::Kind::kBackfillAck;
      ack->pg = m.pg;
      ack->offset = m.offset;
      ack->bytes = m.bytes;
      int primary = m.osd;
      After(done - now, [this, ack, primary]() { Send(primary, ack, 64); });
      return;
    }
    case Msg::Kind::kBackfillAck: {
      if (backfills_.empty()) return;
      Backfill& b = backfills_.front();
      if (b.pg != m.pg || b.target != m.osd || m.offset < b.acked) return;
      if (m.offset != b.acked) return;  // out of order after a loss: the watchdog resends from `acked`
      b.acked += m.bytes;
      b.inflight = b.inflight > 0 ? b.inflight - 1 : 0;
      b.last_progress = now;
      recovery_bytes_->Add(m.bytes);
      if (b.acked >= spec_.pg_bytes) {
        Emit("storage.backfill-done", nlohmann::json({{"pg", b.pg}, {"target", cfg_->osds[b.target].first}}).dump());
        backfills_.pop_front();
        PublishPgs();
      }
      PumpBackfill();
      return;
    }
    default: return;
  }
  (void)port;
}

void OsdDataPlane::OnClientOp(uint32_t from, uint16_t port, const Msg& m) {
  SimTime now = Clock::Now();
  std::vector<int> up = map_ ? ceph::UpSet(m.pg, *map_) : std::vector<int>();
  // Not the primary by this OSD's map, or the PG is below min_size: the op waits for a map that makes it
  // serviceable; here it is dropped and the client resends when its map changes.
  if (up.empty() || up[0] != self_ || up.size() < map_->pool.min_size) {
    blocked_->Add();
    return;
  }
  ++interval_ops_;
  ++in_flight_;
  if (!m.write) {
    SimTime done = disk_.Submit(now, m.bytes, false);
    uint64_t op = m.op;
    uint32_t bytes = m.bytes;
    After(done - now, [this, from, port, op, bytes, now]() {
      --in_flight_;
      Reply(from, port, op, bytes, now, false);
    });
    return;
  }
  uint64_t key = next_key_++;
  Write& w = writes_[key];
  w.client_addr = from;
  w.client_port = port;
  w.client_op = m.op;
  w.pg = m.pg;
  w.bytes = m.bytes;
  w.start = now;
  w.resent = now;
  std::set<int> backfilling;
  for (const auto& b : backfills_) {
    if (b.pg == m.pg) backfilling.insert(b.target);
  }
  for (size_t i = 1; i < up.size(); ++i) {
    if (backfilling.count(up[i])) continue;  // the new copy gets these objects with the backfill
    w.waiting.insert(up[i]);
    auto r = std::make_shared<Msg>();
    r->kind = Msg::Kind::kRepOp;
    r->op = key;
    r->pg = m.pg;
    r->bytes = m.bytes;
    Send(up[i], r, m.bytes + 128);
  }
  SimTime done = disk_.Submit(now, m.bytes, true);
  After(done - now, [this, key]() {
    auto it = writes_.find(key);
    if (it == writes_.end()) return;
    it->second.local_done = true;
    MaybeComplete(key);
  });
}

void OsdDataPlane::MaybeComplete(uint64_t key) {
  auto it = writes_.find(key);
  if (it == writes_.end() || !it->second.local_done || !it->second.waiting.empty()) return;
  Write w = it->second;
  writes_.erase(it);
  --in_flight_;
  Reply(w.client_addr, w.client_port, w.client_op, 64, w.start, true);
}

void OsdDataPlane::Reply(uint32_t addr, uint16_t port, uint64_t op, uint32_t bytes, SimTime start, bool write) {
  double lat = ToSeconds(Clock::Now() - start);
  if (write) { op_w_->Add(); w_lat_->Observe(lat); } else { op_r_->Add(); r_lat_->Observe(lat); }
  if (Clock::Now() - start > spec_.slow_op) { slow_->Add(); ++interval_slow_; }
  if (!sock_) return;
  auto r = std::make_shared<Msg>();
  r->kind = Msg::Kind::kOpReply;
  r->op = op;
  r->osd = self_;
  sock_->Send(addr, port, std::max<uint32_t>(bytes, 64), r);
}

void OsdDataPlane::PlanBackfill(const ceph::OsdMap* before, const ceph::OsdMap& after) {
  // Backfills this OSD no longer leads, or whose target left the set, stop.
  std::deque<Backfill> keep;
  for (const auto& b : backfills_) {
    auto up = ceph::UpSet(b.pg, after);
    if (!up.empty() && up[0] == self_ && std::find(up.begin(), up.end(), b.target) != up.end()) keep.push_back(b);
  }
  bool front_kept = !backfills_.empty() && !keep.empty() && keep.front().pg == backfills_.front().pg &&
                    keep.front().target == backfills_.front().target;
  backfills_ = std::move(keep);
  if (!front_kept && !backfills_.empty()) {
    backfills_.front().sent = backfills_.front().acked;
    backfills_.front().inflight = 0;
  }
  if (before) {
    for (uint32_t pg = 0; pg < after.pool.pg_num; ++pg) {
      auto up = ceph::UpSet(pg, after);
      if (up.empty() || up[0] != self_) continue;
      // The PG's copies were on the first `size` OSDs of the old ranking (down ones included: they keep their
      // data). A member of the new set that was not among them is a new copy: backfill it from the primary.
      auto ranked = ceph::CrushRanking(pg, *before);
      if (ranked.size() > before->pool.size) ranked.resize(before->pool.size);
      for (int t : up) {
        if (t == self_ || std::find(ranked.begin(), ranked.end(), t) != ranked.end()) continue;
        bool queued = false;
        for (const auto& b : backfills_) queued |= b.pg == pg && b.target == t;
        if (queued) continue;
        Backfill b;
        b.pg = pg;
        b.target = t;
        b.last_progress = Clock::Now();
        backfills_.push_back(b);
        Emit("storage.backfill-start", nlohmann::json({{"pg", pg}, {"target", cfg_->osds[t].first}}).dump());
      }
    }
  }
  PumpBackfill();
}

void OsdDataPlane::PumpBackfill() {
  if (backfills_.empty()) return;
  Backfill& b = backfills_.front();
  while (b.inflight < spec_.backfill_window && b.sent < spec_.pg_bytes) {
    uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(spec_.backfill_chunk, spec_.pg_bytes - b.sent));
    auto m = std::make_shared<Msg>();
    m->kind = Msg::Kind::kBackfill;
    m->pg = b.pg;
    m->offset = b.sent;
    m->bytes = n;
    m->last = b.sent + n >= spec_.pg_bytes;
    Send(b.target, m, n + 128);
    b.sent += n;
    ++b.inflight;
  }
  if (spec_.pg_bytes == 0) {
    backfills_.pop_front();
    PumpBackfill();
  }
}

void OsdDataPlane::BackfillWatchdog() {
  // A push or its ack lost on the wire stalls the window: resend from what the target acknowledged.
  SimTime now = Clock::Now();
  if (!backfills_.empty() && now - backfills_.front().last_progress >= 2 * kSec) {
    Backfill& b = backfills_.front();
    b.sent = b.acked;
    b.inflight = 0;
    b.last_progress = now;
    PumpBackfill();
  }
  // Replica writes unanswered for a second are sent again, as the messenger resends unacknowledged messages on a
  // lossless peer connection once it reconnects (a replica whose process restarted lost them).
  for (auto& [key, w] : writes_) {
    if (now - w.resent < 1 * kSec) continue;
    w.resent = now;
    for (int r : w.waiting) {
      auto m = std::make_shared<Msg>();
      m->kind = Msg::Kind::kRepOp;
      m->op = key;
      m->pg = w.pg;
      m->bytes = w.bytes;
      Send(r, m, w.bytes + 128);
    }
  }
  PublishPgs();
  After(1 * kSec, [this]() { BackfillWatchdog(); });
}

Health OsdDataPlane::MeasureHealth() {
  // Slow ops degrade it; ops stuck in it (waiting for a copy that never answers) too.
  double stuck = 0;
  SimTime now = Clock::Now();
  for (const auto& [k, w] : writes_) stuck += now - w.start > spec_.slow_op ? 1 : 0;
  Health h = HealthFromFailures(static_cast<double>(interval_slow_) + stuck,
                                static_cast<double>(interval_ops_) + stuck);
  interval_ops_ = interval_slow_ = 0;
  in_flight_gauge_->Set(static_cast<double>(in_flight_));
  return WithLifecycle(h);
}

}  // namespace planelab
