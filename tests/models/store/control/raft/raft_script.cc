#include "tests/models/store/control/raft/raft_script.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <map>
#include <sstream>

#include "models/store/control/raft/raft_node.h"

namespace planelab::raft::script {

namespace {

constexpr int kNone = 5;
const char* const kLevels[] = {"DEBUG", "INFO", "WARN", "ERROR", "FATAL", "NONE"};

// ---------------------------------------------------------------------------------------------------------------
// Text forms, after etcd's util.go (DescribeEntry, DescribeMessage, DescribeReady) so scripts read like etcd's.

std::string U(uint64_t v) { return std::to_string(v); }

// Go's %q for the ASCII the scripts use: quotes, backslash escapes, \xNN for the rest.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// Every payload the interpreter proposes is a std::string; the leader's empty entries have none.
std::string Data(const std::shared_ptr<const void>& p) {
  return p ? *static_cast<const std::string*>(p.get()) : std::string();
}

std::string DescribeEntry(const Entry& e) {
  return U(e.term) + "/" + U(e.index) + " EntryNormal " + Quote(Data(e.payload));
}

std::string MsgName(MsgType t) { return std::string("Msg") + ToString(t); }

std::string StateName(Role r) { return std::string("State") + ToString(r); }

std::string DescribeMessage(const Message& m) {
  std::string s = U(m.from) + "->" + U(m.to) + " " + MsgName(m.type) + " Term:" + U(m.term) + " Log:" +
                  U(m.log_term) + "/" + U(m.index);
  if (m.reject) s += " Rejected (Hint: " + U(m.reject_hint) + ")";
  if (m.commit != 0) s += " Commit:" + U(m.commit);
  if (m.entries.size() == 1) {
    s += " Entries:[" + DescribeEntry(m.entries[0]) + "]";
  } else if (m.entries.size() > 1) {
    s += " Entries:[";
    for (const Entry& e : m.entries) s += "\n  " + DescribeEntry(e);
    s += "\n]";
  }
  if (m.type == MsgType::kSnap) s += "\n  Snapshot: Index:" + U(m.snap_index) + " Term:" + U(m.snap_term);
  return s;
}

std::string DescribeHardState(uint64_t term, uint64_t vote, uint64_t commit) {
  std::string s = "Term:" + U(term);
  if (vote != 0) s += " Vote:" + U(vote);
  return s + " Commit:" + U(commit);
}

std::string DescribeReady(const Ready& rd, bool must_sync) {
  std::string b;
  if (rd.soft_state_changed) b += "Lead:" + U(rd.leader) + " State:" + StateName(rd.role) + "\n";
  if (rd.hard_state_changed) b += "HardState " + DescribeHardState(rd.term, rd.vote, rd.commit) + "\n";
  if (!rd.entries.empty()) {
    b += "Entries:\n";
    for (const Entry& e : rd.entries) b += DescribeEntry(e) + "\n";
  }
  if (rd.has_snapshot) b += "Snapshot Index:" + U(rd.snap_index) + " Term:" + U(rd.snap_term) + "\n";
  if (!rd.committed.empty()) {
    b += "CommittedEntries:\n";
    for (const Entry& e : rd.committed) b += DescribeEntry(e) + "\n";
  }
  if (!rd.messages.empty()) {
    b += "Messages:\n";
    for (const Message& m : rd.messages) b += DescribeMessage(m) + "\n";
  }
  if (b.empty()) return "<empty Ready>\n";
  return std::string("Ready MustSync=") + (must_sync ? "true" : "false") + ":\n" + b;
}

const char* RoleWord(Role r) {
  switch (r) {
    case Role::kFollower: return "follower";
    case Role::kPreCandidate: return "pre-candidate";
    case Role::kCandidate: return "candidate";
    case Role::kLeader: return "leader";
  }
  return "?";
}

bool ParseMsgType(const std::string& s, MsgType* t) {
  for (int i = 0; i <= static_cast<int>(MsgType::kSnap); ++i) {
    if (MsgName(static_cast<MsgType>(i)) == s) {
      *t = static_cast<MsgType>(i);
      return true;
    }
  }
  return false;
}

uint64_t ParseUint(const std::string& s, const std::string& what) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); })) {
    throw ScriptError(what + ": expected a number, got \"" + s + "\"");
  }
  return std::stoull(s);
}

bool ParseBool(const std::string& s, const std::string& what) {
  if (s == "true") return true;
  if (s == "false") return false;
  throw ScriptError(what + ": expected true or false, got \"" + s + "\"");
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::string cur;
  for (char c : text) {
    if (c == '\n') {
      lines.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  return lines;
}

std::string Indent(const std::string& text) {
  std::string out;
  for (const std::string& l : SplitLines(text)) out += "  " + l + "\n";
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// Parsing a command line (datadriven's syntax)

Command ParseCommand(const std::string& line, int line_no) {
  Command c;
  c.line = line_no;
  std::vector<std::string> tokens;
  std::string cur;
  int depth = 0;
  for (char ch : line) {
    if (ch == '(') ++depth;
    if (ch == ')') --depth;
    if (std::isspace(static_cast<unsigned char>(ch)) && depth == 0) {
      if (!cur.empty()) tokens.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) tokens.push_back(cur);
  if (depth != 0) throw ScriptError("line " + std::to_string(line_no) + ": unbalanced parentheses");
  if (tokens.empty()) throw ScriptError("line " + std::to_string(line_no) + ": empty command");
  c.name = tokens[0];
  for (size_t i = 1; i < tokens.size(); ++i) {
    Arg a;
    size_t eq = tokens[i].find('=');
    if (eq == std::string::npos) {
      a.key = tokens[i];
    } else {
      a.key = tokens[i].substr(0, eq);
      std::string v = tokens[i].substr(eq + 1);
      if (v.size() >= 2 && v.front() == '(' && v.back() == ')') {
        std::string item;
        for (char ch : v.substr(1, v.size() - 2) + ",") {
          if (ch == ',') {
            if (!item.empty()) a.vals.push_back(item);
            item.clear();
          } else if (!std::isspace(static_cast<unsigned char>(ch))) {
            item += ch;
          }
        }
      } else {
        a.vals.push_back(v);
      }
    }
    c.args.push_back(a);
  }
  return c;
}

// ---------------------------------------------------------------------------------------------------------------
// The environment

struct Env::Impl {
  struct Node {
    Config cfg;
    std::unique_ptr<RaftNode> raft;
    PersistentState disk;  // what the member's storage holds: survives `restart`
    uint64_t applied = 0;  // the state machine's last applied index
  };
  struct Seen {
    Role role;
    uint64_t term;
  };
  struct Recipient {
    uint64_t id;
    bool drop;
  };

  std::vector<Node> nodes;  // nodes[i] has id i + 1
  std::vector<Message> msgs;  // in flight, in send order
  int lvl = 0;
  std::string out;
  std::string errors;  // shown even at log-level none (etcd prints a handler's error whatever the level)

  void Write(const std::string& s) {
    if (lvl < kNone) out += s;
  }
  void Log(int level, const std::string& s) {
    if (lvl <= level) Write(std::string(kLevels[level]) + " " + s + "\n");
  }
  void WithIndent(const std::function<void()>& f) {
    std::string saved;
    saved.swap(out);
    f();
    std::string inner;
    inner.swap(out);
    out = saved + Indent(inner);
  }

  Node& At(uint64_t id, const Command& c) {
    if (id == 0 || id > nodes.size()) {
      throw ScriptError(c.name + ": no member " + U(id) + " (there are " + U(nodes.size()) + ")");
    }
    return nodes[id - 1];
  }
  uint64_t FirstId(const Command& c) {
    if (c.args.empty() || !c.args[0].vals.empty()) throw ScriptError(c.name + ": expected a member id first");
    uint64_t id = ParseUint(c.args[0].key, c.name);
    At(id, c);
    return id;
  }
  // Bare numbers among the arguments: member ids; all members when there are none.
  std::vector<uint64_t> Ids(const Command& c) {
    std::vector<uint64_t> ids;
    for (const Arg& a : c.args) {
      if (!a.vals.empty()) continue;
      ids.push_back(ParseUint(a.key, c.name));
      At(ids.back(), c);
    }
    return ids;
  }

  Seen Look(uint64_t id) const { return {nodes[id - 1].raft->role(), nodes[id - 1].raft->term()}; }
  // PlaneLab's core does not log; report the role and term changes a step caused, in etcd's words.
  void Observe(uint64_t id, const Seen& before) {
    Seen now = Look(id);
    if (now.role != before.role || now.term != before.term) {
      Log(1, U(id) + " became " + RoleWord(now.role) + " at term " + U(now.term));
    }
  }

  // --- Commands

  void AddNodes(const Command& c) {
    if (c.args.empty() || !c.args[0].vals.empty()) throw ScriptError("add-nodes: expected how many first");
    uint64_t n = ParseUint(c.args[0].key, "add-nodes");
    Config cfg;  // etcd's raftConfigStub: ElectionTick 3, HeartbeatTick 1, no limits, PreVote and CheckQuorum off
    cfg.election_tick = 3;
    cfg.heartbeat_tick = 1;
    cfg.pre_vote = false;
    cfg.check_quorum = false;
    cfg.max_entries_per_msg = size_t{1} << 30;
    cfg.max_inflight = size_t{1} << 30;
    uint64_t index = 0;
    bool voters_given = false;
    for (size_t i = 1; i < c.args.size(); ++i) {
      const Arg& a = c.args[i];
      auto one = [&]() -> const std::string& {
        if (a.vals.size() != 1) throw ScriptError("add-nodes: " + a.key + " takes one value");
        return a.vals[0];
      };
      if (a.key == "voters") {
        voters_given = true;
        for (const std::string& v : a.vals) cfg.peers.push_back(ParseUint(v, "add-nodes voters"));
      } else if (a.key == "index") {
        index = ParseUint(one(), "add-nodes index");
      } else if (a.key == "prevote") {
        cfg.pre_vote = ParseBool(one(), "add-nodes prevote");
      } else if (a.key == "checkquorum") {
        cfg.check_quorum = ParseBool(one(), "add-nodes checkquorum");
      } else if (a.key == "inflight") {
        cfg.max_inflight = ParseUint(one(), "add-nodes inflight");
      } else if (a.key == "max-entries") {
        cfg.max_entries_per_msg = ParseUint(one(), "add-nodes max-entries");
      } else if (a.key == "election-tick") {
        cfg.election_tick = static_cast<int>(ParseUint(one(), "add-nodes election-tick"));
      } else if (a.key == "heartbeat-tick") {
        cfg.heartbeat_tick = static_cast<int>(ParseUint(one(), "add-nodes heartbeat-tick"));
      } else if (a.key == "seed") {
        cfg.seed = ParseUint(one(), "add-nodes seed");
      } else {
        throw ScriptError("add-nodes: unknown argument " + a.key);
      }
    }
    if (!voters_given) {
      for (uint64_t id = 1; id <= nodes.size() + n; ++id) cfg.peers.push_back(id);
    }
    if (index == 1) throw ScriptError("add-nodes: index must be > 1 (etcd bootstraps from a snapshot there)");
    for (uint64_t k = 0; k < n; ++k) {
      Node node;
      node.cfg = cfg;
      node.cfg.id = nodes.size() + 1;
      if (index > 1) {
        // etcd's add-nodes: a snapshot at `index`, term 1, with the voters as its configuration; applied = index.
        node.disk.snap_index = index;
        node.disk.snap_term = 1;
        node.disk.commit = index;
        node.applied = index;
      }
      try {
        node.raft = index > 1 ? std::make_unique<RaftNode>(node.cfg, node.disk) : std::make_unique<RaftNode>(node.cfg);
      } catch (const std::invalid_argument& e) {
        errors += std::string(e.what()) + "\n";
        return;
      }
      const RaftNode& r = *node.raft;
      std::string peers;
      for (size_t i = 0; i < cfg.peers.size(); ++i) peers += (i ? "," : "") + U(cfg.peers[i]);
      Log(1, "newRaft " + U(r.id()) + " [peers: [" + peers + "], term: " + U(r.term()) + ", commit: " + U(r.commit()) +
                 ", applied: " + U(r.applied()) + ", lastindex: " + U(r.last_index()) + ", lastterm: " +
                 U(r.last_term()) + "]");
      nodes.push_back(std::move(node));
    }
  }

  void ProcessReady(uint64_t id) {
    Node& n = nodes[id - 1];
    Ready rd = n.raft->GetReady();
    // etcd's MustSync (rawnode.go): new entries or a changed term or vote must be fsynced before the messages go
    // out; a commit index alone need not be. (etcd leaves a snapshot out of it too; the host persists it anyway.)
    bool must_sync = !rd.entries.empty() || rd.term != n.disk.term || rd.vote != n.disk.vote;
    Write(DescribeReady(rd, must_sync));
    // Persist, as the host contract says: the snapshot (replacing the log), the hard state, then the entries.
    if (rd.has_snapshot) {
      n.disk.snap_index = rd.snap_index;
      n.disk.snap_term = rd.snap_term;
      n.disk.snap_data = rd.snap_data;
      n.disk.snap_bytes = rd.snap_bytes;
      n.disk.entries.clear();
    }
    n.disk.term = rd.term;
    n.disk.vote = rd.vote;
    n.disk.commit = rd.commit;
    if (!rd.entries.empty()) {
      uint64_t first = rd.entries.front().index;
      auto& log = n.disk.entries;
      log.erase(std::remove_if(log.begin(), log.end(), [first](const Entry& e) { return e.index >= first; }),
                log.end());
      uint64_t expect = log.empty() ? n.disk.snap_index + 1 : log.back().index + 1;
      if (first != expect) {
        errors += "ERROR " + U(id) + " handed out entries from " + U(first) + " but its disk ends at " +
                  U(expect - 1) + "\n";
      }
      log.insert(log.end(), rd.entries.begin(), rd.entries.end());
    }
    // Apply: committed entries must follow one another (and the snapshot) without gaps or repeats.
    if (rd.has_snapshot) n.applied = std::max(n.applied, rd.snap_index);
    for (const Entry& e : rd.committed) {
      if (e.index != n.applied + 1) {
        errors += "ERROR " + U(id) + " applies " + U(e.index) + " after " + U(n.applied) + "\n";
      }
      n.applied = e.index;
    }
    msgs.insert(msgs.end(), rd.messages.begin(), rd.messages.end());
    n.raft->Advance();
  }

  // etcd's DeliverMsgs: the messages to each recipient, in the order sent, of the given type (all when null).
  int DeliverMsgs(const MsgType* type, const std::vector<Recipient>& rs, const Command& c) {
    int handled = 0;
    for (const Recipient& r : rs) {
      std::vector<Message> mine, rest;
      for (Message& m : msgs) {
        bool match = m.to == r.id && (type == nullptr || m.type == *type);
        (match ? mine : rest).push_back(std::move(m));
      }
      msgs.swap(rest);
      handled += static_cast<int>(mine.size());
      for (const Message& m : mine) {
        if (r.drop) {
          Write("dropped: " + DescribeMessage(m) + "\n");
          continue;
        }
        Write(DescribeMessage(m) + "\n");
        At(r.id, c);
        Seen before = Look(r.id);
        nodes[r.id - 1].raft->Step(m);
        Observe(r.id, before);
      }
    }
    return handled;
  }

  void Stabilize(std::vector<uint64_t> ids, const Command& c) {
    if (ids.empty()) {
      for (uint64_t id = 1; id <= nodes.size(); ++id) ids.push_back(id);
    }
    for (int round = 0;; ++round) {
      if (round > 10000) throw ScriptError("stabilize: no fixed point after 10000 rounds");
      bool done = true;
      for (uint64_t id : ids) {
        if (!nodes[id - 1].raft->HasReady()) continue;
        Write("> " + U(id) + " handling Ready\n");
        WithIndent([&]() { ProcessReady(id); });
        done = false;
      }
      for (uint64_t id : ids) {
        bool any = std::any_of(msgs.begin(), msgs.end(), [id](const Message& m) { return m.to == id; });
        if (!any) continue;
        Write("> " + U(id) + " receiving messages\n");
        WithIndent([&]() { DeliverMsgs(nullptr, {Recipient{id, false}}, c); });
        done = false;
      }
      if (done) return;
    }
  }

  void Tick(uint64_t id, int ticks) {
    for (int i = 0; i < ticks; ++i) {
      Seen before = Look(id);
      nodes[id - 1].raft->Tick();
      Observe(id, before);
    }
  }

  void Status(uint64_t id) {
    for (const ProgressStatus& p : nodes[id - 1].raft->progress()) {
      std::string s = U(p.id) + ": " + p.state + " match=" + U(p.match) + " next=" + U(p.next);
      if (p.paused) s += " paused";
      if (p.pending_snapshot > 0) s += " pendingSnap=" + U(p.pending_snapshot);
      if (!p.recent_active) s += " inactive";
      if (p.inflight > 0) s += " inflight=" + U(p.inflight) + (p.inflight_full ? "[full]" : "");
      Write(s + "\n");
    }
  }

  void RaftLog(uint64_t id) {
    const PersistentState& d = nodes[id - 1].disk;
    if (d.entries.empty()) {
      Write("log is empty: first index=" + U(d.snap_index + 1) + ", last index=" + U(d.snap_index) + "\n");
      return;
    }
    for (const Entry& e : d.entries) Write(DescribeEntry(e) + "\n");
  }

  // etcd's compact <id> <index>: MemoryStorage.Compact(index) keeps the entry at `index` only as the log's dummy
  // head (its term), so the log then starts at index + 1: here the member takes a snapshot at `index`.
  void Compact(uint64_t id, uint64_t index) {
    Node& n = nodes[id - 1];
    if (index <= n.disk.snap_index) {
      errors += "requested index " + U(index) + " is unavailable due to compaction (first index " +
                U(n.disk.snap_index + 1) + ")\n";
      return;
    }
    if (index > n.raft->applied()) {
      errors += "cannot compact past the applied index: " + U(index) + " > " + U(n.raft->applied()) + "\n";
      return;
    }
    uint64_t term = n.raft->TermAt(index);
    n.raft->Compact(index, std::make_shared<const std::string>("snapshot of " + U(id) + " at " + U(index)));
    PersistentState& d = n.disk;
    d.entries.erase(std::remove_if(d.entries.begin(), d.entries.end(),
                                   [index](const Entry& e) { return e.index <= index; }),
                    d.entries.end());
    d.snap_index = index;
    d.snap_term = term;
    RaftLog(id);
  }

  void Restart(uint64_t id) {
    Node& n = nodes[id - 1];
    n.raft = std::make_unique<RaftNode>(n.cfg, n.disk);  // whatever was not persisted is lost
    n.applied = n.disk.snap_index;  // the state machine is rebuilt from the snapshot; the rest is re-applied
    const RaftNode& r = *n.raft;
    Log(1, U(id) + " restarted from its disk [term: " + U(r.term()) + ", vote: " + U(r.vote()) + ", commit: " +
               U(r.commit()) + ", applied: " + U(r.applied()) + ", lastindex: " + U(r.last_index()) + "]");
  }

  std::string Handle(const Command& c) {
    out.clear();
    errors.clear();
    const std::string& cmd = c.name;
    if (cmd == "add-nodes") {
      AddNodes(c);
    } else if (cmd == "campaign") {
      uint64_t id = FirstId(c);
      Seen before = Look(id);
      nodes[id - 1].raft->Campaign();
      Observe(id, before);
    } else if (cmd == "propose") {
      uint64_t id = FirstId(c);
      if (c.args.size() != 2 || !c.args[1].vals.empty()) throw ScriptError("propose: expected <id> <data>");
      const std::string& data = c.args[1].key;
      Seen before = Look(id);
      bool ok = nodes[id - 1].raft->Propose(static_cast<uint32_t>(data.size()),
                                            std::make_shared<const std::string>(data));
      Observe(id, before);
      if (!ok) errors += "raft proposal dropped\n";  // etcd's ErrProposalDropped
    } else if (cmd == "tick-heartbeat") {
      uint64_t id = FirstId(c);
      Tick(id, nodes[id - 1].cfg.heartbeat_tick);
    } else if (cmd == "tick-election") {
      uint64_t id = FirstId(c);
      Tick(id, nodes[id - 1].cfg.election_tick);
    } else if (cmd == "set-randomized-election-timeout") {
      uint64_t id = FirstId(c);
      int timeout = 0;
      for (const Arg& a : c.args) {
        if (a.key == "timeout" && a.vals.size() == 1) timeout = static_cast<int>(ParseUint(a.vals[0], cmd));
      }
      if (timeout <= 0) throw ScriptError(cmd + ": expected timeout=<n>, n > 0");
      nodes[id - 1].raft->SetRandomizedElectionTimeout(timeout);
    } else if (cmd == "process-ready") {
      std::vector<uint64_t> ids = Ids(c);
      if (ids.empty()) throw ScriptError("process-ready: expected member ids");
      for (uint64_t id : ids) {
        if (ids.size() > 1) {
          Write("> " + U(id) + " handling Ready\n");
          WithIndent([&]() { ProcessReady(id); });
        } else {
          ProcessReady(id);
        }
      }
    } else if (cmd == "deliver-msgs") {
      std::vector<Recipient> rs;
      MsgType type = MsgType::kApp;
      bool typed = false;
      for (const Arg& a : c.args) {
        if (a.vals.empty()) {
          rs.push_back({ParseUint(a.key, cmd), false});
        } else if (a.key == "drop") {
          for (const std::string& v : a.vals) {
            uint64_t id = ParseUint(v, cmd);
            for (const Recipient& r : rs) {
              if (r.id == id) throw ScriptError(cmd + ": cannot both deliver and drop messages to " + v);
            }
            rs.push_back({id, true});
          }
        } else if (a.key == "type") {
          if (a.vals.size() != 1 || !ParseMsgType(a.vals[0], &type)) throw ScriptError(cmd + ": unknown type");
          typed = true;
        } else {
          throw ScriptError(cmd + ": unknown argument " + a.key);
        }
      }
      if (DeliverMsgs(typed ? &type : nullptr, rs, c) == 0) Write("no messages\n");
    } else if (cmd == "stabilize") {
      for (const Arg& a : c.args) {
        if (!a.vals.empty()) throw ScriptError("stabilize: unknown argument " + a.key);
      }
      Stabilize(Ids(c), c);
    } else if (cmd == "raft-state") {
      for (const Node& n : nodes) {
        const RaftNode& r = *n.raft;
        Write(U(r.id()) + ": " + StateName(r.role()) + " (Voter) Term:" + U(r.term()) + " Lead:" + U(r.leader()) +
              "\n");
      }
    } else if (cmd == "raft-log") {
      RaftLog(FirstId(c));
    } else if (cmd == "status") {
      Status(FirstId(c));
    } else if (cmd == "log-level") {
      if (c.args.size() != 1) throw ScriptError("log-level: expected one level");
      std::string want = c.args[0].key;
      std::transform(want.begin(), want.end(), want.begin(), [](unsigned char ch) { return std::toupper(ch); });
      auto it = std::find(std::begin(kLevels), std::end(kLevels), want);
      if (it == std::end(kLevels)) throw ScriptError("log-level: one of debug, info, warn, error, fatal, none");
      lvl = static_cast<int>(it - std::begin(kLevels));
    } else if (cmd == "compact") {
      uint64_t id = FirstId(c);
      if (c.args.size() != 2) throw ScriptError("compact: expected <id> <index>");
      Compact(id, ParseUint(c.args[1].key, cmd));
    } else if (cmd == "restart") {
      Restart(FirstId(c));
    } else {
      throw ScriptError("unknown command " + cmd);
    }
    std::string result = out + errors;
    if (result.empty()) return "ok";
    if (result.back() == '\n') result.pop_back();
    return result;
  }
};

Env::Env() : impl_(std::make_unique<Impl>()) {}
Env::~Env() = default;
std::string Env::Handle(const Command& cmd) { return impl_->Handle(cmd); }

// ---------------------------------------------------------------------------------------------------------------
// Running a script

namespace {

// A line diff (longest common subsequence): "-" expected only, "+" actual only, " " both.
std::string Diff(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> l(n + 1, std::vector<int>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) l[i][j] = a[i] == b[j] ? l[i + 1][j + 1] + 1 : std::max(l[i + 1][j], l[i][j + 1]);
  }
  std::string out;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      out += "   " + a[i++] + "\n";
      ++j;
    } else if (i < n && (j == m || l[i + 1][j] >= l[i][j + 1])) {
      out += "  -" + a[i++] + "\n";
    } else {
      out += "  +" + b[j++] + "\n";
    }
  }
  return out;
}

}  // namespace

ScriptResult RunScript(const std::string& text, const std::string& name) {
  ScriptResult res;
  std::vector<std::string> lines = SplitLines(text);
  Env env;
  std::string rewritten;
  size_t i = 0;
  auto fail = [&](int line, const std::string& why) {
    res.error = true;
    res.report += name + ":" + std::to_string(line) + ": " + why + "\n";
    res.rewritten = text;  // a broken script is not rewritten
  };
  while (i < lines.size()) {
    const std::string& line = lines[i];
    if (line.empty() || line[0] == '#') {
      rewritten += line + "\n";
      ++i;
      continue;
    }
    int cmd_line = static_cast<int>(i) + 1;
    std::string cmd_text = line;
    rewritten += line + "\n";
    ++i;
    if (i >= lines.size() || lines[i] != "----") {
      fail(cmd_line, "expected a ---- line after the command (input lines are not supported)");
      return res;
    }
    rewritten += "----\n";
    ++i;
    // Expected output: up to a blank line; or, after a second ----, up to a ----/---- pair (datadriven's form for
    // output with blank lines).
    std::vector<std::string> expected;
    if (i < lines.size() && lines[i] == "----") {
      ++i;
      while (i < lines.size() && !(lines[i] == "----" && i + 1 < lines.size() && lines[i + 1] == "----")) {
        expected.push_back(lines[i++]);
      }
      i += 2;
    } else {
      while (i < lines.size() && !lines[i].empty()) expected.push_back(lines[i++]);
    }
    std::string actual;
    try {
      actual = env.Handle(ParseCommand(cmd_text, cmd_line));
    } catch (const ScriptError& e) {
      fail(cmd_line, cmd_text + ": " + e.what());
      return res;
    }
    ++res.commands;
    std::vector<std::string> got = SplitLines(actual);
    if (got != expected) {
      ++res.mismatches;
      res.report += name + ":" + std::to_string(cmd_line) + ": " + cmd_text + "   (- expected, + actual)\n" +
                    Diff(expected, got);
    }
    res.expected_lines += static_cast<int>(got.size());
    bool blank = std::any_of(got.begin(), got.end(), [](const std::string& s) { return s.empty(); });
    if (blank) rewritten += "----\n";
    for (const std::string& g : got) rewritten += g + "\n";
    if (blank) rewritten += "----\n----\n";
  }
  res.rewritten = rewritten;
  return res;
}

}  // namespace planelab::raft::script
