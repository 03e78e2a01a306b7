// The model families PlaneLab ships. Adding a family: create its folder (config struct and section, device
// kinds with their planes, each plane's metric table, schema fragment, family.cmake) and add its name to
// PLANELAB_FAMILIES in models.cc — one line (docs/families.md).
#pragma once
#include "sim/core/model_registry.h"

namespace planelab {

/// Every built-in family's device kinds (factories and catalogue) and scenario sections, registered once.
const ModelRegistry& BuiltinModels();

}  // namespace planelab
