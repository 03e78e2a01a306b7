// What the model families declare without the kernel: their scenario sections and their device kinds with the
// metrics each plane records. The loader reads scenarios against it; ModelRegistry adds the kinds' factories.
#pragma once
#include "sim/scenario/kind_catalog.h"
#include "sim/scenario/scenario_section.h"

namespace planelab {

struct ModelCatalog {
  ScenarioSections sections;
  KindCatalog kinds;
};

}  // namespace planelab
