// Raft conformance scripts: a small interpreter for a subset of the command language of etcd's raft interaction
// tests (go.etcd.io/raft rafttest/interaction_env*.go, driven by cockroachdb/datadriven over testdata/*.txt),
// run over PlaneLab's RaftNode. A script is a sequence of directives, each a command line, a `----` line and the
// output the command is expected to print, ended by a blank line; `#` lines are comments:
//
//   add-nodes 3 voters=(1,2,3) index=10 prevote=true
//   ----
//   ok
//
// Commands (etcd's names and meanings unless said otherwise; <id> is a member id, 1-based):
//   add-nodes <n> [voters=(..)] [index=<i>] [prevote=<bool>] [checkquorum=<bool>] [inflight=<n>]
//             [max-entries=<n>] [election-tick=<n>] [heartbeat-tick=<n>] [seed=<n>]
//       creates n members, numbered after the ones that exist. With index=i (> 1) each starts from a snapshot at
//       index i, term 1, as etcd's does. voters defaults to every member that exists after the command (PlaneLab
//       has no configuration changes: the voter set is fixed at creation and a snapshot carries none). Defaults are
//       etcd's test stub: election-tick 3, heartbeat-tick 1, no PreVote, no CheckQuorum, no inflight limit and no
//       message size limit. election-tick, heartbeat-tick, max-entries (max_entries_per_msg, counted in entries
//       where etcd's MaxSizePerMsg counts bytes) and seed are PlaneLab's. An invalid configuration prints
//       Config::Validate()'s problems and creates nothing.
//   campaign <id>, propose <id> <data>, tick-heartbeat <id>, tick-election <id>
//   set-randomized-election-timeout <id> timeout=<n>
//   process-ready <id>...          prints each Ready, persists it on the member's simulated disk, queues its
//                                  messages, applies its committed entries and calls Advance()
//   deliver-msgs [<id>...] [drop=(..)] [type=<MsgType>]
//   stabilize [<id>...]            Ready handling and delivery among those members until nothing changes
//   raft-state, raft-log <id>, status <id>, log-level <debug|info|warn|error|fatal|none>
//   compact <id> <index>           the member takes a snapshot at <index> and drops the log up to it
//   restart <id>                   PlaneLab addition: the member crashes and restarts from its disk
//
// Output is etcd's DescribeReady/DescribeMessage text (message types printed with etcd's Msg prefix), so a script
// reads like its etcd original. PlaneLab's core has no logger: the INFO lines are the interpreter's, one per role
// or term change it observes after each command step ("<id> became <role> at term <t>"), so a change that passes
// through intermediate roles within one step (a one-member cluster campaigning) prints only where it ended.
//
// A dropped proposal prints "raft proposal dropped" (etcd's ErrProposalDropped), even at log-level none, as etcd
// prints a command's error whatever the level.
//
// Randomized election timeouts: etcd draws them from a cryptographic random source, so its scripts stay
// deterministic only by never depending on the draw: tick-election ticks election-tick times, which makes a
// follower campaign only if it drew the smallest timeout, and a script that needs to know sets the timeout with
// set-randomized-election-timeout (a test hook etcd's raft exports; RaftNode has the same). Here each member's
// draw comes from std::mt19937_64 seeded with Config::seed (mixed with the id), which the C++ standard specifies
// bit for bit, so a script is deterministic even if it does depend on the draw; the scripts here do not, as in
// etcd.
#pragma once
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace planelab::raft::script {

/// A command's argument: `key`, `key=value` or `key=(v1,v2,..)`.
struct Arg {
  std::string key;
  std::vector<std::string> vals;
};

struct Command {
  std::string name;
  std::vector<Arg> args;
  int line = 0;  // 1-based line of the command in its script
};

/// A malformed script (unknown command, bad argument): the script is wrong, not the Raft core.
struct ScriptError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The interpreter's world: the members, their simulated disks and the messages in flight between them.
class Env {
 public:
  Env();
  ~Env();
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  /// Runs one command and returns what it printed ("ok" when nothing). Throws ScriptError on misuse.
  std::string Handle(const Command& cmd);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Parses a command line (`name arg arg ...`); throws ScriptError.
Command ParseCommand(const std::string& line, int line_no);

/// The outcome of running one script.
struct ScriptResult {
  int commands = 0;        // directives run
  int mismatches = 0;      // directives whose output differed from the expected output
  int expected_lines = 0;  // lines of expected output in the script as it stands after the run
  std::string report;      // a diff-like account of every mismatch, or of the error that stopped the script
  std::string rewritten;   // the script with every expected output replaced by the actual one
  bool error = false;      // a ScriptError stopped the script
};

/// Runs a whole script (the text of a testdata file); `name` labels the report.
ScriptResult RunScript(const std::string& text, const std::string& name);

}  // namespace planelab::raft::script
