// What the operators could have seen of a run, moment by moment: the answers of the operator console's commands
// (router CLI, ping, traceroute, kubectl, etcdctl, curl, the NMS dashboard) and the helpdesk's complaints. Made
// from the whole run store when a student bundle is made, so that the bundle holds these answers and never the
// truth they were computed from. Pure: reads run.sqlite, no ns-3.
#pragma once
#include <string>
#include <vector>

namespace planelab::classroom {

/// One console answer: the text `command target` prints from t_s on (until the next row of that command).
struct ConsoleAnswer {
  std::string command, target;
  double t_s = 0;
  std::string text;
};

/// One thing users told the helpdesk, at t_s.
struct HelpdeskCall {
  double t_s = 0;
  std::string text;
};

/// The operators' view of one run.
struct OperatorView {
  std::vector<ConsoleAnswer> answers;  ///< ordered by command, target, t_s
  std::vector<HelpdeskCall> helpdesk;
  std::vector<std::string> routers, hosts, nodes, members, clients;
};

/// Computes the operators' view of the run in `run_dir` on the run's sampling grid. Throws std::runtime_error
/// (naming the folder) for a store it cannot read.
OperatorView BuildOperatorView(const std::string& run_dir);

/// The console's commands: "show interfaces", "show ip route", "show ip bgp summary", "show processes cpu",
/// "show logging" (a router), "ping", "traceroute" (two hosts, "a b"), "kubectl get nodes", "kubectl get pods",
/// "etcdctl endpoint status", "etcdctl endpoint health", "curl" (a service client), "show dashboard".
const std::vector<std::string>& ConsoleCommands();

}  // namespace planelab::classroom
