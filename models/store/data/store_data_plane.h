// The store member's data plane: the key-value state machine (revisions, compare-and-swap, ranges) and its
// client service on port 2379: writes go to Raft through the control plane, watches stream applied changes.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/store/store_plane_messages.h"
#include "sim/core/plane_actor.h"
#include "sim/scenario/scenario.h"
#include "models/cluster/cluster_section.h"

namespace planelab {

class Network;
class MessageSocket;

/// Serves clients and applies committed commands; every member applies the same log, so all agree on revisions.
class StoreDataPlane : public PlaneActor {
 public:
  StoreDataPlane(RunContext& ctx, const std::string& device, const ClusterSpec& spec, Network& net,
                 uint64_t member_id, const std::vector<ObjectPtr>& bootstrap, Port<StoreProposal>& to_control);
  ~StoreDataPlane() override;
  void Start() override;
  Health MeasureHealth() override;
  void OnApply(const StoreApply& a);

 protected:
  /// A crash loses the socket, the watch streams and the requests awaiting their apply; the backend survives.
  void HandleCrash() override;

 private:
  struct Kv {
    ObjectPtr value;
    int64_t mod_revision = 0;
  };
  struct Watcher {
    uint32_t addr = 0;
    uint16_t port = 0;
    uint64_t watch_id = 0;
    std::string prefix;
    uint64_t seq = 0;
    std::vector<KvEvent> pending;
  };
  struct Pending {
    uint32_t addr = 0;
    uint16_t port = 0;
    SimTime at = 0;
    uint64_t client_id = 0;
  };
  void OnRequest(uint32_t addr, uint16_t port, const StoreRequest& r);
  StoreResponse Execute(const StoreRequest& r);
  void Reply(uint32_t addr, uint16_t port, StoreResponse resp);
  void FlushWatches();
  void Progress();

  const ClusterSpec& spec_;
  Network& net_;
  uint64_t id_;
  Port<StoreProposal>& to_control_;
  std::unique_ptr<MessageSocket> sock_;
  std::map<std::string, Kv> kv_;
  int64_t revision_ = 0;
  uint64_t applied_index_ = 0;  // the last Raft index applied to the backend (survives a crash)
  int64_t compacted_ = 0;  // the oldest revision a watch can still start from
  std::deque<std::pair<int64_t, KvEvent>> history_;
  std::map<std::pair<uint32_t, uint64_t>, Watcher> watchers_;
  std::map<uint64_t, Pending> pending_;
  uint64_t next_local_id_ = 1;
  bool flush_scheduled_ = false;
  bool has_leader_ = true;
  uint64_t interval_requests_ = 0, interval_failed_ = 0;
  Counter* requests_ = nullptr;
  Counter* failed_ = nullptr;
  Counter* applied_ = nullptr;
  Gauge* pending_gauge_ = nullptr;
  Gauge* revision_gauge_ = nullptr;
  Gauge* keys_ = nullptr;
  Gauge* watchers_gauge_ = nullptr;
  Histogram* latency_ = nullptr;
};

}  // namespace planelab
