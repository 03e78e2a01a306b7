#include "models/models.h"

#include "models/catalog.h"
#include "models/families.h"

namespace planelab {

#define PLANELAB_DECLARE_DEVICES(name) void Register##name##Devices(DeviceRegistry& registry);
PLANELAB_FAMILIES(PLANELAB_DECLARE_DEVICES)
#undef PLANELAB_DECLARE_DEVICES

const ModelRegistry& BuiltinModels() {
  static const ModelRegistry registry = [] {
    ModelRegistry r;
    static_cast<ModelCatalog&>(r) = BuiltinCatalog();
#define PLANELAB_REGISTER_DEVICES(name) Register##name##Devices(r.devices);
    PLANELAB_FAMILIES(PLANELAB_REGISTER_DEVICES)
#undef PLANELAB_REGISTER_DEVICES
    return r;
  }();
  return registry;
}

}  // namespace planelab
