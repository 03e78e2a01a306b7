// What the model families register: their device kinds (factories and catalogue) and their scenario sections.
#pragma once
#include "sim/core/device.h"
#include "sim/scenario/model_catalog.h"

namespace planelab {

/// The registry a family's one registration function fills (models/models.cc lists them, one line a family):
/// the pure catalogue the loader reads (sections, kinds with their metrics) and the kinds' factories.
struct ModelRegistry : ModelCatalog {
  DeviceRegistry devices;
};

}  // namespace planelab
