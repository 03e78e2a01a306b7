#include "models/models.h"

#include "sim/core/link_metrics.h"

namespace planelab {

const ModelRegistry& BuiltinModels() {
  static const ModelRegistry registry = [] {
    ModelRegistry r;
    RegisterRouterFamily(r);
    RegisterHostFamily(r);
    RegisterMonitorFamily(r);
    RegisterClusterFamily(r);
    r.kinds.Add(LinkKind());  // the engine's own: every data link records its utilization
    return r;
  }();
  return registry;
}

}  // namespace planelab
