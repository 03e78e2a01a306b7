// A storage monitor (ceph-mon): the control plane of the storage cluster. The monitors keep the OSD map by quorum
// on the project's Raft core (models/store/control/raft); the leader gathers OSD failure reports and boots
// (ceph::OsdFailureCore) and proposes map changes (down, up, out, in, volume creates); every monitor in quorum
// serves map subscriptions (mounts) and pushes new maps to its subscribers. Without quorum nothing is answered.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "models/storage/core/ceph_core.h"
#include "models/storage/storage_messages.h"
#include "models/storage/storage_netcfg.h"
#include "models/storage/storage_section.h"
#include "models/store/control/raft/raft_node.h"
#include "sim/core/plane_actor.h"

namespace planelab {

class Network;
class MessageSocket;

class StorageMonControlPlane : public PlaneActor {
 public:
  StorageMonControlPlane(RunContext& ctx, const std::string& device, Network& net, const StorageSpec& spec,
                         std::shared_ptr<const StorageNetcfg> cfg);
  ~StorageMonControlPlane() override;
  void Start() override;
  Health MeasureHealth() override;
  /// Fault hook (mon-quorum-loss): traffic with the other monitors is dropped both ways.
  void SetCutFromPeers(bool cut) { cut_ = cut; }

 protected:
  /// The daemon dies: subscriptions and the failure reports it gathered go; its store (the Raft log) survives.
  void HandleCrash() override;
  void HandleRestart() override;

 private:
  void NewRaft(bool from_log);
  void Tick();
  void Pump();
  void OnMessage(uint32_t from, uint16_t port, const storage::Msg& m);
  void Applied(const storage::MonCommand& c);
  void Propose(const storage::MonCommand& c);
  void SendMap(uint32_t addr, uint16_t port);
  void Publish();
  bool InQuorum() const { return raft_ && raft_->leader() != 0; }

  Network& net_;
  const StorageSpec& spec_;
  std::shared_ptr<const StorageNetcfg> cfg_;
  uint64_t member_ = 0;
  std::unique_ptr<raft::RaftNode> raft_;
  raft::PersistentState log_;
  ceph::OsdMap map_;
  ceph::OsdFailureCore failures_;
  std::unique_ptr<MessageSocket> sock_;
  std::set<std::pair<uint32_t, uint16_t>> subscribers_;
  uint64_t last_leader_ = 0;
  bool cut_ = false;
  uint64_t interval_unserved_ = 0;
  Gauge* quorum_;
  Gauge* is_leader_;
  Gauge* epoch_;
  Gauge* osd_up_;
  Gauge* osd_in_;
  Gauge* pg_active_;
  Gauge* pg_clean_;
  Gauge* pg_degraded_;
  Gauge* pg_inactive_;
  Counter* map_changes_;
  Counter* failure_reports_;
  Counter* unserved_;
  Gauge* volumes_;
};

}  // namespace planelab
