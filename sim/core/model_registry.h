// What the model families register: their device kinds and their scenario sections, in one place.
#pragma once
#include "sim/core/device.h"
#include "sim/scenario/scenario_section.h"

namespace planelab {

/// The registry a family's one registration function fills (models/models.cc lists them, one line a family).
struct ModelRegistry {
  DeviceRegistry devices;
  ScenarioSections sections;
};

}  // namespace planelab
