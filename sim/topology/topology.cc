#include "sim/topology/topology.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/connected_components.hpp>
#include <set>

namespace planelab {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;

struct Topology::Impl {
  Graph graph;
  std::vector<int> component;
  int components = 0;
};

Topology::Topology(const std::vector<DeviceSpec>& devices, const std::vector<LinkSpec>& links)
    : impl_(new Impl), devices_(devices), links_(links) {
  impl_->graph = Graph(devices.size());
  for (size_t i = 0; i < devices.size(); ++i) index_.emplace(devices[i].id, static_cast<int>(i));
  for (const auto& l : links) {
    auto a = index_.find(l.a), b = index_.find(l.b);
    if (a != index_.end() && b != index_.end() && a->second != b->second) {
      boost::add_edge(a->second, b->second, impl_->graph);
    }
  }
  impl_->component.assign(devices.size(), 0);
  if (!devices.empty()) impl_->components = boost::connected_components(impl_->graph, impl_->component.data());
}

Topology::~Topology() { delete impl_; }

int Topology::ComponentCount() const { return impl_->components; }

bool Topology::Connected(const std::string& a, const std::string& b) const {
  auto ia = index_.find(a), ib = index_.find(b);
  if (ia == index_.end() || ib == index_.end()) return false;
  return impl_->component[ia->second] == impl_->component[ib->second];
}

int Topology::HopDistance(const std::string& a, const std::string& b) const {
  auto ia = index_.find(a), ib = index_.find(b);
  if (ia == index_.end() || ib == index_.end()) return -1;
  std::vector<int> dist(devices_.size(), -1);
  dist[ia->second] = 0;
  auto vis = boost::make_bfs_visitor(boost::record_distances(dist.data(), boost::on_tree_edge()));
  boost::breadth_first_search(impl_->graph, boost::vertex(ia->second, impl_->graph), boost::visitor(vis));
  return dist[ib->second];
}

std::vector<TopologyIssue> Topology::Validate() const {
  std::vector<TopologyIssue> issues;
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < devices_.size(); ++i) {
    auto [it, inserted] = seen.emplace(devices_[i].id, i);
    if (!inserted) {
      issues.push_back({"/topology/devices/" + std::to_string(i) + "/id",
                        "duplicate device id \"" + devices_[i].id + "\" (also device #" + std::to_string(it->second) +
                            "); every device needs its own id"});
    }
  }
  std::set<std::string> link_ids;
  for (size_t i = 0; i < links_.size(); ++i) {
    const auto& l = links_[i];
    std::string where = "/topology/links/" + std::to_string(i);
    for (const auto* end : {&l.a, &l.b}) {
      if (!index_.count(*end)) {
        std::string known;
        int shown = 0;
        for (const auto& d : devices_) {
          if (shown++ < 8) known += (known.empty() ? "" : ", ") + d.id;
        }
        if (devices_.size() > 8) known += ", ...";
        issues.push_back({where + (end == &l.a ? "/a" : "/b"),
                          "link \"" + l.id + "\" ends at \"" + *end +
                              "\", which is not a device; declare it in topology.devices or use one of: " + known});
      }
    }
    if (l.a == l.b) issues.push_back({where, "link \"" + l.id + "\" connects \"" + l.a + "\" to itself"});
    if (!link_ids.insert(l.id).second) {
      issues.push_back({where, "duplicate link id \"" + l.id + "\"; give the link an explicit unique \"id\""});
    }
  }
  // Unreachable hosts: a host must share a component with at least one router (or an OpenFlow switch: a fabric
  // with in-band control has none) and have a link.
  std::map<int, int> routers_in_component;
  for (size_t i = 0; i < devices_.size(); ++i) {
    if (devices_[i].kind == "router" || devices_[i].kind == "switch") routers_in_component[impl_->component[i]]++;
  }
  std::vector<int> degree(devices_.size(), 0);
  for (const auto& l : links_) {
    auto a = index_.find(l.a), b = index_.find(l.b);
    if (a != index_.end()) degree[a->second]++;
    if (b != index_.end()) degree[b->second]++;
  }
  for (size_t i = 0; i < devices_.size(); ++i) {
    if (devices_[i].kind != "host") continue;
    std::string where = "/topology/devices/" + std::to_string(i);
    if (degree[i] == 0) {
      issues.push_back({where, "host \"" + devices_[i].id + "\" is unreachable: it has no link; add a link to a router"});
    } else if (routers_in_component[impl_->component[i]] == 0) {
      issues.push_back({where, "host \"" + devices_[i].id + "\" is unreachable: no router is connected to it"});
    }
  }
  // Only when nothing more specific explains it: a duplicate or dangling entry also splits the graph.
  if (impl_->components > 1 && issues.empty()) {
    std::map<int, std::string> example;
    for (size_t i = 0; i < devices_.size(); ++i) example.emplace(impl_->component[i], devices_[i].id);
    std::string parts;
    for (const auto& [c, id] : example) parts += (parts.empty() ? "" : ", ") + std::string("{") + id + " ...}";
    issues.push_back({"/topology", "the topology falls apart into " + std::to_string(impl_->components) +
                                       " disconnected pieces (" + parts +
                                       "); hosts in different pieces can never reach each other - add links"});
  }
  return issues;
}

}  // namespace planelab
