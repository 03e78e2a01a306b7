// Positions of devices for the topology view: tiers for fabrics, a bounded spring layout otherwise.
#pragma once
#include <map>
#include <string>
#include <utility>

#include "gui/run_model.h"

namespace planelab::gui {

/// Device id -> (x, y) in scene units, roughly within a 1000 x 600 box.
std::map<std::string, std::pair<double, double>> LayoutTopology(const RunModel& run);

}  // namespace planelab::gui
