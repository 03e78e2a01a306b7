// A storage client (ceph-client: a VM with an RBD volume). Its control plane mounts (gets the map from a monitor in
// quorum, MonClient's hunt), keeps its subscription and asks for volume creates; its data plane does I/O straight
// to the OSDs with the map it holds (librados' Objecter): object -> PG -> primary; ops resent when the map moves
// their PG, failed after op_timeout. The map reaches the data plane through a port.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "models/storage/core/ceph_core.h"
#include "models/storage/storage_messages.h"
#include "models/storage/storage_netcfg.h"
#include "models/storage/storage_section.h"
#include "sim/core/plane_actor.h"

namespace planelab {

class Network;
class MessageSocket;

using ClientMapPtr = std::shared_ptr<const ceph::OsdMap>;

class StorageClientControlPlane : public PlaneActor {
 public:
  StorageClientControlPlane(RunContext& ctx, const std::string& device, Network& net, const StorageSpec& spec,
                            std::shared_ptr<const StorageNetcfg> cfg, Port<ClientMapPtr>& to_data);
  ~StorageClientControlPlane() override;
  void Start() override;
  Health MeasureHealth() override;

 protected:
  void HandleCrash() override;

 private:
  void Mount();
  void Hunt(uint64_t attempt);
  void Create(const VolumeCreateSpec& v);
  void OnMessage(const storage::Msg& m);
  void ToMons(std::shared_ptr<storage::Msg> m, uint32_t bytes);

  Network& net_;
  const StorageSpec& spec_;
  std::shared_ptr<const StorageNetcfg> cfg_;
  Port<ClientMapPtr>& to_data_;
  const StorageClientSpec* mine_ = nullptr;
  std::unique_ptr<MessageSocket> sock_;
  ClientMapPtr map_;
  bool mounting_ = false;
  uint64_t attempt_ = 0;
  SimTime mount_started_ = 0;
  std::map<std::string, SimTime> creates_;  // asked, unanswered
  uint64_t interval_asked_ = 0, interval_failed_ = 0;
  Gauge* mounted_;
  Counter* mount_failures_;
  Counter* creates_ok_;
  Counter* creates_failed_;
  Gauge* epoch_;
};

class StorageClientDataPlane : public PlaneActor {
 public:
  StorageClientDataPlane(RunContext& ctx, const std::string& device, Network& net, const StorageSpec& spec,
                         std::shared_ptr<const StorageNetcfg> cfg);
  ~StorageClientDataPlane() override;
  void Start() override;
  Health MeasureHealth() override;
  void OnMap(const ClientMapPtr& map);

 protected:
  void HandleCrash() override;

 private:
  struct Op {
    uint32_t pg = 0;
    bool write = false;
    SimTime start = 0;
    int sent_to = -1;
  };
  void Issue();
  void SendOp(uint64_t id, Op& op);
  void Schedule();

  Network& net_;
  const StorageSpec& spec_;
  std::shared_ptr<const StorageNetcfg> cfg_;
  const StorageClientSpec* mine_ = nullptr;
  std::unique_ptr<MessageSocket> sock_;
  ClientMapPtr map_;
  bool generating_ = false;
  std::map<uint64_t, Op> ops_;
  uint64_t next_op_ = 1;
  uint64_t interval_done_ = 0, interval_failed_ = 0, interval_slow_ = 0;
  Counter* ops_done_;
  Counter* errors_;
  Histogram* r_lat_;
  Histogram* w_lat_;
  Gauge* error_ratio_;
  Gauge* pending_;
};

}  // namespace planelab
