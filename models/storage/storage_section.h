// The storage family's scenario section ("storage"): a Ceph-like cluster of monitors (devices of kind "ceph-mon"),
// OSDs ("ceph-osd") and clients ("ceph-client") declared in the topology; the pool, the failure-detection timers
// with Ceph's defaults, the clients' volumes and I/O, and operators' volume creates. Parser and schema fragment
// (storage.schema.json beside this file).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/storage/core/ceph_core.h"
#include "sim/scenario/scenario_section.h"
#include "sim/util/units.h"

namespace planelab {

/// A client (a VM with an RBD volume): it mounts at `mount_at` (asks the monitors for the map) and then does I/O
/// straight to the OSDs.
struct StorageClientSpec {
  std::string client;  // a device of kind ceph-client
  std::string volume = "vol-1";
  SimTime mount_at = 0;
  double iops = 50;            // operations per second (Poisson arrivals)
  double read_share = 0.5;     // share of reads
  uint32_t io_bytes = 16384;   // bytes per operation
};

/// An operator's volume create, asked through a client at a time (rbd create: it needs the monitors' quorum).
struct VolumeCreateSpec {
  SimTime at = 0;
  std::string via;  // a ceph-client
  std::string volume;
};

struct StorageSpec {
  ceph::PoolConfig pool;  // size 3, min_size 2, pg_num 32 (Ceph's pool defaults)
  // OSD <-> OSD heartbeats and the monitors' failure handling (Ceph's defaults, ceph_core.h).
  ceph::HeartbeatConfig heartbeat;
  ceph::MonOsdConfig mon_osd;
  // The monitors' consensus on the project's Raft core. Ceph's monitors use Paxos with a 5 s lease and a 5 s
  // election timeout (mon_lease, mon_election_timeout); a 500 ms tick and 10 ticks give the same 5 s.
  SimTime mon_tick = 500 * kMs;
  uint32_t election_ticks = 10;
  // A client that gets no map within this time fails to mount (client_mount_timeout, 300 s).
  SimTime mount_timeout = 300 * kSec;
  // An op not answered within this time fails: the Linux block layer's default SCSI command timeout (30 s,
  // /sys/block/<dev>/device/timeout), after which the guest sees an I/O error.
  SimTime op_timeout = 30 * kSec;
  // An op in an OSD longer than this is a slow op and the OSD's data plane counts as degraded
  // (osd_op_complaint_time, 30 s).
  SimTime slow_op = 30 * kSec;
  // The data each PG holds, which backfill copies to a PG's new OSD (a scenario's choice: 64 MiB).
  uint64_t pg_bytes = 64ULL << 20;
  // Backfill pushes chunks of this size (bounded by a datagram), at most `backfill_window` unacknowledged, one PG
  // at a time per OSD (osd_max_backfills 1).
  uint32_t backfill_chunk = 16000;
  uint32_t backfill_window = 4;
  std::vector<StorageClientSpec> clients;
  std::vector<VolumeCreateSpec> volume_creates;
};

/// The "storage" section.
ScenarioSection StorageSection();

}  // namespace planelab
