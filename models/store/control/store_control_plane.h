// The store member's control plane: a Raft node (the pure core) bound to simulated time, its peers over
// the network (port 2380), and a write-ahead log whose every append waits for an fsync on the member's disk.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "models/disk/disk_model.h"
#include "models/store/store_plane_messages.h"
#include "sim/core/plane_actor.h"
#include "sim/scenario/scenario.h"

namespace planelab {

class MetricsEndpoint;

class Network;
class MessageSocket;
class StoreSafetyProbe;
}  // namespace planelab
#include "models/store/control/raft/raft_node.h"
#include "models/cluster/cluster_section.h"
namespace planelab {

/// Drives one member's Raft node like etcd's raftNode loop: tick, step, and one Ready at a time
/// (persist to the WAL with fsync, send, apply, advance); a slow fsync therefore delays heartbeats.
class StoreControlPlane : public PlaneActor {
 public:
  StoreControlPlane(RunContext& ctx, const std::string& device, const ClusterSpec& spec, Network& net,
                    uint64_t member_id, std::map<uint64_t, uint32_t> peer_addrs, Port<StoreApply>& to_data);
  ~StoreControlPlane() override;
  void Start() override;
  Health MeasureHealth() override;
  void OnProposal(const StoreProposal& p);
  /// Fault hooks. A partition drops peer traffic both ways at this member (what it sends and what it gets).
  void SetDiskPressure(const DiskPressure* p);
  void SetPartitioned(const std::set<uint64_t>& cut_from);

 protected:
  /// A crash loses the socket and the Raft state in memory; the WAL survives and the restart replays it.
  void HandleCrash() override;
  void HandleRestart() override;

 private:
  void OnPeerMessage(std::shared_ptr<const void> msg);
  void Tick();
  void Pump();
  void Finish(std::shared_ptr<raft::Ready> rd);
  void Send(const raft::Message& m);
  void NewRaft(bool from_wal);

  const ClusterSpec& spec_;
  Network& net_;
  uint64_t id_;
  std::map<uint64_t, uint32_t> peers_;
  Port<StoreApply>& to_data_;
  StoreSafetyProbe& safety_;
  std::unique_ptr<raft::RaftNode> raft_;
  raft::PersistentState wal_;  // what the member's disk holds: survives a crash
  std::unique_ptr<MessageSocket> sock_;
  std::unique_ptr<MetricsEndpoint> metrics_endpoint_;  // etcd's /metrics (TCP 2381), while the station scrapes it
  DiskModel disk_;
  bool busy_ = false;
  std::set<uint64_t> cut_from_;
  uint64_t last_leader_ = 0;
  bool was_leader_ = false;
  bool had_leader_ = false;
  std::map<uint64_t, SimTime> last_heartbeat_to_;
  uint64_t applied_since_snapshot_ = 0;
  // What the member did in the current sampling interval, for its health.
  uint64_t interval_leader_changes_ = 0;
  bool interval_had_leader_ = true;
  Histogram* fsync_ = nullptr;
  Histogram* backend_commit_ = nullptr;
  Counter* proposals_committed_ = nullptr;
  Counter* proposals_failed_ = nullptr;
  Counter* leader_changes_ = nullptr;
  Counter* heartbeat_failures_ = nullptr;
  Counter* peer_messages_sent_ = nullptr;
  Gauge* has_leader_ = nullptr;
  Gauge* is_leader_ = nullptr;
  Gauge* term_ = nullptr;
  Gauge* commit_index_ = nullptr;
  Gauge* disk_util_ = nullptr;
};

}  // namespace planelab
