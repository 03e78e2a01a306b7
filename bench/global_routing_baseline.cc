// ns-3's own GlobalRouting on the topologies PlaneLab's generators make: the baseline bench/linkstate_scale.sh
// compares PlaneLab's link-state control plane against. Builds the nodes, point-to-point links and /30 subnets the
// way an ns-3 user would, then times Ipv4GlobalRoutingHelper::PopulateRoutingTables(). Prints one JSON line.
//
// Usage: global_routing_baseline grid ROUTERS | leaf-spine SPINES LEAVES
#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/point-to-point-module.h>
#include <ns3/traffic-control-module.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

using namespace ns3;

namespace {

double CpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }
double PeakMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

/// The links of PlaneLab's "grid" generator (sim/topology/generators.cc): rows of ceil(sqrt(n)) routers, each
/// linked to its right and lower neighbours.
std::vector<std::pair<int, int>> GridLinks(int n) {
  int cols = 1;
  while (cols * cols < n) ++cols;
  std::vector<std::pair<int, int>> links;
  for (int i = 1; i <= n; ++i) {
    if ((i - 1) % cols != cols - 1 && i < n) links.push_back({i - 1, i});
    if (i + cols <= n) links.push_back({i - 1, i + cols - 1});
  }
  return links;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s grid ROUTERS | leaf-spine SPINES LEAVES\n", argv[0]);
    return 2;
  }
  const std::string kind = argv[1];
  int routers = 0;
  std::vector<std::pair<int, int>> links;
  if (kind == "grid") {
    routers = std::atoi(argv[2]);
    links = GridLinks(routers);
  } else if (kind == "leaf-spine" && argc >= 4) {
    const int spines = std::atoi(argv[2]), leaves = std::atoi(argv[3]);
    routers = spines + leaves;
    for (int l = 0; l < leaves; ++l) {
      for (int s = 0; s < spines; ++s) links.push_back({s, spines + l});
    }
  } else {
    std::fprintf(stderr, "unknown topology %s\n", kind.c_str());
    return 2;
  }
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = CpuSeconds();
  NodeContainer nodes;
  nodes.Create(routers);
  InternetStackHelper stack;
  stack.Install(nodes);
  PointToPointHelper p2p;
  p2p.SetDeviceAttribute("DataRate", StringValue("10Gbps"));
  p2p.SetChannelAttribute("Delay", StringValue("10us"));
  Ipv4AddressHelper addr("10.0.0.0", "255.255.255.252");
  TrafficControlHelper tc;
  for (const auto& [a, b] : links) {
    NetDeviceContainer d = p2p.Install(nodes.Get(a), nodes.Get(b));
    addr.Assign(d);
    tc.Uninstall(d);  // Assign adds an FqCoDel queue disc per device; PlaneLab's routers have none either
    addr.NewNetwork();
  }
  const double build_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const double build_cpu = CpuSeconds() - cpu0;
  const auto wall1 = std::chrono::steady_clock::now();
  const double cpu1 = CpuSeconds();
  Ipv4GlobalRoutingHelper::PopulateRoutingTables();
  const double populate_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall1).count();
  const double populate_cpu = CpuSeconds() - cpu1;
  std::printf(
      "{\"tool\": \"ns-3 GlobalRouting\", \"topology\": \"%s\", \"routers\": %d, \"links\": %zu, \"build_wall_s\": %.3f, "
      "\"build_cpu_s\": %.3f, \"populate_wall_s\": %.3f, \"populate_cpu_s\": %.3f, \"peak_mib\": %.1f}\n",
      kind.c_str(), routers, links.size(), build_wall, build_cpu, populate_wall, populate_cpu, PeakMiB());
  Simulator::Destroy();
  return 0;
}
