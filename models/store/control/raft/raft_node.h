// A pure Raft consensus core in the style of etcd's raft library (go.etcd.io/raft, raft.go): ticks, peer messages
// and proposals go in; Ready batches come out (hard state and entries to persist, entries to apply, messages to
// send). No I/O, no clock, no threads: the host owns the disk, the network and the tick, so the same core can be
// driven by the simulator's disk and network models or by a unit test.
//
// References: Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm" (USENIX ATC 2014), cited
// as §5.x; Ongaro's thesis "Consensus: Bridging Theory and Practice" (2014), cited as "thesis §x"; etcd's raft
// package (raft.go, log.go, tracker/progress.go, tracker/inflights.go), cited as "etcd".
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace planelab::raft {

/// A member's role; kPreCandidate is the PreVote phase that does not bump the term (thesis §9.6).
enum class Role { kFollower, kPreCandidate, kCandidate, kLeader };
const char* ToString(Role r);

/// A log entry; the payload is opaque to Raft (the store's command), shared, never inspected.
struct Entry {
  uint64_t term = 0;
  uint64_t index = 0;
  uint32_t bytes = 0;                   // wire/disk size of the payload, for the host's disk and network models
  std::shared_ptr<const void> payload;  // may be null (e.g. the empty entry a new leader appends, §5.4.2 / §8)
};

/// Message kinds, named after etcd's MsgPreVote, MsgVote, MsgApp, MsgHeartbeat, MsgProp and MsgSnap.
enum class MsgType {
  kPreVote, kPreVoteResp, kVote, kVoteResp, kApp, kAppResp, kHeartbeat, kHeartbeatResp, kProp, kSnap
};
const char* ToString(MsgType t);

/// One message between members; `to`/`from` are member ids (1..N).
struct Message {
  MsgType type = MsgType::kApp;
  uint64_t from = 0, to = 0;
  uint64_t term = 0;                 // 0 only for kProp, which etcd treats as a local message whatever its origin
  uint64_t log_term = 0, index = 0;  // Vote: last log term/index; App: prev log term/index; AppResp: see below
  std::vector<Entry> entries;        // App, Prop
  uint64_t commit = 0;               // App: leader's commit; Heartbeat: min(commit, follower's match) (etcd)
  // AppResp: `index` is the follower's last matching index, or on reject the rejected prev index; with reject,
  // `reject_hint` is the follower's best guess of the last index that may match and `log_term` its term there
  // (etcd 3.5's findConflictByTerm), so the leader can skip a whole term per round trip instead of one entry.
  bool reject = false;
  uint64_t reject_hint = 0;
  // Snap: the snapshot's metadata and opaque data; `snap_bytes` is its size for the network model.
  uint64_t snap_index = 0, snap_term = 0;
  std::shared_ptr<const void> snap_data;
  uint64_t snap_bytes = 0;

  /// Approximate size on the wire: a fixed header (~40 B) plus the entries' and the snapshot's bytes.
  uint32_t WireBytes() const;
};

/// Defaults are etcd's: --heartbeat-interval 100ms and --election-timeout 1000ms with the host ticking every
/// heartbeat interval give heartbeat_tick 1 and election_tick 10; etcd's server sets CheckQuorum and PreVote (3.5+).
struct Config {
  uint64_t id = 0;
  std::vector<uint64_t> peers;  // all member ids including id
  int election_tick = 10;
  int heartbeat_tick = 1;
  bool check_quorum = true;
  bool pre_vote = true;
  size_t max_entries_per_msg = 64;  // stands in for etcd's MaxSizePerMsg (1 MiB)
  size_t max_inflight = 512;        // etcd's maxInflightMsgs = 4096/8
  uint64_t seed = 1;                // for the randomized election timeout [election_tick, 2*election_tick) (§5.2)

  /// What is wrong with this configuration, one sentence per problem; empty when it is valid. The rules are etcd's
  /// Config.validate() (raft.go) as they apply here: a non-zero id that is one of `peers`, heartbeat_tick > 0,
  /// election_tick > heartbeat_tick, max_inflight > 0; and PlaneLab's own: `peers` non-empty, without 0 or
  /// duplicates (etcd takes them from a ConfState), max_entries_per_msg > 0 (etcd's MaxSizePerMsg counts bytes,
  /// where 0 still lets one entry through; here the limit counts entries, so 0 would stall replication).
  std::vector<std::string> Validate() const;
};

/// What must be persisted (hard state + entries) before `messages` from a follower are sent, plus what to apply.
///
/// Host contract (etcd's Ready): persist the snapshot (if any, replacing the whole log), then the hard state and
/// `entries` (an entry whose index is already in the WAL replaces it and everything after it), then send
/// `messages`, apply `committed` in order, and call Advance(). Whatever happens between GetReady() and Advance()
/// (the host is busy with the disk) waits in the node for the next Ready; nothing is handed out twice.
struct Ready {
  bool hard_state_changed = false;
  uint64_t term = 0, vote = 0, commit = 0;  // the hard state (always filled in)
  std::vector<Entry> entries;               // to append to the WAL (fsync) before the messages go out
  std::vector<Entry> committed;             // to apply to the state machine, in order, after persisting
  std::vector<Message> messages;
  bool has_snapshot = false;  // to restore: the state machine becomes snap_data, applied becomes snap_index
  uint64_t snap_index = 0, snap_term = 0;
  std::shared_ptr<const void> snap_data;
  uint64_t snap_bytes = 0;
  bool soft_state_changed = false;  // role or leader changed since the last Ready (always filled in)
  Role role = Role::kFollower;
  uint64_t leader = 0;
};

/// What a host reloads from its disk after a crash (etcd's raft.Storage: HardState, snapshot and WAL entries).
struct PersistentState {
  uint64_t term = 0, vote = 0, commit = 0;
  uint64_t snap_index = 0, snap_term = 0;
  std::shared_ptr<const void> snap_data;
  uint64_t snap_bytes = 0;
  std::vector<Entry> entries;  // contiguous, starting at snap_index + 1

  /// Writes what `rd` asks to persist, as etcd's WAL and storage do: the hard state, a snapshot replacing the log,
  /// and new entries that overwrite the log from their first index on after a conflict (Raft §5.3).
  void Persist(const Ready& rd);
};

/// The leader's view of one member's replication (etcd's tracker.Progress, as printed by its Status()).
struct ProgressStatus {
  uint64_t id = 0;
  uint64_t match = 0, next = 0;
  const char* state = "";     // "StateProbe", "StateReplicate" or "StateSnapshot", as etcd names them
  bool paused = false;        // no append is sent to it now (probe in flight, window full, or snapshot pending)
  bool recent_active = false;  // heard from since the last CheckQuorum
  uint64_t pending_snapshot = 0;
  size_t inflight = 0;        // appends not yet acknowledged (StateReplicate)
  bool inflight_full = false;
};

/// One Raft member: leader election with PreVote and CheckQuorum, log replication with flow control, snapshots.
class RaftNode {
 public:
  /// Throws std::invalid_argument listing cfg.Validate()'s problems when the configuration is not valid (etcd's
  /// newRaft panics likewise); nothing is clamped or filled in silently.
  explicit RaftNode(const Config& cfg);
  /// Restarts a member from what its host persisted; the host restores its state machine from the snapshot and
  /// re-applies the committed entries after it, which the first Ready hands out again (etcd's Config.Applied).
  RaftNode(const Config& cfg, const PersistentState& disk);

  void Tick();                  // one logical clock tick (the host calls it every heartbeat interval)
  void Step(const Message& m);  // a message from a peer
  /// Appends a command if leader; forwards it to the leader (kProp) if follower with a known leader
  /// (etcd does this); returns false (etcd's ErrProposalDropped) when there is no leader.
  bool Propose(uint32_t bytes, std::shared_ptr<const void> payload);
  /// Starts an election now, as if the election timeout had elapsed (etcd's Node.Campaign); a leader ignores it.
  void Campaign();
  bool HasReady() const;
  Ready GetReady();  // takes everything produced since the last GetReady
  void Advance();    // host has persisted and applied the last Ready
  /// Drops log entries up to and including `index` (must be <= applied), keeping `data` as the snapshot the leader
  /// sends (kSnap) to a follower that needs compacted entries. etcd snapshots every --snapshot-count 100000 entries.
  /// Ignored when `index` is not in (first_index() - 1, applied()]. `bytes` is the snapshot's size on the wire.
  void Compact(uint64_t index, std::shared_ptr<const void> data, uint64_t bytes = 0);
  /// The host's word on a kSnap it sent (etcd's ReportSnapshot): on failure the leader probes again and resends.
  /// Without a report, a snapshot not acknowledged within election_tick ticks counts as lost.
  void ReportSnapshot(uint64_t to, bool ok);

  Role role() const { return role_; }
  uint64_t id() const { return id_; }
  uint64_t term() const { return term_; }
  uint64_t vote() const { return vote_; }
  uint64_t leader() const { return lead_; }
  uint64_t commit() const { return commit_; }
  uint64_t applied() const { return applied_; }
  uint64_t last_index() const { return snap_index_ + log_.size(); }
  uint64_t last_term() const;
  uint64_t first_index() const { return snap_index_ + 1; }  // first index still in the log (after compaction)
  size_t log_size() const { return log_.size(); }
  uint64_t leader_changes() const { return leader_changes_; }  // times `leader` changed to a new non-zero value
  /// The entry at `index`, or null if it was compacted away or is beyond last_index().
  const Entry* entry(uint64_t index) const;
  /// The term of the entry at `index` (the snapshot's term at first_index() - 1), or 0 if unknown.
  uint64_t TermAt(uint64_t index) const;
  /// A leader's replication state for every member, itself included, in id order; empty on a non-leader.
  std::vector<ProgressStatus> progress() const;
  const Config& config() const { return cfg_; }

  /// For tests only: the election timeout drawn at the last role change becomes `ticks` until the next one
  /// (etcd's raft exports SetRandomizedElectionTimeout to its interaction tests for the same purpose).
  void SetRandomizedElectionTimeout(int ticks) { randomized_election_timeout_ = ticks; }

 private:
  // etcd tracker/progress.go: how the leader replicates to one follower.
  enum class PrState { kProbe, kReplicate, kSnapshot };
  struct Progress {
    uint64_t match = 0, next = 1;
    PrState state = PrState::kProbe;
    bool probe_sent = false;        // kProbe: one append in flight, wait for its answer or a heartbeat response
    uint64_t pending_snapshot = 0;  // kSnapshot: the index of the snapshot sent
    int snapshot_elapsed = 0;       // kSnapshot: ticks since it was sent
    bool recent_active = false;     // heard from since the last CheckQuorum
    std::deque<uint64_t> inflight;  // kReplicate: last index of each unacknowledged append (etcd inflights.go)
  };
  enum class VoteResult { kPending, kWon, kLost };

  void Init();
  bool IsPeer(uint64_t id) const;
  size_t Quorum() const { return peers_.size() / 2 + 1; }
  bool Term(uint64_t index, uint64_t* term) const;
  bool IsUpToDate(uint64_t index, uint64_t term) const;
  uint64_t FindConflictByTerm(uint64_t index, uint64_t term) const;
  void AppendToLog(const std::vector<Entry>& ents);
  void CommitTo(uint64_t index);
  void SetLead(uint64_t lead);
  void ResetRandomizedElectionTimeout();

  void Reset(uint64_t term);
  void BecomeFollower(uint64_t term, uint64_t lead);
  void BecomePreCandidate();
  void BecomeCandidate();
  void BecomeLeader();
  void Hup();
  void DoCampaign(bool pre);
  VoteResult Poll(uint64_t from, bool granted);

  void TickElection();
  void TickHeartbeat();
  bool QuorumActive() const;

  void Send(Message m);
  void HandleVoteRequest(const Message& m);
  void StepLeader(const Message& m);
  void StepCandidate(const Message& m);
  void StepFollower(const Message& m);
  void HandleAppendEntries(const Message& m);
  void HandleHeartbeat(const Message& m);
  void HandleSnapshot(const Message& m);
  void HandleAppResp(const Message& m, Progress& pr);
  void HandleHeartbeatResp(const Message& m, Progress& pr);

  void AppendEntries(std::vector<Entry> ents);
  bool MaybeCommit();
  void BcastAppend();
  void BcastHeartbeat();
  void SendAppend(uint64_t to) { MaybeSendAppend(to, true); }
  bool MaybeSendAppend(uint64_t to, bool send_if_empty);

  bool IsPaused(const Progress& pr) const;
  static bool MaybeUpdate(Progress& pr, uint64_t n);
  static bool MaybeDecrTo(Progress& pr, uint64_t rejected, uint64_t match_hint);
  static void ResetState(Progress& pr, PrState s);
  static void BecomeProbe(Progress& pr);
  static void BecomeReplicate(Progress& pr);
  static void BecomeSnapshot(Progress& pr, uint64_t snap_index);

  Config cfg_;
  uint64_t id_ = 0;
  std::vector<uint64_t> peers_;  // sorted, includes id_
  std::mt19937_64 rng_;

  // Persistent state (§5, Figure 2) and the log: log_[i] holds index snap_index_ + 1 + i.
  uint64_t term_ = 0, vote_ = 0;
  std::deque<Entry> log_;
  uint64_t snap_index_ = 0, snap_term_ = 0;
  std::shared_ptr<const void> snap_data_;
  uint64_t snap_bytes_ = 0;

  // Volatile state.
  Role role_ = Role::kFollower;
  uint64_t lead_ = 0;
  uint64_t commit_ = 0, applied_ = 0;
  int election_elapsed_ = 0, heartbeat_elapsed_ = 0, randomized_election_timeout_ = 0;
  std::map<uint64_t, bool> votes_;
  std::map<uint64_t, Progress> prs_;  // leader only; ordered so that output order is deterministic
  uint64_t leader_changes_ = 0;

  // What the host has been handed (etcd's unstable log and applying index).
  uint64_t unstable_ = 1;  // first index not yet handed out for persisting
  uint64_t applying_ = 0;  // last index handed out for applying
  bool snapshot_pending_ = false;
  std::vector<Message> msgs_;
  uint64_t prev_term_ = 0, prev_vote_ = 0, prev_commit_ = 0;
  Role prev_role_ = Role::kFollower;
  uint64_t prev_lead_ = 0;
};

}  // namespace planelab::raft
