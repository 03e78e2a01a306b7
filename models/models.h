// The model families PlaneLab ships, with their device kinds (models/families.h lists them).
#pragma once
#include "sim/core/model_registry.h"

namespace planelab {

/// Every built-in family's catalogue (models/catalog.h) and device kinds' factories, registered once.
const ModelRegistry& BuiltinModels();

}  // namespace planelab
