// The Raft core alone: elections with PreVote and CheckQuorum, replication, the §5.4.2 commit rule (Figure 8),
// snapshots and a randomized safety check, over an in-test network that drops, delays, reorders and partitions
// messages and crashes members. No kernel.
#include "models/store/control/raft/raft_node.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace planelab::raft {

namespace {

std::shared_ptr<const void> Cmd(int v) { return std::make_shared<const int>(v); }
int CmdOf(const Entry& e) { return e.payload ? *static_cast<const int*>(e.payload.get()) : 0; }  // 0: no-op

/// One applied entry as the test's state machine records it.
struct Applied {
  uint64_t term = 0;
  int cmd = 0;
  bool operator==(const Applied& o) const { return term == o.term && cmd == o.cmd; }
  bool operator!=(const Applied& o) const { return !(*this == o); }
};
/// The state machine is the applied log itself: position i holds index i + 1; a snapshot is a copy of a prefix.
using StateMachine = std::vector<Applied>;

/// N members, their disks and state machines, and a network between them; checks Election Safety and State
/// Machine Safety on every step (Raft Figure 3) and reports violations as test failures.
class Cluster {
 public:
  explicit Cluster(int n, Config base = Config{}, uint64_t seed = 1) : rng_(seed * 7919 + 17) {
    for (int i = 1; i <= n; ++i) ids_.push_back(static_cast<uint64_t>(i));
    for (uint64_t id : ids_) {
      Config c = base;
      c.id = id;
      c.peers = ids_;
      c.seed = seed;
      cfg_[id] = c;
      nodes_[id] = std::make_unique<RaftNode>(c);
      disk_[id] = PersistentState{};
      sm_[id] = StateMachine{};
    }
  }

  RaftNode& operator[](uint64_t id) { return *nodes_.at(id); }
  const std::vector<uint64_t>& ids() const { return ids_; }
  const StateMachine& sm(uint64_t id) const { return sm_.at(id); }
  size_t queued() const { return queue_.size(); }

  // --- The network. A cut drops messages in both directions; a paused member neither ticks nor receives.
  void Cut(uint64_t a, uint64_t b) {
    cut_.insert({a, b});
    cut_.insert({b, a});
  }
  void Isolate(uint64_t id) {
    for (uint64_t o : ids_) {
      if (o != id) Cut(id, o);
    }
  }
  void Partition(const std::set<uint64_t>& side) {
    cut_.clear();
    for (uint64_t a : ids_) {
      for (uint64_t b : ids_) {
        if (side.count(a) != side.count(b)) cut_.insert({a, b});
      }
    }
  }
  void Heal() { cut_.clear(); }
  bool IsCut(uint64_t a, uint64_t b) const { return cut_.count({a, b}) > 0; }
  void Pause(uint64_t id) { paused_.insert(id); }
  void Resume(uint64_t id) { paused_.erase(id); }
  bool Paused(uint64_t id) const { return paused_.count(id) > 0; }
  size_t paused_count() const { return paused_.size(); }
  /// A crash and reboot: everything not on the member's disk is lost; the state machine is rebuilt from the
  /// snapshot and the committed entries after it are applied again.
  void Restart(uint64_t id) {
    nodes_[id] = std::make_unique<RaftNode>(cfg_[id], disk_[id]);
    const PersistentState& d = disk_[id];
    sm_[id] = d.snap_data ? *std::static_pointer_cast<const StateMachine>(d.snap_data) : StateMachine{};
    paused_.erase(id);
    Collect(id);
  }

  std::function<bool(const Message&)> drop_if;   // extra drop rule, checked at delivery
  std::function<void(const Message&)> on_send;    // sees every message a member emits
  double drop_rate = 0;                           // random loss at delivery
  std::map<MsgType, int> sent;                    // messages emitted, by type

  // --- Driving the members.
  void Tick(uint64_t id) {
    if (Paused(id)) return;
    nodes_[id]->Tick();
    Collect(id);
  }
  /// Ticks every running member `times` times, delivering everything after each round unless told not to.
  void TickAll(int times = 1, bool deliver = true) {
    for (int t = 0; t < times; ++t) {
      for (uint64_t id : ids_) Tick(id);
      if (deliver) Deliver();
    }
  }
  bool Propose(uint64_t id, int cmd) {
    if (Paused(id)) return false;
    bool ok = nodes_[id]->Propose(8, Cmd(cmd));
    Collect(id);
    return ok;
  }
  void Campaign(uint64_t id) {
    nodes_[id]->Campaign();
    Collect(id);
  }
  /// Snapshots a member's state machine at `index` and compacts its log and its disk.
  void Compact(uint64_t id, uint64_t index) {
    RaftNode& n = *nodes_[id];
    if (index > n.applied() || index < n.first_index()) return;
    auto data = std::make_shared<const StateMachine>(sm_[id].begin(), sm_[id].begin() + index);
    uint64_t term = n.TermAt(index);
    n.Compact(index, data, 64 * index);
    PersistentState& d = disk_[id];
    d.snap_index = index;
    d.snap_term = term;
    d.snap_data = data;
    d.snap_bytes = 64 * index;
    auto covered = [&](const Entry& e) { return e.index <= index; };
    d.entries.erase(std::remove_if(d.entries.begin(), d.entries.end(), covered), d.entries.end());
  }

  /// Delivers queued messages in order (immediately, as on an idle LAN) until none is left.
  void Deliver() {
    size_t n = 0;
    while (!queue_.empty()) {
      Message m = std::move(queue_.front());
      queue_.pop_front();
      DeliverMsg(m);
      if (++n > 200000) {
        ADD_FAILURE() << "message storm";
        queue_.clear();
      }
    }
  }
  /// Delivers the queued message at `pos` (so that a random choice reorders the network).
  void DeliverAt(size_t pos) {
    Message m = std::move(queue_[pos]);
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(pos));
    DeliverMsg(m);
  }
  void DropOldest(size_t keep) {
    while (queue_.size() > keep) queue_.pop_front();
  }

  /// The running leader with the highest term, or 0.
  uint64_t Leader() const {
    uint64_t best = 0;
    for (uint64_t id : ids_) {
      const RaftNode& n = *nodes_.at(id);
      if (Paused(id) || n.role() != Role::kLeader) continue;
      if (best == 0 || n.term() > nodes_.at(best)->term()) best = id;
    }
    return best;
  }
  /// True when a leader exists and every running member reachable from it follows it in its term.
  bool Settled() const {
    uint64_t l = Leader();
    if (l == 0) return false;
    for (uint64_t id : ids_) {
      if (Paused(id) || IsCut(l, id)) continue;
      const RaftNode& n = *nodes_.at(id);
      if (n.leader() != l || n.term() != nodes_.at(l)->term()) return false;
    }
    return true;
  }
  /// Ticks until Settled(), at most `max_ticks`; returns the leader (0 on timeout) and the ticks it took.
  uint64_t WaitForLeader(int max_ticks = 200, int* took = nullptr) {
    for (int t = 0; t <= max_ticks; ++t) {
      if (Settled()) {
        if (took) *took = t;
        return Leader();
      }
      TickAll();
    }
    return 0;
  }
  /// Whether any member ever applied a command.
  bool AnyApplied(int cmd) const {
    for (const auto& [index, a] : applied_any_) {
      if (a.cmd == cmd) return true;
    }
    return false;
  }
  const std::map<uint64_t, Applied>& applied_any() const { return applied_any_; }

 private:
  void DeliverMsg(const Message& m) {
    if (Paused(m.to) || IsCut(m.from, m.to)) return;
    if (drop_if && drop_if(m)) return;
    if (drop_rate > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < drop_rate) return;
    nodes_[m.to]->Step(m);
    Collect(m.to);
  }

  /// The host loop of one member: persist, send, apply, advance (etcd's Ready contract).
  void Collect(uint64_t id) {
    RaftNode& n = *nodes_[id];
    CheckLeader(id, n.role(), n.term());
    while (n.HasReady()) {
      Ready rd = n.GetReady();
      CheckLeader(id, rd.role, rd.term);
      PersistentState& d = disk_[id];
      if (rd.has_snapshot) {
        d.snap_index = rd.snap_index;
        d.snap_term = rd.snap_term;
        d.snap_data = rd.snap_data;
        d.snap_bytes = rd.snap_bytes;
        d.entries.clear();
        StateMachine restored = *std::static_pointer_cast<const StateMachine>(rd.snap_data);
        EXPECT_EQ(restored.size(), rd.snap_index);
        for (size_t i = 0; i < restored.size(); ++i) Record(id, i + 1, restored[i]);
        sm_[id] = std::move(restored);
      }
      d.term = rd.term;
      d.vote = rd.vote;
      d.commit = rd.commit;
      if (!rd.entries.empty()) {
        uint64_t first = rd.entries.front().index;
        while (!d.entries.empty() && d.entries.back().index >= first) d.entries.pop_back();
        if (!d.entries.empty()) {
          EXPECT_EQ(d.entries.back().index + 1, first) << "gap in the WAL of " << id;
        }
        d.entries.insert(d.entries.end(), rd.entries.begin(), rd.entries.end());
      }
      for (Message& m : rd.messages) {
        EXPECT_EQ(m.from, id);
        ++sent[m.type];
        if (on_send) on_send(m);
        queue_.push_back(std::move(m));
      }
      for (const Entry& e : rd.committed) {
        EXPECT_LE(e.index, rd.commit) << "applying beyond the commit index";
        StateMachine& sm = sm_[id];
        if (e.index != sm.size() + 1) {
          ADD_FAILURE() << "member " << id << " applies index " << e.index << " after " << sm.size();
          continue;
        }
        Applied a{e.term, CmdOf(e)};
        sm.push_back(a);
        Record(id, e.index, a);
      }
      n.Advance();
      EXPECT_EQ(n.applied(), sm_[id].size());
    }
  }
  // Election Safety: at most one leader can be elected in a given term (§5.2, Figure 3).
  void CheckLeader(uint64_t id, Role role, uint64_t term) {
    if (role != Role::kLeader) return;
    auto [it, fresh] = leader_of_term_.emplace(term, id);
    if (!fresh && it->second != id) {
      ADD_FAILURE() << "two leaders in term " << term << ": " << it->second << " and " << id;
    }
  }
  // State Machine Safety: no two members apply different entries at the same index (§5.4.3, Figure 3).
  void Record(uint64_t id, uint64_t index, const Applied& a) {
    auto [it, fresh] = applied_any_.emplace(index, a);
    if (!fresh && it->second != a) {
      ADD_FAILURE() << "member " << id << " applied (term " << a.term << ", cmd " << a.cmd << ") at index " << index
                    << " where another applied (term " << it->second.term << ", cmd " << it->second.cmd << ")";
    }
  }

  std::vector<uint64_t> ids_;
  std::map<uint64_t, Config> cfg_;
  std::map<uint64_t, std::unique_ptr<RaftNode>> nodes_;
  std::map<uint64_t, PersistentState> disk_;
  std::map<uint64_t, StateMachine> sm_;
  std::deque<Message> queue_;
  std::set<std::pair<uint64_t, uint64_t>> cut_;
  std::set<uint64_t> paused_;
  std::map<uint64_t, uint64_t> leader_of_term_;
  std::map<uint64_t, Applied> applied_any_;
  std::mt19937_64 rng_;
};

std::vector<int> Cmds(const StateMachine& sm) {
  std::vector<int> out;
  for (const Applied& a : sm) {
    if (a.cmd != 0) out.push_back(a.cmd);
  }
  return out;
}

uint64_t OtherThan(const Cluster& c, std::set<uint64_t> not_these) {
  for (uint64_t id : c.ids()) {
    if (!not_these.count(id)) return id;
  }
  return 0;
}

/// Every member's log holds the same terms at the same indices as `ref`'s, where both still have them.
void ExpectSameLogs(Cluster& c, uint64_t ref) {
  for (uint64_t id : c.ids()) {
    EXPECT_EQ(c[id].last_index(), c[ref].last_index()) << "member " << id;
    uint64_t from = std::max(c[id].first_index(), c[ref].first_index());
    for (uint64_t i = from; i <= std::min(c[id].last_index(), c[ref].last_index()); ++i) {
      ASSERT_EQ(c[id].TermAt(i), c[ref].TermAt(i)) << "member " << id << " index " << i;
    }
  }
}

// ------------------------------------------------------------------------------------------------------------
// 1. Leader election (§5.2)

TEST(RaftNodeTest, ElectsOneLeaderIn3And5NodeClusters) {
  for (int n : {3, 5}) {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      SCOPED_TRACE("n=" + std::to_string(n) + " seed=" + std::to_string(seed));
      Cluster c(n, Config{}, seed);
      int took = 0;
      uint64_t l = c.WaitForLeader(200, &took);
      ASSERT_NE(l, 0u);
      // Nobody campaigns before its election timeout, which is never below election_tick (§5.2).
      EXPECT_GE(took, Config{}.election_tick);
      int leaders = 0;
      for (uint64_t id : c.ids()) {
        leaders += c[id].role() == Role::kLeader;
        EXPECT_EQ(c[id].leader(), l);
        EXPECT_EQ(c[id].term(), c[l].term());
        EXPECT_EQ(c[id].leader_changes(), 1u);
      }
      EXPECT_EQ(leaders, 1);
      EXPECT_GE(c[l].term(), 1u);
      // The new leader's empty entry (§8) commits everywhere.
      c.TickAll(2);
      for (uint64_t id : c.ids()) EXPECT_EQ(c[id].commit(), c[l].last_index());
    }
  }
}

TEST(RaftNodeTest, SingleMemberElectsItselfAndCommitsAlone) {
  Cluster c(1);
  ASSERT_EQ(c.WaitForLeader(), 1u);
  ASSERT_TRUE(c.Propose(1, 5));
  EXPECT_EQ(Cmds(c.sm(1)), std::vector<int>{5});
}

// ------------------------------------------------------------------------------------------------------------
// 2. Log replication (§5.3)

TEST(RaftNodeTest, ProposalsCommitOnAllMembersInOrder) {
  Cluster c(3);
  uint64_t l = c.WaitForLeader();
  ASSERT_NE(l, 0u);
  uint64_t f = OtherThan(c, {l});
  std::vector<int> want;
  for (int v = 1; v <= 20; ++v) {
    ASSERT_TRUE(c.Propose(l, v));
    want.push_back(v);
  }
  c.Deliver();
  // A follower forwards to the leader (etcd's proposal forwarding); order follows arrival at the leader.
  for (int v = 21; v <= 25; ++v) {
    ASSERT_TRUE(c.Propose(f, v));
    want.push_back(v);
  }
  c.Deliver();
  c.TickAll(2);
  for (uint64_t id : c.ids()) {
    EXPECT_EQ(Cmds(c.sm(id)), want) << "member " << id;
    EXPECT_EQ(c[id].commit(), c[l].last_index());
    EXPECT_EQ(c[id].applied(), c[id].commit());
  }
  ExpectSameLogs(c, l);
}

TEST(RaftNodeTest, PartitionedFollowerCatchesUpWithBoundedMessages) {
  Config cfg;
  cfg.max_entries_per_msg = 4;
  cfg.max_inflight = 2;
  Cluster c(3, cfg);
  uint64_t l = c.WaitForLeader();
  ASSERT_NE(l, 0u);
  uint64_t f = OtherThan(c, {l});
  uint64_t term = c[l].term();
  size_t biggest = 0;
  c.on_send = [&](const Message& m) { biggest = std::max(biggest, m.entries.size()); };
  c.Isolate(f);
  std::vector<int> want;
  for (int v = 1; v <= 30; ++v) {
    ASSERT_TRUE(c.Propose(l, v));
    want.push_back(v);
    c.Deliver();
  }
  c.TickAll(5);
  EXPECT_EQ(Cmds(c.sm(l)), want);
  EXPECT_LT(c[f].last_index(), c[l].last_index());
  c.Heal();
  c.TickAll(10);
  EXPECT_EQ(Cmds(c.sm(f)), want);
  ExpectSameLogs(c, l);
  EXPECT_LE(biggest, cfg.max_entries_per_msg);
  // PreVote kept the isolated follower from raising the term, so the leader survives (thesis §9.6).
  EXPECT_EQ(c.Leader(), l);
  EXPECT_EQ(c[l].term(), term);
}

TEST(RaftNodeTest, ConflictingUncommittedSuffixIsTruncated) {
  Cluster c(5);
  uint64_t l = c.WaitForLeader();
  ASSERT_NE(l, 0u);
  uint64_t f = OtherThan(c, {l});
  uint64_t old_term = c[l].term(), old_commit = c[l].commit(), old_last = c[l].last_index();
  // The old leader and one follower form a minority; what they append there cannot commit.
  c.Partition({l, f});
  for (int v = 101; v <= 105; ++v) ASSERT_TRUE(c.Propose(l, v));
  c.Deliver();
  ASSERT_EQ(c[f].last_index(), old_last + 5);
  ASSERT_EQ(c[f].TermAt(old_last + 1), old_term);
  uint64_t m = 0;
  for (int t = 0; t < 100 && m == 0; ++t) {
    c.TickAll();
    uint64_t x = c.Leader();
    if (x != 0 && x != l) m = x;
  }
  ASSERT_NE(m, 0u);
  ASSERT_NE(m, f);
  ASSERT_GT(c[m].term(), old_term);
  for (int v = 201; v <= 203; ++v) ASSERT_TRUE(c.Propose(m, v));
  c.Deliver();
  EXPECT_EQ(c[l].commit(), old_commit);
  c.Heal();
  c.TickAll(20);
  ASSERT_EQ(c.Leader(), m);
  std::vector<int> want = {201, 202, 203};
  for (uint64_t id : c.ids()) EXPECT_EQ(Cmds(c.sm(id)), want) << "member " << id;
  for (int v = 101; v <= 105; ++v) EXPECT_FALSE(c.AnyApplied(v));
  // The minority's suffix was replaced by the new leader's entries (§5.3).
  EXPECT_GT(c[f].TermAt(old_last + 1), old_term);
  ExpectSameLogs(c, m);
}

// ------------------------------------------------------------------------------------------------------------
// 3. The commit rule (§5.4.2, Figure 8)

// Builds Figure 8 (c) on five members: S1 is leader in term 3 and its term-1 entry at index 2 is on S1, S2 and S3 (a
// majority), while S5 holds a term-2 entry at index 2 and could still be elected. CheckQuorum and PreVote are off
// and one entry goes per message so that the interleaving is exactly the paper's.
Config Figure8Config() {
  Config cfg;
  cfg.check_quorum = false;
  cfg.pre_vote = false;
  cfg.max_entries_per_msg = 1;
  return cfg;
}

void BuildFigure8(Cluster& c) {
  // (a) S1 leads term 1 and replicates index 2 only to S2.
  c.Campaign(1);
  c.Deliver();
  ASSERT_EQ(c.Leader(), 1u);
  ASSERT_EQ(c[1].term(), 1u);
  c.Partition({1, 2});
  ASSERT_TRUE(c.Propose(1, 10));
  c.Deliver();
  ASSERT_EQ(c[2].TermAt(2), 1u);
  ASSERT_EQ(c[1].commit(), 1u);
  // (b) S1 crashes; S5 is elected in term 2 by S3, S4, S5 and appends at index 2 (its empty entry) and 3, alone.
  c.Pause(1);
  c.Heal();
  c.drop_if = [](const Message& m) { return m.from == 5 && m.type == MsgType::kApp; };
  c.Campaign(5);
  c.Deliver();
  ASSERT_EQ(c.Leader(), 5u);
  ASSERT_EQ(c[5].term(), 2u);
  ASSERT_TRUE(c.Propose(5, 20));
  ASSERT_EQ(c[5].TermAt(2), 2u);
  // (c) S5 crashes; S1 restarts and is elected in term 3; it replicates index 2 to S3 but index 3 (its term-3
  // empty entry) only to S2, and nothing to S4.
  c.Pause(5);
  c.Restart(1);
  // (S3 still gets the probe that it rejects, which is how S1 learns to send it index 2.)
  c.drop_if = [&c](const Message& m) {
    if (m.from != 1 || m.type != MsgType::kApp) return false;
    if (m.to == 4) return true;
    return m.to == 3 && c[3].last_index() >= 2 && !m.entries.empty() && m.entries.back().index >= 3;
  };
  for (int i = 0; i < 3 && c.Leader() != 1; ++i) {
    c.Campaign(1);
    c.Deliver();
  }
  ASSERT_EQ(c.Leader(), 1u);
  ASSERT_EQ(c[1].term(), 3u);
  c.TickAll(5);
  for (uint64_t id : {1, 2, 3}) ASSERT_EQ(c[id].TermAt(2), 1u) << "member " << id;
  ASSERT_EQ(c[3].last_index(), 2u);
  ASSERT_EQ(c[1].TermAt(3), 3u);
}

TEST(RaftNodeTest, Figure8LeaderDoesNotCommitOldTermEntryByCounting) {
  Cluster c(5, Figure8Config());
  BuildFigure8(c);
  if (HasFatalFailure()) return;
  // Index 2 is on a majority, but it is of term 1, not the leader's term 3: counting replicas must not commit it.
  EXPECT_EQ(c[1].commit(), 1u);
  EXPECT_FALSE(c.AnyApplied(10));
  // (d) Indeed S1 may crash and S5 be elected (by S3, S4, S5: its last term 2 beats their 1) and overwrite it.
  c.Pause(1);
  c.Restart(5);
  c.drop_if = nullptr;
  for (int i = 0; i < 4 && c.Leader() != 5; ++i) {
    c.Campaign(5);
    c.Deliver();
  }
  ASSERT_EQ(c.Leader(), 5u);
  c.TickAll(3);
  for (uint64_t id : {2, 3, 4, 5}) {
    EXPECT_EQ(c[id].TermAt(2), 2u) << "member " << id;
    EXPECT_GE(c[id].commit(), 4u);
  }
  EXPECT_FALSE(c.AnyApplied(10));
  EXPECT_EQ(c.applied_any().at(2).term, 2u);
  EXPECT_TRUE(c.AnyApplied(20));
}

TEST(RaftNodeTest, Figure8OldTermEntryCommitsWithCurrentTermEntry) {
  Cluster c(5, Figure8Config());
  BuildFigure8(c);
  if (HasFatalFailure()) return;
  ASSERT_EQ(c[1].commit(), 1u);
  // (e) Once S1's term-3 entry reaches a majority, it commits, and index 2 with it.
  c.drop_if = nullptr;
  c.TickAll(3);
  EXPECT_EQ(c[1].commit(), 3u);
  for (uint64_t id : {1, 2, 3, 4}) {
    EXPECT_EQ(Cmds(c.sm(id)), std::vector<int>{10}) << "member " << id;
    EXPECT_EQ(c.sm(id).size(), 3u);
  }
}

// ------------------------------------------------------------------------------------------------------------
// 4. CheckQuorum (thesis §6.2)

TEST(RaftNodeTest, PartitionedLeaderStepsDownAndMajorityMovesOn) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    Config cfg;
    Cluster c(5, cfg, seed);
    uint64_t l = c.WaitForLeader();
    ASSERT_NE(l, 0u);
    c.TickAll(static_cast<int>(seed % 7));  // partition at different points of the CheckQuorum period
    uint64_t old_term = c[l].term(), old_commit = c[l].commit();
    c.Isolate(l);
    ASSERT_TRUE(c.Propose(l, 999));
    int stepped = -1;
    for (int t = 1; t <= 3 * cfg.election_tick && stepped < 0; ++t) {
      c.TickAll();
      if (c[l].role() != Role::kLeader) stepped = t;
    }
    EXPECT_GE(stepped, cfg.election_tick);
    EXPECT_LE(stepped, 2 * cfg.election_tick);
    uint64_t m = 0;
    for (int t = 0; t < 100 && m == 0; ++t) {
      c.TickAll();
      uint64_t x = c.Leader();
      if (x != 0 && x != l) m = x;
    }
    ASSERT_NE(m, 0u);
    EXPECT_GT(c[m].term(), old_term);
    EXPECT_EQ(c[l].commit(), old_commit);
    EXPECT_FALSE(c.Propose(l, 998));  // no leader known on the isolated side: dropped
    c.Heal();
    c.TickAll(20);
    EXPECT_EQ(c.Leader(), m);
    EXPECT_EQ(c[l].leader(), m);
    EXPECT_FALSE(c.AnyApplied(999));
    ExpectSameLogs(c, m);
  }
}

// ------------------------------------------------------------------------------------------------------------
// 5. PreVote (thesis §9.6)

// Isolates a follower for a long time, heals, and returns the leader's term after the dust settles.
uint64_t IsolateFollowerAndRejoin(bool pre_vote, bool* leader_survived, bool* others_saw_no_change) {
  Config cfg;
  cfg.pre_vote = pre_vote;
  Cluster c(3, cfg, 3);
  uint64_t l = c.WaitForLeader();
  EXPECT_NE(l, 0u);
  uint64_t f = OtherThan(c, {l});
  uint64_t g = OtherThan(c, {l, f});
  uint64_t changes_l = c[l].leader_changes(), changes_g = c[g].leader_changes();
  c.Isolate(f);
  *leader_survived = true;
  for (int t = 0; t < 100; ++t) {
    c.TickAll();
    if (c[l].role() != Role::kLeader) *leader_survived = false;
  }
  if (pre_vote) {
    EXPECT_EQ(c[f].term(), c[l].term()) << "a pre-candidate must not bump its term";
  }
  c.Heal();
  c.Campaign(f);  // its election timer fires just as it rejoins, before the leader's next heartbeat reaches it
  c.Deliver();
  if (c[l].role() != Role::kLeader) *leader_survived = false;
  for (int t = 0; t < 30; ++t) {
    c.TickAll();
    if (c[l].role() != Role::kLeader) *leader_survived = false;
  }
  EXPECT_TRUE(c.Settled());
  *others_saw_no_change = c[l].leader_changes() == changes_l && c[g].leader_changes() == changes_g;
  return c[c.Leader()].term();
}

TEST(RaftNodeTest, PreVoteRejoiningNodeDoesNotDisruptTheLeader) {
  bool survived = false, unchanged = false;
  uint64_t term = IsolateFollowerAndRejoin(true, &survived, &unchanged);
  EXPECT_TRUE(survived);
  EXPECT_TRUE(unchanged);
  EXPECT_EQ(term, 1u);
}

// The control experiment: without PreVote the isolated member's term runs ahead and deposes the leader on return
// (its answer to the leader's heartbeat carries the higher term), which is what PreVote exists to prevent.
TEST(RaftNodeTest, WithoutPreVoteARejoiningNodeDisrupts) {
  bool survived = true, unchanged = true;
  uint64_t term = IsolateFollowerAndRejoin(false, &survived, &unchanged);
  EXPECT_FALSE(survived);
  EXPECT_GT(term, 1u);
}

// Message-level rules on a single member, as etcd's raft_test.go checks them.
Message Msg(MsgType type, uint64_t from, uint64_t to, uint64_t term) {
  Message m;
  m.type = type;
  m.from = from;
  m.to = to;
  m.term = term;
  return m;
}

Message App(uint64_t from, uint64_t term, uint64_t prev_index, uint64_t prev_term, std::vector<uint64_t> entry_terms,
            uint64_t commit) {
  Message m = Msg(MsgType::kApp, from, 2, term);
  m.index = prev_index;
  m.log_term = prev_term;
  m.commit = commit;
  for (size_t i = 0; i < entry_terms.size(); ++i) {
    Entry e;
    e.term = entry_terms[i];
    e.index = prev_index + 1 + i;
    m.entries.push_back(e);
  }
  return m;
}

const Message* Only(const Ready& rd) {
  EXPECT_EQ(rd.messages.size(), 1u);
  return rd.messages.size() == 1 ? &rd.messages[0] : nullptr;
}

TEST(RaftNodeTest, FollowerAppendChecksMatchTruncatesConflictsAndBoundsCommit) {
  Config cfg;
  cfg.id = 2;
  cfg.peers = {1, 2, 3};
  RaftNode n(cfg);
  n.Step(App(1, 1, 0, 0, {1, 1, 1}, 0));
  Ready rd = n.GetReady();
  n.Advance();
  EXPECT_EQ(rd.entries.size(), 3u);
  EXPECT_EQ(rd.leader, 1u);
  const Message* r = Only(rd);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->type, MsgType::kAppResp);
  EXPECT_FALSE(r->reject);
  EXPECT_EQ(r->index, 3u);
  // A new leader (term 2) that only knows index 1 matches may not make us commit our unverified entries 2..3
  // (§5.3: commit min(leaderCommit, index of last new entry)).
  n.Step(App(3, 2, 1, 1, {}, 3));
  EXPECT_EQ(n.commit(), 1u);
  rd = n.GetReady();
  n.Advance();
  ASSERT_EQ(rd.committed.size(), 1u);
  // Log matching (§5.3): prev (3, term 2) does not match our (3, term 1); the hint points at our index 3, term 1.
  n.Step(App(3, 2, 3, 2, {}, 3));
  rd = n.GetReady();
  n.Advance();
  r = Only(rd);
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->reject);
  EXPECT_EQ(r->index, 3u);
  EXPECT_EQ(r->reject_hint, 3u);
  EXPECT_EQ(r->log_term, 1u);
  // The conflicting suffix is replaced from the first conflict on, and the WAL is told to overwrite from there.
  n.Step(App(3, 2, 1, 1, {2}, 3));
  EXPECT_EQ(n.last_index(), 2u);
  EXPECT_EQ(n.TermAt(2), 2u);
  EXPECT_EQ(n.commit(), 2u);
  rd = n.GetReady();
  ASSERT_EQ(rd.entries.size(), 1u);
  EXPECT_EQ(rd.entries[0].index, 2u);
  EXPECT_EQ(rd.committed.size(), 1u);
  n.Advance();
  // A stale, reordered append of a prefix must not truncate what we already have.
  n.Step(App(3, 2, 0, 0, {1}, 2));
  EXPECT_EQ(n.last_index(), 2u);
  EXPECT_EQ(n.TermAt(2), 2u);
  n.GetReady();
  n.Advance();
  // An append from a stale leader is answered with our term, so that it steps down (etcd).
  n.Step(App(1, 1, 2, 2, {}, 2));
  rd = n.GetReady();
  r = Only(rd);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->type, MsgType::kAppResp);
  EXPECT_EQ(r->term, 2u);
}

TEST(RaftNodeTest, ReadyAccumulatesWhileTheHostIsBusy) {
  Config cfg;
  cfg.id = 2;
  cfg.peers = {1, 2, 3};
  RaftNode n(cfg);
  n.Step(App(1, 1, 0, 0, {1, 1}, 0));
  Ready first = n.GetReady();
  EXPECT_EQ(first.entries.size(), 2u);
  EXPECT_TRUE(first.committed.empty());
  EXPECT_TRUE(first.hard_state_changed);
  EXPECT_TRUE(first.soft_state_changed);
  // While the host persists the first batch, more arrives; none of it is lost or handed out twice.
  n.Step(App(1, 1, 2, 1, {1}, 2));
  Message hb = Msg(MsgType::kHeartbeat, 1, 2, 1);
  hb.commit = 3;
  n.Step(hb);
  EXPECT_TRUE(n.HasReady());
  n.Advance();
  EXPECT_EQ(n.applied(), 0u);
  Ready second = n.GetReady();
  ASSERT_EQ(second.entries.size(), 1u);
  EXPECT_EQ(second.entries[0].index, 3u);
  ASSERT_EQ(second.committed.size(), 3u);
  EXPECT_EQ(second.committed.back().index, 3u);
  EXPECT_EQ(second.messages.size(), 2u);
  EXPECT_TRUE(second.hard_state_changed);
  EXPECT_EQ(second.commit, 3u);
  EXPECT_FALSE(second.soft_state_changed);
  n.Advance();
  EXPECT_EQ(n.applied(), 3u);
  EXPECT_FALSE(n.HasReady());
}

TEST(RaftNodeTest, VotesAreOncePerTermAndOnlyForUpToDateLogs) {
  Config cfg;
  cfg.id = 2;
  cfg.peers = {1, 2, 3};
  cfg.check_quorum = false;
  cfg.pre_vote = false;
  RaftNode n(cfg);
  auto vote = [&](uint64_t from, uint64_t term, uint64_t last_index, uint64_t last_term) {
    Message m = Msg(MsgType::kVote, from, 2, term);
    m.index = last_index;
    m.log_term = last_term;
    n.Step(m);
    Ready rd = n.GetReady();
    n.Advance();
    const Message* r = Only(rd);
    return r != nullptr && r->type == MsgType::kVoteResp && !r->reject;
  };
  EXPECT_TRUE(vote(1, 1, 0, 0));
  EXPECT_EQ(n.vote(), 1u);
  EXPECT_FALSE(vote(3, 1, 5, 1));  // already voted in term 1 (§5.2)
  EXPECT_TRUE(vote(1, 1, 0, 0));   // a retransmission gets the same answer
  n.Step(App(1, 1, 0, 0, {1, 1}, 0));
  n.GetReady();
  n.Advance();
  EXPECT_FALSE(vote(3, 2, 5, 0));  // §5.4.1: lower last term loses whatever the length
  EXPECT_EQ(n.term(), 2u);         // but the higher term is adopted (§5.1)
  EXPECT_FALSE(vote(3, 3, 1, 1));  // same last term, shorter log
  EXPECT_TRUE(vote(3, 4, 2, 1));   // same last term, as long
}

TEST(RaftNodeTest, PreVoteNeverMovesTheTermAndRespectsTheLease) {
  Config cfg;
  cfg.id = 2;
  cfg.peers = {1, 2, 3};
  RaftNode n(cfg);
  Message hb = Msg(MsgType::kHeartbeat, 1, 2, 1);
  n.Step(hb);
  n.GetReady();
  n.Advance();
  Message pv = Msg(MsgType::kPreVote, 3, 2, 2);
  n.Step(pv);
  EXPECT_FALSE(n.HasReady()) << "a member that just heard from its leader ignores (pre-)vote requests";
  EXPECT_EQ(n.term(), 1u);
  // After an election timeout without the leader, the pre-vote is granted, for the asked term, without taking it.
  for (int t = 0; t < cfg.election_tick - 1; ++t) n.Tick();
  n.GetReady();
  n.Advance();
  n.Tick();  // elapsed reaches election_tick (it may also start its own pre-vote here, which does not matter)
  n.GetReady();
  n.Advance();
  n.Step(pv);
  Ready rd = n.GetReady();
  const Message* r = Only(rd);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->type, MsgType::kPreVoteResp);
  EXPECT_FALSE(r->reject);
  EXPECT_EQ(r->term, 2u);
  EXPECT_EQ(n.term(), 1u);
  EXPECT_EQ(n.vote(), 0u);
}

// ------------------------------------------------------------------------------------------------------------
// 6. Quorum loss

TEST(RaftNodeTest, NoCommitWithoutQuorumAndRecoveryAfterwards) {
  Cluster c(3);
  uint64_t l = c.WaitForLeader();
  ASSERT_NE(l, 0u);
  ASSERT_TRUE(c.Propose(l, 1));
  c.Deliver();
  uint64_t a = OtherThan(c, {l}), b = OtherThan(c, {l, a});
  c.Pause(a);
  c.Pause(b);
  uint64_t commit = c[l].commit();
  ASSERT_TRUE(c.Propose(l, 2));
  for (int t = 0; t < 50; ++t) {
    c.TickAll();
    if (t % 5 == 0) c.Propose(l, 100 + t);
  }
  EXPECT_EQ(c[l].commit(), commit);
  EXPECT_FALSE(c.AnyApplied(2));
  EXPECT_NE(c[l].role(), Role::kLeader) << "CheckQuorum should have deposed the lone leader";
  EXPECT_FALSE(c.Propose(l, 3));
  // The two come back from a crash, with what they had persisted.
  c.Restart(a);
  c.Restart(b);
  uint64_t m = c.WaitForLeader();
  ASSERT_NE(m, 0u);
  ASSERT_TRUE(c.Propose(m, 4));
  c.Deliver();
  c.TickAll(2);
  for (uint64_t id : c.ids()) {
    std::vector<int> cmds = Cmds(c.sm(id));
    EXPECT_EQ(cmds.front(), 1);
    EXPECT_EQ(cmds.back(), 4);
    EXPECT_EQ(c.sm(id).size(), c.sm(m).size());
  }
  ExpectSameLogs(c, m);
}

// ------------------------------------------------------------------------------------------------------------
// 7. Snapshots (§7)

TEST(RaftNodeTest, LaggingFollowerCatchesUpFromSnapshot) {
  Cluster c(3);
  uint64_t l = c.WaitForLeader();
  ASSERT_NE(l, 0u);
  uint64_t f = OtherThan(c, {l});
  c.Isolate(f);
  std::vector<int> want;
  for (int v = 1; v <= 40; ++v) {
    ASSERT_TRUE(c.Propose(l, v));
    want.push_back(v);
  }
  c.Deliver();
  c.TickAll(2);
  uint64_t snap = c[l].applied();
  ASSERT_EQ(snap, c[l].last_index());
  c.Compact(l, snap);
  EXPECT_EQ(c[l].first_index(), snap + 1);
  EXPECT_EQ(c[l].log_size(), 0u);
  ASSERT_GT(c[l].first_index(), c[f].last_index() + 1);
  c.Heal();
  c.TickAll(5);
  EXPECT_EQ(c.sent[MsgType::kSnap], 1);
  EXPECT_EQ(Cmds(c.sm(f)), want);
  EXPECT_EQ(c[f].first_index(), snap + 1);
  EXPECT_EQ(c[f].applied(), snap);
  // Replication continues with ordinary appends after the snapshot.
  for (int v = 41; v <= 45; ++v) {
    ASSERT_TRUE(c.Propose(l, v));
    want.push_back(v);
  }
  c.Deliver();
  c.TickAll(2);
  EXPECT_EQ(Cmds(c.sm(f)), want);
  EXPECT_EQ(c.sent[MsgType::kSnap], 1);
  // And the follower survives a crash: snapshot and WAL suffix rebuild the same state.
  c.Restart(f);
  c.TickAll(2);
  EXPECT_EQ(Cmds(c.sm(f)), want);
  ExpectSameLogs(c, l);
}

TEST(RaftNodeTest, LostSnapshotIsSentAgain) {
  Cluster c(3);
  uint64_t l = c.WaitForLeader();
  ASSERT_NE(l, 0u);
  uint64_t f = OtherThan(c, {l});
  c.Isolate(f);
  for (int v = 1; v <= 10; ++v) ASSERT_TRUE(c.Propose(l, v));
  c.Deliver();
  c.TickAll(2);
  c.Compact(l, c[l].applied());
  c.Heal();
  int snaps_dropped = 0;
  c.drop_if = [&](const Message& m) { return m.type == MsgType::kSnap && snaps_dropped++ == 0; };
  c.TickAll(3);
  EXPECT_EQ(snaps_dropped, 1);
  EXPECT_LT(c[f].commit(), c[l].commit());
  c.TickAll(2 * Config{}.election_tick);
  EXPECT_EQ(snaps_dropped, 2);
  EXPECT_EQ(Cmds(c.sm(f)), Cmds(c.sm(l)));
}

// ------------------------------------------------------------------------------------------------------------
// Flow control (etcd's MaxInflightMsgs)

TEST(RaftNodeTest, InflightWindowBoundsAppendsToASilentFollower) {
  Config cfg;
  cfg.max_inflight = 2;
  cfg.max_entries_per_msg = 3;
  Cluster c(3, cfg);
  uint64_t l = c.WaitForLeader();
  ASSERT_NE(l, 0u);
  uint64_t f = OtherThan(c, {l});
  int apps = 0;
  c.on_send = [&](const Message& m) {
    if (m.to == f && m.type == MsgType::kApp && !m.entries.empty()) ++apps;
    EXPECT_LE(m.entries.size(), cfg.max_entries_per_msg);
  };
  c.Cut(l, f);
  for (int v = 1; v <= 10; ++v) {
    ASSERT_TRUE(c.Propose(l, v));
    c.Deliver();
  }
  EXPECT_EQ(apps, 2);
  c.Heal();
  c.TickAll(6);
  EXPECT_EQ(Cmds(c.sm(f)), Cmds(c.sm(l)));
  EXPECT_EQ(Cmds(c.sm(f)).size(), 10u);
}

// ------------------------------------------------------------------------------------------------------------
// 8. Randomized safety (Figure 3's Election Safety and State Machine Safety)

struct Chaos {
  int steps = 1000;
  bool trace = false;
};

// Runs one seeded history of drops, delays, reordering, partitions, pauses, crashes and compactions on five
// members, then heals everything and checks that the cluster converges on one log that holds every applied entry.
std::string RunChaos(uint64_t seed, const Chaos& opt) {
  Config cfg;
  cfg.max_entries_per_msg = 4;
  cfg.max_inflight = 8;
  cfg.pre_vote = seed % 4 != 1;  // safety must hold with or without PreVote and CheckQuorum
  cfg.check_quorum = seed % 4 != 2;
  Cluster c(5, cfg, seed);
  std::mt19937_64 rng(seed);
  auto pick = [&](uint64_t n) { return rng() % n; };
  std::ostringstream trace;
  if (opt.trace) {
    c.on_send = [&](const Message& m) {
      trace << ToString(m.type) << ' ' << m.from << '>' << m.to << " t" << m.term << " i" << m.index << " n"
            << m.entries.size() << " c" << m.commit << (m.reject ? " R" : "") << '\n';
    };
  }
  int next_cmd = 1;
  for (int step = 0; step < opt.steps; ++step) {
    uint64_t r = pick(100);
    uint64_t id = 1 + pick(5);
    if (r < 50) {
      c.drop_rate = 0.1;
      for (int k = 0; k < 10 && c.queued() > 0; ++k) c.DeliverAt(pick(c.queued()));
      c.drop_rate = 0;
    } else if (r < 80) {
      c.TickAll(1, false);
    } else if (r < 92) {
      c.Propose(id, next_cmd++);
    } else if (r < 94) {
      if (pick(3) != 0) {
        c.Heal();
      } else {
        std::set<uint64_t> side;
        for (uint64_t x : c.ids()) {
          if (pick(2)) side.insert(x);
        }
        c.Partition(side);
      }
    } else if (r < 96) {
      if (c.Paused(id)) {
        c.Resume(id);
      } else if (c.paused_count() < 2) {
        c.Pause(id);  // at most two down at once, so that a quorum can exist and progress is exercised too
      }
    } else if (r < 98) {
      c.Restart(id);
    } else {
      if (c[id].applied() > c[id].first_index() + 2) c.Compact(id, c[id].applied() - 1);
    }
    c.DropOldest(500);
  }
  // Heal and let the cluster settle; one more command makes the final leader commit an entry of its term.
  c.Heal();
  for (uint64_t id : c.ids()) c.Resume(id);
  c.Deliver();
  uint64_t l = c.WaitForLeader(300);
  EXPECT_NE(l, 0u) << "no leader after healing";
  if (l == 0) return trace.str();
  for (int i = 0; i < 3 && !c.Propose(l, next_cmd); ++i) l = c.WaitForLeader(300);
  c.Deliver();
  c.TickAll(10);
  l = c.Leader();
  EXPECT_NE(l, 0u);
  if (l == 0) return trace.str();
  EXPECT_TRUE(c.AnyApplied(next_cmd)) << "the final command did not commit";
  for (uint64_t id : c.ids()) {
    EXPECT_EQ(c[id].commit(), c[l].last_index()) << "member " << id;
    EXPECT_EQ(c.sm(id).size(), c.sm(l).size()) << "member " << id;
  }
  ExpectSameLogs(c, l);
  // Every entry applied anywhere, ever, is in the final leader's log (or in its snapshot, which holds them too).
  const StateMachine& lsm = c.sm(l);
  for (const auto& [index, a] : c.applied_any()) {
    if (index > lsm.size()) {
      ADD_FAILURE() << "index " << index << " applied somewhere but beyond the leader's state machine";
      continue;
    }
    EXPECT_EQ(lsm[index - 1], a) << "index " << index;
    if (index >= c[l].first_index() - 1) {
      EXPECT_EQ(c[l].TermAt(index), a.term) << "index " << index;
    }
  }
  return trace.str();
}

TEST(RaftNodeTest, RandomizedSafety) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    RunChaos(seed, Chaos{});
    if (HasFailure()) return;  // one failing seed is enough to debug
  }
}

TEST(RaftNodeTest, SameInputsAndSeedGiveSameOutputs) {
  Chaos opt;
  opt.trace = true;
  std::string a = RunChaos(42, opt), b = RunChaos(42, opt), other = RunChaos(43, opt);
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, other);
}

// ------------------------------------------------------------------------------------------------------------
// Configuration (etcd Config.validate)

Config Valid3(uint64_t id = 1) {
  Config c;
  c.id = id;
  c.peers = {1, 2, 3};
  return c;
}

// Whether one of `problems` mentions `word`.
bool Mentions(const std::vector<std::string>& problems, const std::string& word) {
  for (const std::string& p : problems) {
    if (p.find(word) != std::string::npos) return true;
  }
  return false;
}

TEST(RaftConfigTest, DefaultsWithIdAndPeersAreValid) {
  EXPECT_TRUE(Valid3().Validate().empty());
  Config one;
  one.id = 7;
  one.peers = {7};
  EXPECT_TRUE(one.Validate().empty());
  Config edge = Valid3(3);
  edge.election_tick = 2;  // the smallest election_tick above heartbeat_tick 1
  edge.max_inflight = 1;
  edge.max_entries_per_msg = 1;
  EXPECT_TRUE(edge.Validate().empty());
}

TEST(RaftConfigTest, EachRuleIsReported) {
  Config c = Valid3();
  c.id = 0;
  EXPECT_TRUE(Mentions(c.Validate(), "id must not be 0"));
  c = Valid3(4);
  EXPECT_TRUE(Mentions(c.Validate(), "id 4 is not among peers"));
  c = Valid3();
  c.peers.clear();
  EXPECT_TRUE(Mentions(c.Validate(), "peers must list"));
  c = Valid3();
  c.peers = {1, 2, 2, 3};
  EXPECT_TRUE(Mentions(c.Validate(), "member 2 more than once"));
  c = Valid3();
  c.peers = {0, 1, 2};
  EXPECT_TRUE(Mentions(c.Validate(), "must not contain 0"));
  c = Valid3();
  c.heartbeat_tick = 0;
  EXPECT_TRUE(Mentions(c.Validate(), "heartbeat_tick (0) must be greater than 0"));
  c = Valid3();
  c.election_tick = 1;  // == heartbeat_tick
  EXPECT_TRUE(Mentions(c.Validate(), "election_tick (1) must be greater than heartbeat_tick (1)"));
  c = Valid3();
  c.heartbeat_tick = 5;
  c.election_tick = 3;
  EXPECT_TRUE(Mentions(c.Validate(), "must be greater than heartbeat_tick (5)"));
  c = Valid3();
  c.max_inflight = 0;
  EXPECT_TRUE(Mentions(c.Validate(), "max_inflight"));
  c = Valid3();
  c.max_entries_per_msg = 0;
  EXPECT_TRUE(Mentions(c.Validate(), "max_entries_per_msg"));
}

TEST(RaftConfigTest, AllProblemsAreListedNotJustTheFirst) {
  Config c;
  c.id = 0;
  c.heartbeat_tick = 0;
  c.election_tick = 0;
  c.max_inflight = 0;
  c.max_entries_per_msg = 0;
  EXPECT_EQ(c.Validate().size(), 6u);  // id, peers, heartbeat, election, inflight, entries
}

TEST(RaftConfigTest, ConstructorRefusesInsteadOfClamping) {
  Config c = Valid3();
  c.election_tick = 0;
  try {
    RaftNode n(c);
    FAIL() << "an invalid config was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("election_tick (0)"), std::string::npos) << e.what();
  }
  c = Valid3(5);  // not a member: no longer added to peers silently
  EXPECT_THROW(RaftNode n(c), std::invalid_argument);
  EXPECT_THROW((RaftNode(c, PersistentState{})), std::invalid_argument);
  EXPECT_NO_THROW(RaftNode n(Valid3(2)));
}

}  // namespace

}  // namespace planelab::raft
