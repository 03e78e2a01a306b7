// What the storage cluster's daemons say to one another over the network (Ceph's messenger), one struct for every
// message kind: monitors among themselves (Raft), OSDs and clients to the monitors (boot, failure reports, map
// subscriptions, volume creates), monitors to subscribers (maps), OSD to OSD (heartbeats, replication, backfill)
// and clients to OSDs (ops). Messages travel as real UDP datagrams of their size (sim/core/message_socket.h).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "models/storage/core/ceph_core.h"
#include "models/store/control/raft/raft_node.h"

namespace planelab::storage {

// Ceph's ports: the monitors' msgr v1 port 6789; OSDs bind from 6800 (public, cluster, heartbeat).
constexpr uint16_t kMonPort = 6789;
constexpr uint16_t kOsdDataPort = 6800;
constexpr uint16_t kOsdHeartbeatPort = 6802;
constexpr uint16_t kClientControlPort = 6900;
constexpr uint16_t kClientDataPort = 6901;

struct Msg {
  enum class Kind {
    kRaft,            // mon <-> mon
    kOsdBoot,         // osd -> mon (MOSDBoot)
    kFailure,         // osd -> mon (MOSDFailure): target unheard since `last_heard`
    kFailureCancel,   // osd -> mon (MOSDFailure, alive flag)
    kSubscribe,       // osd/client -> mon (MMonSubscribe osdmap): answered with kMap when the mon is in quorum
    kMap,             // mon -> subscriber (MOSDMap)
    kVolumeCreate,    // client -> mon (the pool/image create command)
    kVolumeCreated,   // mon -> client: committed (or refused: it exists)
    kPing,            // osd -> osd (MOSDPing)
    kPingReply,
    kOp,              // client -> primary OSD (MOSDOp)
    kOpReply,         // primary -> client (MOSDOpReply)
    kRepOp,           // primary -> replica (MOSDRepOp)
    kRepOpReply,
    kBackfill,        // primary -> backfill target (MOSDPGPush): one chunk of a PG
    kBackfillAck,
  };
  Kind kind = Kind::kPing;
  uint64_t mon = 0;     // sending monitor (Raft member id)
  int osd = -1;         // sending OSD
  int target = -1;      // kFailure*: the OSD reported
  SimTime last_heard = 0;
  raft::Message raft;
  std::shared_ptr<const ceph::OsdMap> map;
  std::string volume;
  bool ok = false;
  uint32_t reply_addr = 0;
  uint16_t reply_port = 0;
  // Ops.
  uint64_t op = 0;
  uint32_t pg = 0;
  bool write = false;
  uint32_t bytes = 0;
  uint64_t epoch = 0;
  SimTime sent = 0;
  uint64_t offset = 0;  // kBackfill: bytes of the PG pushed before this chunk
  bool last = false;    // kBackfill: the PG's last chunk
};

/// The monitors' committed map change (the Raft entry's payload).
struct MonCommand {
  ceph::MapChange change;
  uint32_t reply_addr = 0;  // kCreateVolume: who asked
  uint16_t reply_port = 0;
};

}  // namespace planelab::storage
