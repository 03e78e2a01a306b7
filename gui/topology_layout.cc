#include "gui/topology_layout.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/circle_layout.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/kamada_kawai_spring_layout.hpp>
#include <boost/graph/topology.hpp>
#include <algorithm>
#include <array>
#include <map>
#include <cmath>
#include <set>
#include <vector>

namespace planelab::gui {

namespace {

constexpr double kGapX = 20, kGapY = 34, kMargin = 10;

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

/// Moves boxes that overlap one placed before them to the nearest free spot (a spiral of small steps), so that
/// no two boxes overlap whatever the layout or the scenario's positions asked for.
class Placer {
 public:
  void Place(LayoutBox& b) {
    if (Free(b.x, b.y, b.w, b.h)) return Add(b);
    const double step = 24;
    for (int ring = 1; ring < 400; ++ring) {
      // Candidates on the ring's square, nearest first (down and right preferred on ties).
      double best = 1e300, bx = b.x, by = b.y;
      for (int i = -ring; i <= ring; ++i) {
        for (auto [dx, dy] : {std::pair{i, ring}, std::pair{ring, i}, std::pair{i, -ring}, std::pair{-ring, i}}) {
          double x = b.x + dx * step, y = b.y + dy * step, d = dx * dx + dy * dy;
          if (d < best && Free(x, y, b.w, b.h)) best = d, bx = x, by = y;
        }
      }
      if (best < 1e300) {
        b.x = bx;
        b.y = by;
        return Add(b);
      }
    }
    Add(b);  // not reached in practice
  }

 private:
  static constexpr double kCell = 200;
  std::map<std::pair<long, long>, std::vector<std::array<double, 4>>> cells_;
  template <class Fn>
  void Cells(double x, double y, double w, double h, Fn fn) {
    for (long cx = static_cast<long>(std::floor((x - kMargin) / kCell)); cx <= static_cast<long>(std::floor((x + w + kMargin) / kCell)); ++cx) {
      for (long cy = static_cast<long>(std::floor((y - kMargin) / kCell)); cy <= static_cast<long>(std::floor((y + h + kMargin) / kCell)); ++cy) {
        fn(cells_[{cx, cy}]);
      }
    }
  }
  bool Free(double x, double y, double w, double h) {
    bool free = true;
    Cells(x, y, w, h, [&](const std::vector<std::array<double, 4>>& v) {
      for (const auto& r : v) {
        if (x < r[0] + r[2] + kMargin && r[0] < x + w + kMargin && y < r[1] + r[3] + kMargin && r[1] < y + h + kMargin) free = false;
      }
    });
    return free;
  }
  void Add(const LayoutBox& b) {
    Cells(b.x, b.y, b.w, b.h, [&](std::vector<std::array<double, 4>>& v) { v.push_back({b.x, b.y, b.w, b.h}); });
  }
};

/// Places boxes left to right from (x0, y0), wrapping after `per_row`; returns the size used.
std::pair<double, double> Grid(std::vector<LayoutBox*> boxes, double x0, double y0, size_t per_row) {
  per_row = std::max<size_t>(1, per_row);
  double x = x0, y = y0, row_h = 0, width = 0;
  for (size_t i = 0; i < boxes.size(); ++i) {
    if (i > 0 && i % per_row == 0) {
      x = x0;
      y += row_h + kGapY;
      row_h = 0;
    }
    boxes[i]->x = x;
    boxes[i]->y = y;
    x += boxes[i]->w + kGapX;
    width = std::max(width, x - kGapX - x0);
    row_h = std::max(row_h, boxes[i]->h);
  }
  return {width, boxes.empty() ? 0 : y + row_h - y0};
}

double GridWidth(const std::vector<LayoutBox*>& boxes, size_t per_row) {
  std::vector<LayoutBox> copy;
  for (auto* b : boxes) copy.push_back(*b);
  std::vector<LayoutBox*> ptrs;
  for (auto& b : copy) ptrs.push_back(&b);
  return Grid(ptrs, 0, 0, per_row).first;
}

/// A tier: one or more centred rows of at most `per_row` boxes at y; returns the tier's bottom.
double Tier(const std::vector<LayoutBox*>& boxes, double centre, double y, size_t per_row = 0) {
  if (boxes.empty()) return y;
  // Long tiers wrap into a landscape block, about three times as wide as it is tall.
  if (per_row == 0) per_row = std::max<size_t>(30, static_cast<size_t>(std::ceil(std::sqrt(3.0 * static_cast<double>(boxes.size())))));
  double w = GridWidth(boxes, per_row);
  return y + Grid(boxes, centre - w / 2, y, per_row).second;
}

}  // namespace

std::map<std::string, std::string> DrawingGroups(const RunModel& run) {
  std::map<std::string, const DeviceInfo*> by_id;
  for (const auto& d : run.devices()) by_id[d.id] = &d;
  std::map<std::string, std::vector<std::string>> neighbours;
  for (const auto& l : run.links()) {
    if (l.network != "data") continue;
    neighbours[l.a].push_back(l.b);
    neighbours[l.b].push_back(l.a);
  }
  std::map<std::string, std::string> out;
  for (const auto& d : run.devices()) {
    std::string g;
    if (d.kind == "monitor") g = "monitors";
    else if (d.kind == "host") g = "hosts";
    else if (d.kind == "node") {
      g = "nodes";
      for (const auto& n : neighbours[d.id]) {
        if (by_id.count(n) && InGroup(*by_id[n], "racks")) g = "nodes of " + n;
      }
    } else {
      for (const char* tier : {"spines", "leaves", "transits", "stubs", "core"}) {
        if (g.empty() && InGroup(d, tier)) g = tier;
      }
      if (g.empty() && InGroup(d, "racks")) g = d.id == "rack-cp" ? d.id : "racks";
      if (g.empty() && InGroup(d, "control-plane")) g = "control-plane";
      for (const auto& x : d.groups) {
        if (g.empty() && x != "routers") g = x;
      }
      if (g.empty()) g = d.kind;
    }
    out[d.id] = g;
  }
  return out;
}

Layout LayoutTopology(const RunModel& run, bool collapse, const std::set<std::string>& expanded) {
  Layout out;
  auto group_of = DrawingGroups(run);
  std::map<std::string, size_t> group_size;
  for (const auto& [id, g] : group_of) ++group_size[g];
  bool collapsing = collapse && run.devices().size() > kCollapseAbove;
  std::map<std::string, size_t> group_box;
  for (const auto& d : run.devices()) {
    const std::string& g = group_of[d.id];
    if (collapsing && group_size[g] >= kMinGroup && !expanded.count(g)) {
      auto it = group_box.find(g);
      if (it == group_box.end()) {
        LayoutBox b;
        b.id = "group:" + g;
        b.group = true;
        b.w = kGroupW;
        b.h = kGroupH;
        it = group_box.emplace(g, out.boxes.size()).first;
        out.boxes.push_back(b);
      }
      out.boxes[it->second].members.push_back(d.id);
      out.box_of[d.id] = it->second;
    } else {
      LayoutBox b;
      b.id = b.label = d.id;
      b.members = {d.id};
      out.box_of[d.id] = out.boxes.size();
      out.boxes.push_back(b);
    }
  }
  for (auto& [g, i] : group_box) {
    if (out.boxes[i].members.size() >= 100) out.boxes[i].w = kGroupW * 1.6;  // a longer strip for a big group
    out.boxes[i].label = g + " (" + std::to_string(out.boxes[i].members.size()) + ")";
  }

  std::map<std::string, const DeviceInfo*> by_id;
  for (const auto& d : run.devices()) by_id[d.id] = &d;
  std::map<std::string, std::vector<std::string>> neighbours;
  for (const auto& l : run.links()) {
    if (l.network != "data") continue;
    neighbours[l.a].push_back(l.b);
    neighbours[l.b].push_back(l.a);
  }
  auto box = [&](const std::string& device) -> LayoutBox& { return out.boxes[out.box_of.at(device)]; };
  // The boxes of a set of devices, each once, in run order.
  auto boxes_of = [&](auto pred) {
    std::vector<LayoutBox*> v;
    std::set<size_t> seen;
    for (const auto& d : run.devices()) {
      if (pred(d) && seen.insert(out.box_of[d.id]).second) v.push_back(&out.boxes[out.box_of[d.id]]);
    }
    return v;
  };
  std::set<size_t> placed;
  auto mark = [&](const std::vector<LayoutBox*>& v) {
    for (auto* b : v) placed.insert(static_cast<size_t>(b - out.boxes.data()));
  };

  bool cluster = false, fabric = false;
  for (const auto& d : run.devices()) {
    cluster |= InGroup(d, "core");
    fabric |= InGroup(d, "spines") || InGroup(d, "transits");
  }
  bool has_racks = std::any_of(run.devices().begin(), run.devices().end(), [](const DeviceInfo& d) { return InGroup(d, "racks"); });
  cluster &= has_racks;
  std::vector<std::string> routers;
  for (const auto& d : run.devices()) {
    if (d.kind == "router") routers.push_back(d.id);
  }
  // Every router a tier of the fabric.
  if (fabric) {
    for (const auto& r : routers) {
      const DeviceInfo& d = *by_id[r];
      fabric &= InGroup(d, "spines") || InGroup(d, "leaves") || InGroup(d, "transits") || InGroup(d, "stubs");
    }
  }
  double bottom = 0;
  if (cluster) {
    // Core on top, the racks below it (the control-plane rack apart on the left), each rack's devices below it.
    auto is_rack = [](const DeviceInfo& d) { return InGroup(d, "racks"); };
    auto cores = boxes_of([](const DeviceInfo& d) { return InGroup(d, "core"); });
    auto racks = boxes_of(is_rack);
    std::stable_partition(racks.begin(), racks.end(), [](LayoutBox* b) { return b->id == "rack-cp"; });
    mark(cores);
    mark(racks);
    double x = 0, y_racks = 140, y_children = 280;
    for (size_t i = 0; i < racks.size(); ++i) {
      LayoutBox* rack = racks[i];
      std::set<std::string> in_rack(rack->members.begin(), rack->members.end());
      auto children = boxes_of([&](const DeviceInfo& d) {
        if (d.kind == "monitor" || InGroup(d, "racks") || InGroup(d, "core")) return false;
        for (const auto& n : neighbours[d.id]) {
          if (in_rack.count(n)) return true;
        }
        return false;
      });
      std::vector<LayoutBox*> todo;
      for (auto* c : children) {
        if (!placed.count(static_cast<size_t>(c - out.boxes.data()))) todo.push_back(c);
      }
      mark(todo);
      size_t per_row = todo.size() <= 4 ? 1 : todo.size() <= 12 ? 2 : 3;
      double cw = std::max(rack->w, GridWidth(todo, per_row));
      rack->x = x + (cw - rack->w) / 2;
      rack->y = y_racks;
      double gw = GridWidth(todo, per_row);
      auto [w, h] = Grid(todo, x + (cw - gw) / 2, y_children, per_row);
      bottom = std::max(bottom, y_children + h);
      x += cw + (i == 0 && rack->id == "rack-cp" ? 110 : 40);
    }
    Tier(cores, std::max(0.0, x - 40) / 2, 0);
  } else if (fabric) {
    auto top = boxes_of([](const DeviceInfo& d) { return InGroup(d, "spines") || InGroup(d, "transits"); });
    auto middle = boxes_of([](const DeviceInfo& d) { return InGroup(d, "leaves") || InGroup(d, "stubs"); });
    mark(top);
    mark(middle);
    auto per = [](size_t n) { return std::max<size_t>(30, static_cast<size_t>(std::ceil(std::sqrt(3.0 * static_cast<double>(n))))); };
    double width = std::max({GridWidth(top, per(top.size())), GridWidth(middle, per(middle.size())), 600.0});
    double y = Tier(top, width / 2, 0) + 130;
    bottom = Tier(middle, width / 2, y);
  } else {
    // Rings as rings: every router has two router neighbours and they form one cycle.
    std::set<std::string> rset(routers.begin(), routers.end());
    bool ring = routers.size() >= 3;
    for (const auto& r : routers) {
      std::set<std::string> rn;
      for (const auto& n : neighbours[r]) {
        if (rset.count(n)) rn.insert(n);
      }
      ring &= rn.size() == 2 && out.boxes[out.box_of[r]].members.size() == 1;
    }
    std::vector<std::string> order;
    if (ring) {
      order.push_back(routers[0]);
      std::string prev;
      while (order.size() < routers.size()) {
        std::string next;
        for (const auto& n : neighbours[order.back()]) {
          if (rset.count(n) && n != prev && n != order.front() && std::find(order.begin(), order.end(), n) == order.end()) {
            next = n;
            break;
          }
        }
        if (next.empty()) break;
        prev = order.back();
        order.push_back(next);
      }
      ring = order.size() == routers.size();
    }
    if (ring) {
      double n = static_cast<double>(order.size());
      double radius = std::max(170.0, n * (kDeviceW + 60) / (2 * M_PI));
      for (size_t i = 0; i < order.size(); ++i) {
        double a = -M_PI / 2 + 2 * M_PI * static_cast<double>(i) / n;
        LayoutBox& b = box(order[i]);
        b.x = radius + radius * std::cos(a) - b.w / 2;
        b.y = radius + radius * std::sin(a) - b.h / 2;
        placed.insert(out.box_of[order[i]]);
      }
      // Hosts outside the ring, beyond their router.
      std::map<std::string, int> per;
      for (const auto& d : run.devices()) {
        if (d.kind != "host" || neighbours[d.id].empty() || !rset.count(neighbours[d.id][0])) continue;
        LayoutBox& h = box(d.id);
        if (h.group) continue;
        size_t i = static_cast<size_t>(std::find(order.begin(), order.end(), neighbours[d.id][0]) - order.begin());
        double a = -M_PI / 2 + 2 * M_PI * static_cast<double>(i) / n;
        int k = per[neighbours[d.id][0]]++;
        double r = radius + 130 + 70.0 * k;
        h.x = radius + r * std::cos(a) - h.w / 2;
        h.y = radius + r * std::sin(a) - h.h / 2;
        placed.insert(out.box_of[d.id]);
      }
    } else {
      auto core = boxes_of([](const DeviceInfo& d) { return d.kind != "host" && d.kind != "monitor"; });
      using Topo = boost::square_topology<>;
      using Point = Topo::point_type;
      using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                          boost::property<boost::edge_weight_t, double>>;
      std::map<LayoutBox*, int> index;
      for (size_t i = 0; i < core.size(); ++i) index[core[i]] = static_cast<int>(i);
      Graph g(core.size());
      std::set<std::pair<int, int>> seen;
      for (const auto& l : run.links()) {
        if (l.network != "data" || !out.box_of.count(l.a) || !out.box_of.count(l.b)) continue;
        auto ia = index.find(&box(l.a)), ib = index.find(&box(l.b));
        if (ia == index.end() || ib == index.end()) continue;
        int a = ia->second, b = ib->second;
        if (a == b || !seen.insert({std::min(a, b), std::max(a, b)}).second) continue;
        boost::add_edge(a, b, 1.0, g);
      }
      std::vector<Point> points(core.size());
      auto position = boost::make_iterator_property_map(points.begin(), boost::get(boost::vertex_index, g));
      boost::circle_graph_layout(g, position, 250.0);
      std::vector<int> comp(core.size());
      bool connected = core.size() > 2 && core.size() <= 200 && boost::connected_components(g, comp.data()) == 1;
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
      double span = std::max(1000.0, std::sqrt(static_cast<double>(core.size())) * 160);
      double sx = maxx > minx ? span / (maxx - minx) : 1, sy = maxy > miny ? span * 0.35 / (maxy - miny) : 1;
      for (size_t i = 0; i < core.size(); ++i) {
        core[i]->x = (points[i][0] - minx) * sx;
        core[i]->y = (points[i][1] - miny) * sy;
      }
      mark(core);
    }
    for (const auto& b : out.boxes) bottom = std::max(bottom, b.y + b.h);
  }
  // Hosts below their router, side by side; a collapsed group of hosts below the middle of its routers.
  std::map<std::string, int> per_router;
  std::vector<LayoutBox*> host_boxes = boxes_of([](const DeviceInfo& d) { return d.kind == "host"; });
  size_t single_hosts = static_cast<size_t>(std::count_if(host_boxes.begin(), host_boxes.end(), [](LayoutBox* b) { return !b->group; }));
  if (single_hosts > 30) {
    // Too many to hang under their routers (whose tier wraps): a tier of their own, in run order.
    std::vector<LayoutBox*> singles;
    for (auto* h : host_boxes) {
      if (!h->group) singles.push_back(h);
    }
    double width = 0;
    for (const auto& b : out.boxes) width = std::max(width, b.x + b.w);
    bottom = Tier(singles, width / 2, bottom + 110) + 20;
    mark(singles);
  }
  for (auto* h : host_boxes) {
    size_t i = static_cast<size_t>(h - out.boxes.data());
    if (placed.count(i)) continue;
    placed.insert(i);
    double sum = 0;
    int n = 0;
    for (const auto& m : h->members) {
      if (neighbours[m].empty() || !out.box_of.count(neighbours[m][0])) continue;
      const LayoutBox& r = box(neighbours[m][0]);
      sum += r.x + r.w / 2;
      ++n;
    }
    double cx = n ? sum / n : 500;
    if (!h->group && !neighbours[h->members[0]].empty() && out.box_of.count(neighbours[h->members[0]][0])) {
      const LayoutBox& r = box(neighbours[h->members[0]][0]);
      int k = per_router[r.id]++;
      h->x = r.x + (kDeviceW + kGapX) * k;
      h->y = r.y + r.h + 110;
    } else {
      h->x = cx - h->w / 2;
      h->y = bottom + 110;
    }
  }
  // Whatever is left (clients outside racks, a cluster's stray devices): a row below.
  double max_y = 0;
  for (size_t i = 0; i < out.boxes.size(); ++i) {
    if (placed.count(i)) max_y = std::max(max_y, out.boxes[i].y + out.boxes[i].h);
  }
  std::vector<LayoutBox*> rest, monitors;
  for (size_t i = 0; i < out.boxes.size(); ++i) {
    if (placed.count(i)) continue;
    const DeviceInfo& d = *by_id[out.boxes[i].members[0]];
    (d.kind == "monitor" ? monitors : rest).push_back(&out.boxes[i]);
  }
  Grid(rest, 0, max_y + 110, 12);
  double minx = 0;
  for (const auto& b : out.boxes) minx = std::min(minx, b.x);
  Grid(monitors, minx - 180, 0, 1);
  // Positions written in the scenario win; hosts without one follow their router.
  std::map<std::string, std::pair<double, double>> given;
  for (const auto& d : run.devices()) {
    if (d.has_pos) given[d.id] = {d.x, d.y};
  }
  if (!given.empty()) {
    std::map<std::string, int> per;
    for (const auto& d : run.devices()) {
      LayoutBox& b = box(d.id);
      if (b.group) continue;
      if (given.count(d.id)) {
        b.x = given[d.id].first;
        b.y = given[d.id].second;
      } else if (d.kind == "host" && !neighbours[d.id].empty() && given.count(neighbours[d.id][0])) {
        auto [x, y] = given[neighbours[d.id][0]];
        b.x = x + (kDeviceW + kGapX) * per[neighbours[d.id][0]]++;
        b.y = y + 120;
      }
    }
  }
  // No two boxes overlap, whatever was asked for.
  Placer placer;
  for (auto& b : out.boxes) placer.Place(b);
  return out;
}

}  // namespace planelab::gui
