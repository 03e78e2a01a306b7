#include "models/models.h"

namespace planelab {

const ModelRegistry& BuiltinModels() {
  static const ModelRegistry registry = [] {
    ModelRegistry r;
    RegisterRouterFamily(r);
    RegisterHostFamily(r);
    RegisterMonitorFamily(r);
    RegisterClusterFamily(r);
    return r;
  }();
  return registry;
}

}  // namespace planelab
