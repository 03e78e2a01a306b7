// An OSD (ceph-osd): its control plane keeps the map (subscribed from the monitors), boots into it, checks its
// peers with heartbeats (ceph::HeartbeatCore) and reports failures to the monitors; its data plane serves the
// placement groups it holds: client ops as primary (a write is acknowledged once every acting copy is on disk),
// replica writes, and backfill of a PG's new copy after a remap, as datagrams on the data network. The map
// reaches the data plane through a port; neither plane holds the other.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/disk/disk_model.h"
#include "models/storage/core/ceph_core.h"
#include "models/storage/storage_messages.h"
#include "models/storage/storage_netcfg.h"
#include "models/storage/storage_section.h"
#include "sim/core/plane_actor.h"

namespace planelab {

class Network;
class MessageSocket;

using OsdMapPtr = std::shared_ptr<const ceph::OsdMap>;

class OsdControlPlane : public PlaneActor {
 public:
  OsdControlPlane(RunContext& ctx, const std::string& device, Network& net, const StorageSpec& spec,
                  std::shared_ptr<const StorageNetcfg> cfg, Port<OsdMapPtr>& to_data);
  ~OsdControlPlane() override;
  void Start() override;
  Health MeasureHealth() override;

 protected:
  /// The daemon dies: its sockets and heartbeat state go; it boots again on restart.
  void HandleCrash() override;

 private:
  void Tick();
  void OnMessage(uint32_t from, uint16_t port, const storage::Msg& m);
  void ToMons(std::shared_ptr<storage::Msg> m, uint32_t bytes);

  Network& net_;
  const StorageSpec& spec_;
  std::shared_ptr<const StorageNetcfg> cfg_;
  Port<OsdMapPtr>& to_data_;
  int self_ = -1;
  ceph::HeartbeatCore hb_;
  OsdMapPtr map_;
  std::unique_ptr<MessageSocket> sock_;
  Gauge* epoch_;
  Gauge* up_in_map_;
  Gauge* peers_;
  Counter* reported_;
  Gauge* failed_now_;
};

class OsdDataPlane : public PlaneActor {
 public:
  OsdDataPlane(RunContext& ctx, const std::string& device, Network& net, const StorageSpec& spec,
               std::shared_ptr<const StorageNetcfg> cfg, uint64_t seed);
  ~OsdDataPlane() override;
  void Start() override;
  Health MeasureHealth() override;
  /// A new map from the control plane.
  void OnMap(const OsdMapPtr& map);
  /// Fault hook (osd-slow-disk): the disk's pressure (models/disk).
  void SetDiskPressure(const DiskPressure* p);

 protected:
  /// The process dies: ops in flight and backfill progress are lost; the disk and the PGs on it survive.
  void HandleCrash() override;

 private:
  struct Write {
    uint32_t client_addr = 0;
    uint16_t client_port = 0;
    uint64_t client_op = 0;
    uint32_t pg = 0;
    uint32_t bytes = 0;
    SimTime start = 0;
    SimTime resent = 0;
    bool local_done = false;
    std::set<int> waiting;
  };
  struct Backfill {
    uint32_t pg = 0;
    int target = -1;
    uint64_t sent = 0, acked = 0;
    uint32_t inflight = 0;
    SimTime last_progress = 0;
  };
  void OnMessage(uint32_t from, uint16_t port, const storage::Msg& m);
  void OnClientOp(uint32_t from, uint16_t port, const storage::Msg& m);
  void MaybeComplete(uint64_t key);
  void Reply(uint32_t addr, uint16_t port, uint64_t op, uint32_t bytes, SimTime start, bool write);
  void PlanBackfill(const ceph::OsdMap* before, const ceph::OsdMap& after);
  void PumpBackfill();
  void BackfillWatchdog();
  void Send(int osd, std::shared_ptr<storage::Msg> m, uint32_t bytes);
  void PublishPgs();

  Network& net_;
  const StorageSpec& spec_;
  std::shared_ptr<const StorageNetcfg> cfg_;
  int self_ = -1;
  DiskModel disk_;
  OsdMapPtr map_;
  std::unique_ptr<MessageSocket> sock_;
  std::map<uint64_t, Write> writes_;
  uint64_t next_key_ = 1;
  std::deque<Backfill> backfills_;  // front: the one running (osd_max_backfills 1)
  uint64_t interval_ops_ = 0, interval_slow_ = 0;
  uint64_t in_flight_ = 0;
  Counter* op_r_;
  Counter* op_w_;
  Histogram* r_lat_;
  Histogram* w_lat_;
  Gauge* in_flight_gauge_;
  Counter* slow_;
  Counter* blocked_;
  Counter* recovery_bytes_;
  Gauge* backfilling_;
  Gauge* primary_;
};

}  // namespace planelab
