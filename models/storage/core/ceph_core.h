// The Ceph-like storage cluster's pure cores: the OSD map and CRUSH-like placement of placement groups (PGs), the
// PG states it implies, the OSD-side heartbeat failure detector and the monitor-side failure handling (reporters,
// grace, down -> out). No ns-3, no clock: times come in, decisions come out; the actors bind them to the kernel.
//
// Defaults are Ceph's (docs.ceph.com, "Configuring Monitor/OSD Interaction" and "Pool, PG and CRUSH Config
// Reference"): osd_heartbeat_interval 6 s, osd_heartbeat_grace 20 s, mon_osd_min_down_reporters 2,
// mon_osd_down_out_interval 600 s, osd_pool_default_size 3, osd_pool_default_min_size 2 (size - size/2).
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/util/units.h"

namespace planelab::ceph {

/// A replicated pool: `size` copies of every PG, I/O allowed while at least `min_size` are up.
struct PoolConfig {
  uint32_t size = 3;      // osd_pool_default_size
  uint32_t min_size = 2;  // osd_pool_default_min_size (0 in the config means size - size/2 = 2)
  uint32_t pg_num = 32;   // osd_pool_default_pg_num is 32
};

/// The cluster map the monitors keep by quorum (the OSDMap, with the volumes standing in for RBD images).
struct OsdMap {
  uint64_t epoch = 1;
  PoolConfig pool;
  std::vector<bool> up, in;  // per OSD id 0..n-1
  std::set<std::string> volumes;

  static OsdMap Initial(int num_osds, const PoolConfig& pool);
  int num_osds() const { return static_cast<int>(up.size()); }
  int num_up() const;
  int num_in() const;
};

/// One change to the map, proposed by the leader monitor and applied by every monitor once committed.
struct MapChange {
  enum class Kind { kMarkDown, kMarkUp, kMarkOut, kMarkIn, kCreateVolume };
  Kind kind = Kind::kMarkDown;
  int osd = -1;
  std::string volume;
  bool operator==(const MapChange& o) const { return kind == o.kind && osd == o.osd && volume == o.volume; }
};
const char* ToString(MapChange::Kind k);

/// Applies a committed change: the epoch moves on when the map changes. Returns false if nothing changed (a
/// duplicate proposal, or a volume that exists: the create is refused).
bool Apply(OsdMap& map, const MapChange& c);

/// The PG an object belongs to: a stable hash of its name modulo pg_num (Ceph: rjenkins hash, ceph_stable_mod).
uint32_t PgOf(const std::string& object, uint32_t pg_num);

/// CRUSH-like placement with straw2's rule: every OSD that is "in" draws a pseudo-random straw for the PG (a hash of
/// PG and OSD; equal weights) and the longest straws win, in order. The ranking of the others is unchanged when an
/// OSD leaves, so marking one out moves only the PGs it held, and its replacement joins at the end of the set.
std::vector<int> CrushRanking(uint32_t pg, const OsdMap& map);
/// The up set: the first `size` OSDs of the ranking, less those that are down (a down but in OSD leaves a hole:
/// the PG is degraded, not remapped). Its first member is the primary.
std::vector<int> UpSet(uint32_t pg, const OsdMap& map);

/// What `ceph status` prints about PGs, computed from a map: every PG's up set against the pool's size.
struct PgSummary {
  uint32_t total = 0;
  uint32_t active = 0;      // at least min_size copies up: I/O proceeds
  uint32_t clean = 0;       // active with every copy
  uint32_t degraded = 0;    // active with fewer than size copies
  uint32_t inactive = 0;    // fewer than min_size copies up: I/O blocks
};
PgSummary Summarize(const OsdMap& map);

/// The OSD's heartbeat settings.
struct HeartbeatConfig {
  SimTime interval = 6 * kSec;  // osd_heartbeat_interval: peers are pinged at least this often
  SimTime grace = 20 * kSec;    // osd_heartbeat_grace: a peer unheard for this long is reported failed
};

/// One OSD's view of its heartbeat peers (Ceph: OSD::heartbeat_check): pings out every tick; a peer unheard for
/// longer than the grace is reported to the monitors, again every tick while the map still has it up; a reported peer
/// heard again is reported alive (MOSDFailure with the "alive" flag cancels the report).
class HeartbeatCore {
 public:
  HeartbeatCore(int self, HeartbeatConfig cfg) : self_(self), cfg_(cfg) {}
  /// The peers to check: every other OSD the map has up. A new peer counts as heard now.
  void SetPeers(const std::vector<int>& peers, SimTime now);
  /// A ping or its reply from `peer`.
  void Heard(int peer, SimTime now);
  struct Out {
    std::vector<int> ping;                        // peers to ping now
    std::vector<std::pair<int, SimTime>> failed;  // peer, last heard: report to the monitors
    std::vector<int> alive;                       // reported peers heard again: cancel the report
  };
  /// Called every interval.
  Out Tick(SimTime now);
  const HeartbeatConfig& config() const { return cfg_; }

 private:
  int self_;
  HeartbeatConfig cfg_;
  std::map<int, SimTime> last_heard_;
  std::set<int> reported_;
  std::set<int> alive_pending_;
};

/// The monitors' OSD failure settings.
struct MonOsdConfig {
  SimTime grace = 20 * kSec;                 // osd_heartbeat_grace, as the monitor checks it
  uint32_t min_down_reporters = 2;           // mon_osd_min_down_reporters
  SimTime down_out_interval = 600 * kSec;    // mon_osd_down_out_interval: down this long -> out, re-replication
  bool auto_mark_in = true;                  // mon_osd_auto_mark_auto_out_in: an OSD marked out by the timer is
                                             // marked in again when it boots
};

/// The leader monitor's OSD failure handling (Ceph: OSDMonitor::check_failure, tick's down-out check): failure
/// reports from distinct OSDs are gathered; an OSD is marked down once `min_down_reporters` distinct reporters
/// report it and it has been unheard for at least the grace; a down OSD is marked out once it has been down for
/// `down_out_interval`. A booting OSD is marked up (and in, if the timer had marked it out). Every decision is a
/// proposal: it takes effect only when the monitors commit it, so without quorum nothing changes.
class OsdFailureCore {
 public:
  explicit OsdFailureCore(MonOsdConfig cfg) : cfg_(cfg) {}
  void Report(int reporter, int target, SimTime last_heard, SimTime now);
  void Cancel(int reporter, int target);
  void Booted(int osd) { booted_.insert(osd); }
  /// The committed map: reports about OSDs already down are dropped, down times start when the down is committed.
  void MapApplied(const OsdMap& before, const OsdMap& after, SimTime now);
  /// The changes to propose now (each once until the map shows it or the leader changes).
  std::vector<MapChange> Tick(const OsdMap& map, SimTime now);
  /// A new leader starts proposing afresh (what the old one proposed may be lost).
  void ForgetProposals() { proposed_.clear(); }
  /// Reporters currently reporting `target`.
  size_t Reporters(int target) const;
  const MonOsdConfig& config() const { return cfg_; }

 private:
  MonOsdConfig cfg_;
  std::map<int, std::map<int, SimTime>> reports_;  // target -> reporter -> target last heard
  std::map<int, SimTime> down_since_;
  std::set<int> auto_out_;
  std::set<int> booted_;
  std::vector<MapChange> proposed_;
};

}  // namespace planelab::ceph
