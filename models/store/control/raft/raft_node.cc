#include "models/store/control/raft/raft_node.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <set>
#include <stdexcept>
#include <utility>

namespace planelab::raft {

namespace {
constexpr uint32_t kMsgHeaderBytes = 40;  // type, from, to, term, log term, index, commit: etcd's raftpb.Message

bool IsVoteResp(MsgType t) { return t == MsgType::kVoteResp || t == MsgType::kPreVoteResp; }
}  // namespace

const char* ToString(Role r) {
  switch (r) {
    case Role::kFollower: return "Follower";
    case Role::kPreCandidate: return "PreCandidate";
    case Role::kCandidate: return "Candidate";
    case Role::kLeader: return "Leader";
  }
  return "?";
}

const char* ToString(MsgType t) {
  switch (t) {
    case MsgType::kPreVote: return "PreVote";
    case MsgType::kPreVoteResp: return "PreVoteResp";
    case MsgType::kVote: return "Vote";
    case MsgType::kVoteResp: return "VoteResp";
    case MsgType::kApp: return "App";
    case MsgType::kAppResp: return "AppResp";
    case MsgType::kHeartbeat: return "Heartbeat";
    case MsgType::kHeartbeatResp: return "HeartbeatResp";
    case MsgType::kProp: return "Prop";
    case MsgType::kSnap: return "Snap";
  }
  return "?";
}

uint32_t Message::WireBytes() const {
  uint64_t n = kMsgHeaderBytes + snap_bytes;
  for (const Entry& e : entries) n += e.bytes;
  return static_cast<uint32_t>(std::min<uint64_t>(n, std::numeric_limits<uint32_t>::max()));
}

// ---------------------------------------------------------------------------------------------------------------
// Construction

std::vector<std::string> Config::Validate() const {
  std::vector<std::string> problems;
  auto add = [&problems](std::string s) { problems.push_back(std::move(s)); };
  if (id == 0) add("id must not be 0 (etcd: \"cannot use none as id\")");
  if (peers.empty()) {
    add("peers must list every member, this one included");
  } else {
    std::set<uint64_t> seen;
    for (uint64_t p : peers) {
      if (p == 0) {
        add("peers must not contain 0 (no member has id 0)");
      } else if (!seen.insert(p).second) {
        add("peers lists member " + std::to_string(p) + " more than once");
      }
    }
    if (id != 0 && seen.count(id) == 0) add("id " + std::to_string(id) + " is not among peers");
  }
  if (heartbeat_tick <= 0) {
    add("heartbeat_tick (" + std::to_string(heartbeat_tick) +
        ") must be greater than 0 (etcd: \"heartbeat tick must be greater than 0\")");
  }
  if (election_tick <= heartbeat_tick) {
    add("election_tick (" + std::to_string(election_tick) + ") must be greater than heartbeat_tick (" +
        std::to_string(heartbeat_tick) + ") (etcd: \"election tick must be greater than heartbeat tick\")");
  } else if (election_tick > std::numeric_limits<int>::max() / 2) {
    add("election_tick must be below 2^30: the randomized timeout goes up to twice it");
  }
  if (max_inflight == 0) add("max_inflight must be greater than 0 (etcd: \"max inflight messages must be greater than 0\")");
  if (max_entries_per_msg == 0) add("max_entries_per_msg must be greater than 0: with 0 no append could carry an entry");
  return problems;
}

namespace {
const Config& Checked(const Config& cfg) {
  std::vector<std::string> problems = cfg.Validate();
  if (problems.empty()) return cfg;
  std::string what = "invalid raft::Config";
  for (size_t i = 0; i < problems.size(); ++i) what += (i == 0 ? ": " : "; ") + problems[i];
  throw std::invalid_argument(what);
}
}  // namespace

RaftNode::RaftNode(const Config& cfg) : cfg_(Checked(cfg)) { Init(); }

void PersistentState::Persist(const Ready& rd) {
  term = rd.term;
  vote = rd.vote;
  commit = rd.commit;
  if (rd.has_snapshot) {
    snap_index = rd.snap_index;
    snap_term = rd.snap_term;
    snap_data = rd.snap_data;
    entries.clear();
  }
  if (rd.entries.empty()) return;
  const uint64_t first = rd.entries.front().index;
  const size_t keep = first > snap_index + 1 ? static_cast<size_t>(first - snap_index - 1) : 0;
  if (keep < entries.size()) entries.resize(keep);
  entries.insert(entries.end(), rd.entries.begin(), rd.entries.end());
}

RaftNode::RaftNode(const Config& cfg, const PersistentState& disk) : cfg_(Checked(cfg)) {
  term_ = disk.term;
  vote_ = disk.vote;
  snap_index_ = disk.snap_index;
  snap_term_ = disk.snap_term;
  snap_data_ = disk.snap_data;
  snap_bytes_ = disk.snap_bytes;
  for (const Entry& e : disk.entries) {
    if (e.index <= snap_index_) continue;  // a WAL may still hold entries the snapshot covers
    if (e.index != last_index() + 1) break;  // a torn WAL: keep the contiguous prefix
    log_.push_back(e);
  }
  // The snapshot is applied by construction; everything committed after it is handed out again (etcd restarts
  // with Config.Applied = the snapshot index when the state machine is rebuilt from the snapshot).
  commit_ = std::min(std::max(disk.commit, snap_index_), last_index());
  Init();
}

void RaftNode::Init() {
  id_ = cfg_.id;
  peers_ = cfg_.peers;  // validated: id_ is among them, no duplicates
  std::sort(peers_.begin(), peers_.end());
  // Mix the id into the seed so that members sharing a seed still draw different timeouts (§5.2).
  rng_.seed(cfg_.seed ^ (id_ * 0x9E3779B97F4A7C15ULL));
  applied_ = applying_ = snap_index_;
  unstable_ = last_index() + 1;
  prev_term_ = term_;
  prev_vote_ = vote_;
  prev_commit_ = commit_;
  BecomeFollower(term_, 0);
  prev_role_ = role_;
  prev_lead_ = lead_;
}

bool RaftNode::IsPeer(uint64_t id) const { return std::binary_search(peers_.begin(), peers_.end(), id); }

// ---------------------------------------------------------------------------------------------------------------
// The log (etcd log.go)

bool RaftNode::Term(uint64_t index, uint64_t* term) const {
  if (index == snap_index_) {
    *term = snap_term_;
    return true;
  }
  if (index < snap_index_ || index > last_index()) return false;
  *term = log_[index - snap_index_ - 1].term;
  return true;
}

uint64_t RaftNode::TermAt(uint64_t index) const {
  uint64_t t = 0;
  return Term(index, &t) ? t : 0;
}

uint64_t RaftNode::last_term() const { return log_.empty() ? snap_term_ : log_.back().term; }

const Entry* RaftNode::entry(uint64_t index) const {
  if (index <= snap_index_ || index > last_index()) return nullptr;
  return &log_[index - snap_index_ - 1];
}

// §5.4.1: a log is more up to date if its last term is higher, or the terms are equal and it is at least as long.
bool RaftNode::IsUpToDate(uint64_t index, uint64_t term) const {
  return term > last_term() || (term == last_term() && index >= last_index());
}

// etcd log.go findConflictByTerm: the largest index <= `index` whose term is <= `term`; entries above it cannot
// match a log whose entry at `index` has term `term`, because terms only grow along a log.
uint64_t RaftNode::FindConflictByTerm(uint64_t index, uint64_t term) const {
  if (index > last_index()) return index;
  for (;;) {
    uint64_t t = 0;
    if (!Term(index, &t) || t <= term) return index;
    --index;
  }
}

// Appends `ents` (contiguous), first truncating any suffix they overwrite (§5.3: "if an existing entry conflicts
// with a new one, delete the existing entry and all that follow it").
void RaftNode::AppendToLog(const std::vector<Entry>& ents) {
  if (ents.empty()) return;
  uint64_t after = ents.front().index;
  assert(after > commit_ && after > snap_index_);  // committed entries are never overwritten (§5.4)
  if (after <= last_index()) log_.resize(after - snap_index_ - 1);
  assert(after == last_index() + 1);
  for (const Entry& e : ents) log_.push_back(e);
  unstable_ = std::min(unstable_, after);
}

void RaftNode::CommitTo(uint64_t index) {
  if (index <= commit_) return;
  // The leader only tells a follower to commit what it knows the follower holds (etcd panics otherwise).
  assert(index <= last_index());
  commit_ = std::min(index, last_index());
}

void RaftNode::SetLead(uint64_t lead) {
  // Counted like etcd's etcd_server_leader_changes_seen_total: every time a (new) leader becomes known.
  if (lead != 0 && lead != lead_) ++leader_changes_;
  lead_ = lead;
}

void RaftNode::ResetRandomizedElectionTimeout() {
  // §5.2: randomized election timeouts make split votes rare; etcd draws from [electiontimeout, 2*electiontimeout).
  randomized_election_timeout_ = cfg_.election_tick + static_cast<int>(rng_() % uint64_t(cfg_.election_tick));
}

// ---------------------------------------------------------------------------------------------------------------
// Role changes (etcd raft.go reset/become*)

void RaftNode::Reset(uint64_t term) {
  if (term_ != term) {
    term_ = term;
    vote_ = 0;
  }
  SetLead(0);
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  ResetRandomizedElectionTimeout();
  votes_.clear();
  prs_.clear();
  for (uint64_t p : peers_) {
    Progress& pr = prs_[p];
    pr.next = last_index() + 1;
    if (p == id_) pr.match = last_index();
  }
}

void RaftNode::BecomeFollower(uint64_t term, uint64_t lead) {
  Reset(term);
  SetLead(lead);
  role_ = Role::kFollower;
}

// Thesis §9.6: the pre-candidate keeps its term and vote; only a granted pre-election leads to a real one.
void RaftNode::BecomePreCandidate() {
  assert(role_ != Role::kLeader);
  votes_.clear();
  SetLead(0);
  role_ = Role::kPreCandidate;
}

// §5.2: increment the term and vote for self.
void RaftNode::BecomeCandidate() {
  assert(role_ != Role::kLeader);
  Reset(term_ + 1);
  vote_ = id_;
  role_ = Role::kCandidate;
}

void RaftNode::BecomeLeader() {
  assert(role_ != Role::kFollower);
  Reset(term_);
  SetLead(id_);
  role_ = Role::kLeader;
  BecomeReplicate(prs_[id_]);
  // §8 / §5.4.2: an empty entry of the new term lets the leader commit (and learn) everything before it.
  AppendEntries({Entry{}});
}

void RaftNode::Campaign() { Hup(); }

void RaftNode::Hup() {
  if (role_ == Role::kLeader) return;
  DoCampaign(cfg_.pre_vote);
}

void RaftNode::DoCampaign(bool pre) {
  MsgType type;
  uint64_t term;
  if (pre) {
    BecomePreCandidate();
    type = MsgType::kPreVote;
    term = term_ + 1;  // the term the real election would use; our own term does not move
  } else {
    BecomeCandidate();
    type = MsgType::kVote;
    term = term_;
  }
  if (Poll(id_, true) == VoteResult::kWon) {  // a one-member cluster
    if (pre) {
      DoCampaign(false);
    } else {
      BecomeLeader();
    }
    return;
  }
  for (uint64_t p : peers_) {
    if (p == id_) continue;
    Message m;
    m.type = type;
    m.to = p;
    m.term = term;
    m.index = last_index();
    m.log_term = last_term();
    Send(std::move(m));
  }
}

RaftNode::VoteResult RaftNode::Poll(uint64_t from, bool granted) {
  votes_.emplace(from, granted);  // only the first answer of each voter counts
  size_t yes = 0, no = 0;
  for (const auto& [id, v] : votes_) (v ? yes : no)++;
  if (yes >= Quorum()) return VoteResult::kWon;
  if (no > peers_.size() - Quorum()) return VoteResult::kLost;
  return VoteResult::kPending;
}

// ---------------------------------------------------------------------------------------------------------------
// Ticks

void RaftNode::Tick() {
  if (role_ == Role::kLeader) {
    TickHeartbeat();
  } else {
    TickElection();
  }
}

void RaftNode::TickElection() {
  ++election_elapsed_;
  if (election_elapsed_ >= randomized_election_timeout_) {
    election_elapsed_ = 0;
    Hup();
  }
}

void RaftNode::TickHeartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= cfg_.election_tick) {
    election_elapsed_ = 0;
    // Thesis §6.2 / etcd MsgCheckQuorum: a leader that has not heard from a quorum within an election timeout
    // steps down, so that clients stop talking to a leader that may have been replaced.
    if (cfg_.check_quorum) {
      if (!QuorumActive()) {
        BecomeFollower(term_, 0);
        return;
      }
      for (auto& [id, pr] : prs_) pr.recent_active = (id == id_);
    }
  }
  // A kSnap that was never acknowledged is presumed lost (etcd relies on the host's ReportSnapshot for this).
  for (auto& [id, pr] : prs_) {
    if (pr.state != PrState::kSnapshot) continue;
    if (++pr.snapshot_elapsed >= cfg_.election_tick) ReportSnapshot(id, false);
  }
  if (heartbeat_elapsed_ >= cfg_.heartbeat_tick) {
    heartbeat_elapsed_ = 0;
    BcastHeartbeat();
  }
}

bool RaftNode::QuorumActive() const {
  size_t active = 0;
  for (const auto& [id, pr] : prs_) {
    if (id == id_ || pr.recent_active) ++active;
  }
  return active >= Quorum();
}

// ---------------------------------------------------------------------------------------------------------------
// Messages in (etcd raft.go Step)

void RaftNode::Send(Message m) {
  m.from = id_;
  msgs_.push_back(std::move(m));
}

void RaftNode::Step(const Message& m) {
  if (m.to != id_ || m.from == id_ || !IsPeer(m.from)) return;
  if (m.term == 0) {
    // Only proposals travel without a term (etcd: local messages); anything else is malformed.
    if (m.type != MsgType::kProp) return;
  } else if (m.term > term_) {
    if (m.type == MsgType::kVote || m.type == MsgType::kPreVote) {
      // Leader lease (thesis §4.2.3 / §6.2, etcd inLease): a member that heard from a leader within the minimum
      // election timeout ignores vote requests, so a rejoining member cannot depose a healthy leader. etcd ties
      // this to CheckQuorum; for pre-votes it is the thesis §9.6 rule itself, so it applies with PreVote alone.
      bool lease = cfg_.check_quorum || m.type == MsgType::kPreVote;
      if (lease && lead_ != 0 && election_elapsed_ < cfg_.election_tick) return;
    }
    if (m.type == MsgType::kPreVote) {
      // Never change our term in response to a pre-vote (thesis §9.6).
    } else if (m.type == MsgType::kPreVoteResp && !m.reject) {
      // A granted pre-vote carries the future term we asked about; the real campaign will move to it.
    } else if (m.type == MsgType::kApp || m.type == MsgType::kHeartbeat || m.type == MsgType::kSnap) {
      BecomeFollower(m.term, m.from);  // §5.1: a higher term makes us a follower, of its sender here
    } else {
      BecomeFollower(m.term, 0);
    }
  } else if (m.term < term_) {
    if ((cfg_.check_quorum || cfg_.pre_vote) && (m.type == MsgType::kHeartbeat || m.type == MsgType::kApp)) {
      // etcd: a stale leader (e.g. isolated, then rejoining) would otherwise keep sending forever, since with
      // CheckQuorum/PreVote our higher term never reaches it through a vote; this reply makes it step down.
      Message r;
      r.type = MsgType::kAppResp;
      r.to = m.from;
      r.term = term_;
      Send(std::move(r));
    } else if (m.type == MsgType::kPreVote) {
      // etcd: reject explicitly so that a pre-candidate with a stale term learns ours instead of waiting.
      Message r;
      r.type = MsgType::kPreVoteResp;
      r.to = m.from;
      r.term = term_;
      r.reject = true;
      Send(std::move(r));
    }
    return;  // §5.1: stale-term requests are rejected, stale responses ignored
  }

  if (m.type == MsgType::kVote || m.type == MsgType::kPreVote) {
    HandleVoteRequest(m);
    return;
  }
  switch (role_) {
    case Role::kLeader: StepLeader(m); break;
    case Role::kPreCandidate:
    case Role::kCandidate: StepCandidate(m); break;
    case Role::kFollower: StepFollower(m); break;
  }
}

void RaftNode::HandleVoteRequest(const Message& m) {
  // §5.2: at most one vote per term, first come first served; a pre-vote for a future term binds nothing.
  bool can_vote = vote_ == m.from || (vote_ == 0 && lead_ == 0) || (m.type == MsgType::kPreVote && m.term > term_);
  MsgType resp = m.type == MsgType::kVote ? MsgType::kVoteResp : MsgType::kPreVoteResp;
  Message r;
  r.type = resp;
  r.to = m.from;
  // §5.4.1 election restriction: only vote for a candidate whose log is at least as up to date as ours.
  if (can_vote && IsUpToDate(m.index, m.log_term)) {
    r.term = m.term;
    if (m.type == MsgType::kVote) {
      election_elapsed_ = 0;  // §5.2: granting a vote resets the election timer
      vote_ = m.from;
    }
  } else {
    r.term = term_;
    r.reject = true;
  }
  Send(std::move(r));
}

void RaftNode::StepFollower(const Message& m) {
  switch (m.type) {
    case MsgType::kProp: {
      if (lead_ == 0) return;  // etcd drops it (ErrProposalDropped)
      Message f = m;
      f.to = lead_;
      Send(std::move(f));
      return;
    }
    case MsgType::kApp:
      election_elapsed_ = 0;
      SetLead(m.from);
      HandleAppendEntries(m);
      return;
    case MsgType::kHeartbeat:
      election_elapsed_ = 0;
      SetLead(m.from);
      HandleHeartbeat(m);
      return;
    case MsgType::kSnap:
      election_elapsed_ = 0;
      SetLead(m.from);
      HandleSnapshot(m);
      return;
    default: return;
  }
}

void RaftNode::StepCandidate(const Message& m) {
  switch (m.type) {
    case MsgType::kProp: return;  // no leader: dropped
    // §5.2: an append from a leader of our term means we lost; become its follower.
    case MsgType::kApp:
      BecomeFollower(m.term, m.from);
      HandleAppendEntries(m);
      return;
    case MsgType::kHeartbeat:
      BecomeFollower(m.term, m.from);
      HandleHeartbeat(m);
      return;
    case MsgType::kSnap:
      BecomeFollower(m.term, m.from);
      HandleSnapshot(m);
      return;
    default: break;
  }
  if (!IsVoteResp(m.type)) return;
  MsgType mine = role_ == Role::kPreCandidate ? MsgType::kPreVoteResp : MsgType::kVoteResp;
  if (m.type != mine) return;  // a stale answer from the other phase
  switch (Poll(m.from, !m.reject)) {
    case VoteResult::kWon:
      if (role_ == Role::kPreCandidate) {
        DoCampaign(false);
      } else {
        BecomeLeader();
        BcastAppend();
      }
      return;
    case VoteResult::kLost:
      // etcd: a lost (pre-)election returns to follower in the current term and waits for the next timeout.
      BecomeFollower(term_, 0);
      return;
    case VoteResult::kPending: return;
  }
}

void RaftNode::HandleAppendEntries(const Message& m) {
  Message r;
  r.type = MsgType::kAppResp;
  r.to = m.from;
  r.term = term_;
  if (m.index < commit_) {
    // Everything up to commit_ is known to match (§5.4 Leader Completeness); tell the leader where we are.
    r.index = commit_;
    Send(std::move(r));
    return;
  }
  uint64_t t = 0;
  if (Term(m.index, &t) && t == m.log_term) {
    // §5.3 consistency check passed: append, truncating only from the first conflicting entry so that a stale,
    // reordered append cannot cut off entries we already acknowledged.
    uint64_t last_new = m.index + m.entries.size();
    size_t k = 0;
    for (; k < m.entries.size(); ++k) {
      const Entry& e = m.entries[k];
      uint64_t have = 0;
      if (!Term(e.index, &have) || have != e.term) break;
    }
    if (k < m.entries.size()) AppendToLog(std::vector<Entry>(m.entries.begin() + k, m.entries.end()));
    // §5.3: commit min(leaderCommit, index of last new entry).
    CommitTo(std::min(m.commit, last_new));
    r.index = last_new;
  } else {
    uint64_t hint = FindConflictByTerm(std::min(m.index, last_index()), m.log_term);
    r.index = m.index;
    r.reject = true;
    r.reject_hint = hint;
    r.log_term = TermAt(hint);
  }
  Send(std::move(r));
}

void RaftNode::HandleHeartbeat(const Message& m) {
  CommitTo(m.commit);
  Message r;
  r.type = MsgType::kHeartbeatResp;
  r.to = m.from;
  r.term = term_;
  Send(std::move(r));
}

void RaftNode::HandleSnapshot(const Message& m) {
  Message r;
  r.type = MsgType::kAppResp;
  r.to = m.from;
  r.term = term_;
  uint64_t t = 0;
  if (m.snap_index <= commit_) {
    r.index = commit_;  // stale snapshot: we already have (and committed) that prefix
  } else if (Term(m.snap_index, &t) && t == m.snap_term) {
    CommitTo(m.snap_index);  // we hold the entry: fast-forward the commit, keep the log (etcd restore)
    r.index = commit_;
  } else {
    // §7: discard the whole log and take the snapshot as the state machine.
    log_.clear();
    snap_index_ = m.snap_index;
    snap_term_ = m.snap_term;
    snap_data_ = m.snap_data;
    snap_bytes_ = m.snap_bytes;
    commit_ = snap_index_;
    unstable_ = snap_index_ + 1;
    snapshot_pending_ = true;
    r.index = last_index();
  }
  Send(std::move(r));
}

// ---------------------------------------------------------------------------------------------------------------
// The leader (etcd raft.go stepLeader)

bool RaftNode::Propose(uint32_t bytes, std::shared_ptr<const void> payload) {
  Entry e;
  e.bytes = bytes;
  e.payload = std::move(payload);
  if (role_ == Role::kLeader) {
    AppendEntries({std::move(e)});
    BcastAppend();
    return true;
  }
  if (role_ == Role::kFollower && lead_ != 0) {
    Message m;
    m.type = MsgType::kProp;
    m.to = lead_;
    m.entries.push_back(std::move(e));
    Send(std::move(m));
    return true;
  }
  return false;
}

void RaftNode::StepLeader(const Message& m) {
  if (m.type == MsgType::kProp) {
    if (m.entries.empty()) return;
    AppendEntries(m.entries);
    BcastAppend();
    return;
  }
  auto it = prs_.find(m.from);
  if (it == prs_.end()) return;
  Progress& pr = it->second;
  if (m.type == MsgType::kAppResp) {
    HandleAppResp(m, pr);
  } else if (m.type == MsgType::kHeartbeatResp) {
    HandleHeartbeatResp(m, pr);
  }
}

void RaftNode::AppendEntries(std::vector<Entry> ents) {
  uint64_t li = last_index();
  for (size_t i = 0; i < ents.size(); ++i) {
    ents[i].term = term_;
    ents[i].index = li + 1 + i;
  }
  AppendToLog(ents);
  // etcd: the leader's own entries count toward its match at once; the host persists them before it sends the
  // messages of the same Ready, and nothing is applied before that Ready is persisted.
  MaybeUpdate(prs_[id_], last_index());
  MaybeCommit();
}

// §5.3 / §5.4.2: the highest index replicated on a quorum is committed, but only if it is of the current term;
// entries of older terms are committed indirectly with it (the Figure 8 rule).
bool RaftNode::MaybeCommit() {
  std::vector<uint64_t> match;
  match.reserve(prs_.size());
  for (const auto& [id, pr] : prs_) match.push_back(pr.match);
  std::sort(match.begin(), match.end(), std::greater<uint64_t>());
  uint64_t mci = match[Quorum() - 1];
  if (mci > commit_ && TermAt(mci) == term_) {
    commit_ = mci;
    return true;
  }
  return false;
}

void RaftNode::BcastAppend() {
  for (uint64_t p : peers_) {
    if (p != id_) SendAppend(p);
  }
}

void RaftNode::BcastHeartbeat() {
  for (uint64_t p : peers_) {
    if (p == id_) continue;
    Message m;
    m.type = MsgType::kHeartbeat;
    m.to = p;
    m.term = term_;
    // etcd: never tell a follower to commit beyond what it is known to hold, or it might commit an entry it
    // has not received (its log may still hold a conflicting one).
    m.commit = std::min(prs_[p].match, commit_);
    Send(std::move(m));
  }
}

bool RaftNode::MaybeSendAppend(uint64_t to, bool send_if_empty) {
  Progress& pr = prs_[to];
  if (IsPaused(pr)) return false;
  Message m;
  m.to = to;
  m.term = term_;
  uint64_t prev_term = 0;
  bool have = pr.next > snap_index_ && Term(pr.next - 1, &prev_term);
  if (have) {
    uint64_t last = std::min<uint64_t>(last_index(), pr.next - 1 + cfg_.max_entries_per_msg);
    for (uint64_t i = pr.next; i <= last; ++i) m.entries.push_back(log_[i - snap_index_ - 1]);
  }
  if (m.entries.empty() && !send_if_empty) return false;
  if (!have) {
    // §7: the entries the follower needs were compacted; send the snapshot instead. etcd only does so to a
    // follower recently heard from, since a snapshot is expensive.
    if (!pr.recent_active) return false;
    m.type = MsgType::kSnap;
    m.snap_index = snap_index_;
    m.snap_term = snap_term_;
    m.snap_data = snap_data_;
    m.snap_bytes = snap_bytes_;
    BecomeSnapshot(pr, snap_index_);
    Send(std::move(m));
    return true;
  }
  m.type = MsgType::kApp;
  m.index = pr.next - 1;
  m.log_term = prev_term;
  m.commit = commit_;
  if (!m.entries.empty()) {
    if (pr.state == PrState::kReplicate) {
      // Optimistic pipelining (etcd StateReplicate), bounded by the inflight window (etcd MaxInflightMsgs).
      uint64_t last = m.entries.back().index;
      pr.next = last + 1;
      pr.inflight.push_back(last);
    } else if (pr.state == PrState::kProbe) {
      pr.probe_sent = true;  // one probe at a time until the follower answers
    }
  }
  Send(std::move(m));
  return true;
}

void RaftNode::HandleAppResp(const Message& m, Progress& pr) {
  pr.recent_active = true;
  if (m.reject) {
    // §5.3: back up next and retry; the hint lets the leader skip past a whole conflicting term (etcd 3.5).
    uint64_t next_probe = m.reject_hint;
    if (m.log_term > 0) next_probe = FindConflictByTerm(m.reject_hint, m.log_term);
    if (MaybeDecrTo(pr, m.index, next_probe)) {
      if (pr.state == PrState::kReplicate) BecomeProbe(pr);
      SendAppend(m.from);
    }
    return;
  }
  bool old_paused = IsPaused(pr);
  if (!MaybeUpdate(pr, m.index)) return;
  if (pr.state == PrState::kProbe) {
    BecomeReplicate(pr);
  } else if (pr.state == PrState::kSnapshot && pr.match >= pr.pending_snapshot) {
    BecomeProbe(pr);  // the follower has restored the snapshot: resume from it
    BecomeReplicate(pr);
  } else if (pr.state == PrState::kReplicate) {
    while (!pr.inflight.empty() && pr.inflight.front() <= m.index) pr.inflight.pop_front();
  }
  if (MaybeCommit()) {
    BcastAppend();  // tell everyone about the new commit index
  } else if (old_paused) {
    SendAppend(m.from);
  }
  // The window may have opened for several (size-limited) appends at once.
  while (MaybeSendAppend(m.from, false)) {
  }
}

void RaftNode::HandleHeartbeatResp(const Message& m, Progress& pr) {
  pr.recent_active = true;
  pr.probe_sent = false;
  // etcd: free one slot of a full window so that a follower whose acks were lost still makes progress.
  if (pr.state == PrState::kReplicate && pr.inflight.size() >= cfg_.max_inflight) pr.inflight.pop_front();
  if (pr.match < last_index()) SendAppend(m.from);
}

void RaftNode::ReportSnapshot(uint64_t to, bool ok) {
  if (role_ != Role::kLeader) return;
  auto it = prs_.find(to);
  if (it == prs_.end() || it->second.state != PrState::kSnapshot) return;
  Progress& pr = it->second;
  if (!ok) pr.pending_snapshot = 0;
  BecomeProbe(pr);
  pr.probe_sent = true;  // etcd: wait for the follower's next answer (or a heartbeat response) before probing
}

// ---------------------------------------------------------------------------------------------------------------
// Progress (etcd tracker/progress.go)

bool RaftNode::IsPaused(const Progress& pr) const {
  switch (pr.state) {
    case PrState::kProbe: return pr.probe_sent;
    case PrState::kReplicate: return pr.inflight.size() >= cfg_.max_inflight;
    case PrState::kSnapshot: return true;  // until the follower acknowledges the snapshot
  }
  return true;
}

bool RaftNode::MaybeUpdate(Progress& pr, uint64_t n) {
  bool updated = false;
  if (pr.match < n) {
    pr.match = n;
    updated = true;
    pr.probe_sent = false;
  }
  pr.next = std::max(pr.next, n + 1);
  return updated;
}

bool RaftNode::MaybeDecrTo(Progress& pr, uint64_t rejected, uint64_t match_hint) {
  if (pr.state == PrState::kReplicate) {
    if (rejected <= pr.match) return false;  // stale rejection
    pr.next = pr.match + 1;
    return true;
  }
  if (pr.next == 0 || pr.next - 1 != rejected) return false;  // not the probe we are waiting for
  pr.next = std::max<uint64_t>(std::min(rejected, match_hint + 1), 1);
  pr.probe_sent = false;
  return true;
}

void RaftNode::ResetState(Progress& pr, PrState s) {
  pr.probe_sent = false;
  pr.pending_snapshot = 0;
  pr.snapshot_elapsed = 0;
  pr.state = s;
  pr.inflight.clear();
}

void RaftNode::BecomeProbe(Progress& pr) {
  if (pr.state == PrState::kSnapshot) {
    uint64_t pending = pr.pending_snapshot;
    ResetState(pr, PrState::kProbe);
    pr.next = std::max(pr.match + 1, pending + 1);
  } else {
    ResetState(pr, PrState::kProbe);
    pr.next = pr.match + 1;
  }
}

void RaftNode::BecomeReplicate(Progress& pr) {
  ResetState(pr, PrState::kReplicate);
  pr.next = pr.match + 1;
}

void RaftNode::BecomeSnapshot(Progress& pr, uint64_t snap_index) {
  ResetState(pr, PrState::kSnapshot);
  pr.pending_snapshot = snap_index;
}

std::vector<ProgressStatus> RaftNode::progress() const {
  std::vector<ProgressStatus> out;
  if (role_ != Role::kLeader) return out;
  for (const auto& [id, pr] : prs_) {
    ProgressStatus s;
    s.id = id;
    s.match = pr.match;
    s.next = pr.next;
    s.state = pr.state == PrState::kProbe ? "StateProbe" : pr.state == PrState::kReplicate ? "StateReplicate"
                                                                                            : "StateSnapshot";
    s.paused = IsPaused(pr);
    s.recent_active = id == id_ || pr.recent_active;  // a leader is always active to itself (etcd)
    s.pending_snapshot = pr.pending_snapshot;
    s.inflight = pr.inflight.size();
    s.inflight_full = pr.inflight.size() >= cfg_.max_inflight;
    out.push_back(s);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Ready / Advance / Compact (etcd rawnode.go)

bool RaftNode::HasReady() const {
  return role_ != prev_role_ || lead_ != prev_lead_ || term_ != prev_term_ || vote_ != prev_vote_ ||
         commit_ != prev_commit_ || snapshot_pending_ || unstable_ <= last_index() || commit_ > applying_ ||
         !msgs_.empty();
}

Ready RaftNode::GetReady() {
  Ready rd;
  rd.role = role_;
  rd.leader = lead_;
  rd.soft_state_changed = role_ != prev_role_ || lead_ != prev_lead_;
  prev_role_ = role_;
  prev_lead_ = lead_;
  rd.term = term_;
  rd.vote = vote_;
  rd.commit = commit_;
  rd.hard_state_changed = term_ != prev_term_ || vote_ != prev_vote_ || commit_ != prev_commit_;
  prev_term_ = term_;
  prev_vote_ = vote_;
  prev_commit_ = commit_;
  if (snapshot_pending_) {
    rd.has_snapshot = true;
    rd.snap_index = snap_index_;
    rd.snap_term = snap_term_;
    rd.snap_data = snap_data_;
    rd.snap_bytes = snap_bytes_;
    applying_ = std::max(applying_, snap_index_);
    snapshot_pending_ = false;
  }
  for (uint64_t i = std::max(unstable_, first_index()); i <= last_index(); ++i) {
    rd.entries.push_back(log_[i - snap_index_ - 1]);
  }
  unstable_ = last_index() + 1;
  for (uint64_t i = std::max(applying_ + 1, first_index()); i <= commit_; ++i) {
    rd.committed.push_back(log_[i - snap_index_ - 1]);
  }
  applying_ = std::max(applying_, commit_);
  rd.messages.swap(msgs_);
  return rd;
}

void RaftNode::Advance() { applied_ = std::max(applied_, applying_); }

void RaftNode::Compact(uint64_t index, std::shared_ptr<const void> data, uint64_t bytes) {
  if (index <= snap_index_ || index > applied_ || index > last_index()) return;
  uint64_t t = TermAt(index);
  log_.erase(log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(index - snap_index_));
  snap_index_ = index;
  snap_term_ = t;
  snap_data_ = std::move(data);
  snap_bytes_ = bytes;
}

}  // namespace planelab::raft
