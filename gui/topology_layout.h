// Positions of devices for the topology view: clusters by tier (core, racks, their nodes; the control-plane
// rack apart), fabrics in tiers, rings as rings, a bounded spring layout otherwise. Big topologies collapse
// tiers and racks into group boxes. No two boxes overlap.
#pragma once
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gui/run_model.h"

namespace planelab::gui {

/// Size of a device box and of a collapsed group's box, in scene units.
constexpr double kDeviceW = 60, kDeviceH = 54, kGroupW = 170, kGroupH = 66;
/// Above this many devices, groups of at least kMinGroup members are drawn collapsed.
constexpr size_t kCollapseAbove = 60, kMinGroup = 8;

/// One box of the topology view: a device, or a collapsed group of devices.
struct LayoutBox {
  std::string id;                    // the device id, or "group:" + the group's name
  std::string label;                 // what the box says
  std::vector<std::string> members;  // the device itself, or the group's members in run order
  bool group = false;
  double x = 0, y = 0, w = kDeviceW, h = kDeviceH;  // top-left corner and size
};

struct Layout {
  std::vector<LayoutBox> boxes;
  std::map<std::string, size_t> box_of;  // device id -> index of the box that draws it
};

/// The drawing group of each device (a fabric tier, the nodes of one rack, the hosts, else its kind).
std::map<std::string, std::string> DrawingGroups(const RunModel& run);

/// Lays the run out. With `collapse`, groups of kMinGroup or more members are drawn as one box unless named
/// in `expanded`.
Layout LayoutTopology(const RunModel& run, bool collapse, const std::set<std::string>& expanded = {});

}  // namespace planelab::gui
