// Messages between the planes of one store member: client commands go down to Raft, committed ones come back.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "models/proto/cluster_api.h"

namespace planelab {

/// A client's write as it travels through the Raft log (the entry's payload).
struct StoreCommand {
  uint64_t origin_member = 0;  // the member whose client asked; it answers once the entry applies
  uint64_t request_id = 0;
  StoreRequest request;
};
using StoreCommandPtr = std::shared_ptr<const StoreCommand>;

/// data -> control: propose this command to the cluster.
struct StoreProposal {
  StoreCommandPtr command;
  uint32_t bytes = 0;
};

/// control -> data: committed entries to apply, in log order, or a proposal Raft dropped (no leader),
/// or a snapshot to restore, and who leads now.
struct StoreApply {
  struct Item {
    uint64_t index = 0, term = 0;
    StoreCommandPtr command;  // null for Raft's own empty entries
  };
  std::vector<Item> items;
  std::vector<uint64_t> dropped;  // request ids of proposals Raft refused
  bool has_leader = false;
};

}  // namespace planelab
