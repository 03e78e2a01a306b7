// Messages between the planes of one worker node: the node agents (kubelet, kube-proxy) tell the data plane
// which pods run here and which endpoints each service has.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace planelab {

/// A pod the data plane runs (or stops running).
struct LocalPod {
  std::string name;
  std::string service;
  double capacity_rps = 100;
};

/// control -> data: the pods running here now, and every service's ready endpoints (pod, node).
struct NodeProgram {
  bool has_pods = false;
  std::vector<LocalPod> pods;
  bool has_endpoints = false;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> endpoints;
};

/// data -> control: each running pod's load over the last stats window (cAdvisor's housekeeping).
struct PodStats {
  std::map<std::string, double> utilization;  // pod -> served rate / capacity
  bool resync = false;  // instead of stats: the data plane restarted, send the pods and endpoints again
};

}  // namespace planelab
