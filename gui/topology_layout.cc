#include "gui/topology_layout.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/circle_layout.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/kamada_kawai_spring_layout.hpp>
#include <boost/graph/topology.hpp>
#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

namespace planelab::gui {

namespace {

bool InGroup(const DeviceInfo& d, const std::string& g) {
  return std::find(d.groups.begin(), d.groups.end(), g) != d.groups.end();
}

/// Stops Kamada-Kawai after a bounded number of steps: its default rule can loop forever.
struct BoundedDone {
  int* steps;
  int limit;
  template <class Graph, class Vertex>
  bool operator()(double delta_p, Vertex, const Graph&, bool global) {
    return ++*steps >= limit || (global && delta_p < 0.01);
  }
};

}  // namespace

std::map<std::string, std::pair<double, double>> LayoutTopology(const RunModel& run) {
  std::map<std::string, std::pair<double, double>> pos;
  std::map<std::string, std::vector<std::string>> neighbours;
  for (const auto& l : run.links()) {
    if (l.network != "data") continue;
    neighbours[l.a].push_back(l.b);
    neighbours[l.b].push_back(l.a);
  }
  std::vector<std::string> top, middle, hosts, routers, monitors;
  for (const auto& d : run.devices()) {
    if (d.kind == "monitor") monitors.push_back(d.id);
    else if (d.kind == "host") hosts.push_back(d.id);
    else if (InGroup(d, "spines") || InGroup(d, "transits")) top.push_back(d.id);
    else if (InGroup(d, "leaves") || InGroup(d, "stubs")) middle.push_back(d.id);
    else routers.push_back(d.id);
  }
  auto row = [&](const std::vector<std::string>& ids, double y) {
    for (size_t i = 0; i < ids.size(); ++i) {
      pos[ids[i]] = {ids.size() == 1 ? 500.0 : 1000.0 * static_cast<double>(i) / static_cast<double>(ids.size() - 1), y};
    }
  };
  if (!top.empty() && routers.empty()) {
    // Fabrics and the teaching internet are drawn in tiers.
    row(top, 100);
    row(middle, 300);
  } else {
    std::vector<std::string> all = top;
    all.insert(all.end(), middle.begin(), middle.end());
    all.insert(all.end(), routers.begin(), routers.end());
    using Topo = boost::square_topology<>;
    using Point = Topo::point_type;
    using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                        boost::property<boost::edge_weight_t, double>>;
    std::map<std::string, int> index;
    for (size_t i = 0; i < all.size(); ++i) index[all[i]] = static_cast<int>(i);
    Graph g(all.size());
    std::set<std::pair<int, int>> seen;
    for (const auto& l : run.links()) {
      if (l.network != "data" || !index.count(l.a) || !index.count(l.b)) continue;
      int a = index[l.a], b = index[l.b];
      if (a == b || !seen.insert({std::min(a, b), std::max(a, b)}).second) continue;
      boost::add_edge(a, b, 1.0, g);
    }
    std::vector<Point> points(all.size());
    auto position = boost::make_iterator_property_map(points.begin(), boost::get(boost::vertex_index, g));
    boost::circle_graph_layout(g, position, 250.0);
    std::vector<int> comp(all.size());
    bool connected = all.size() > 2 && boost::connected_components(g, comp.data()) == 1;
    if (connected) {
      int steps = 0;
      Topo topology;
      boost::kamada_kawai_spring_layout(g, position, boost::get(boost::edge_weight, g), topology,
                                        boost::side_length(500.0), BoundedDone{&steps, 20000});
    }
    double minx = 1e18, maxx = -1e18, miny = 1e18, maxy = -1e18;
    for (const auto& p : points) {
      minx = std::min(minx, p[0]); maxx = std::max(maxx, p[0]);
      miny = std::min(miny, p[1]); maxy = std::max(maxy, p[1]);
    }
    double sx = maxx > minx ? 1000.0 / (maxx - minx) : 1, sy = maxy > miny ? 300.0 / (maxy - miny) : 1;
    for (size_t i = 0; i < all.size(); ++i) {
      pos[all[i]] = {(points[i][0] - minx) * sx, 80 + (points[i][1] - miny) * sy};
    }
  }
  // Hosts go below their router, spread side by side.
  std::map<std::string, int> per_router;
  for (const auto& h : hosts) {
    std::string router = neighbours[h].empty() ? "" : neighbours[h][0];
    auto it = pos.find(router);
    double x = it == pos.end() ? 500 : it->second.first, y = it == pos.end() ? 500 : it->second.second;
    int k = per_router[router]++;
    pos[h] = {x + 40.0 * k, y + 170};
  }
  for (size_t i = 0; i < monitors.size(); ++i) pos[monitors[i]] = {-120.0, -20.0 + 80.0 * i};
  // Positions written in the scenario win; hosts without one follow their router.
  std::map<std::string, std::pair<double, double>> given;
  for (const auto& d : run.devices()) {
    if (d.has_pos) given[d.id] = {d.x, d.y};
  }
  if (!given.empty()) {
    std::map<std::string, int> placed;
    for (const auto& d : run.devices()) {
      if (given.count(d.id)) {
        pos[d.id] = given[d.id];
      } else if (d.kind == "host" && !neighbours[d.id].empty() && given.count(neighbours[d.id][0])) {
        auto [x, y] = given[neighbours[d.id][0]];
        pos[d.id] = {x + 40.0 * placed[neighbours[d.id][0]]++, y + 120};
      }
    }
  }
  return pos;
}

}  // namespace planelab::gui
