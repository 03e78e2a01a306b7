#include "models/models.h"

#include "sim/core/link_metrics.h"

// The families, one line each. X(Name) stands for `void RegisterNameFamily(ModelRegistry&)`, defined in the
// family's folder (models/<name>/<name>_family.cc). Order is registration order: device kinds, sections (and
// so the composed schema) and the kind catalogue follow it.
#define PLANELAB_FAMILIES(X) \
  X(Router)                  \
  X(Host)                    \
  X(Monitor)                 \
  X(Cluster)

namespace planelab {

#define PLANELAB_DECLARE_FAMILY(name) void Register##name##Family(ModelRegistry& registry);
PLANELAB_FAMILIES(PLANELAB_DECLARE_FAMILY)
#undef PLANELAB_DECLARE_FAMILY

const ModelRegistry& BuiltinModels() {
  static const ModelRegistry registry = [] {
    ModelRegistry r;
#define PLANELAB_REGISTER_FAMILY(name) Register##name##Family(r);
    PLANELAB_FAMILIES(PLANELAB_REGISTER_FAMILY)
#undef PLANELAB_REGISTER_FAMILY
    r.kinds.Add(LinkKind());  // the engine's own: every data link records its utilization
    return r;
  }();
  return registry;
}

}  // namespace planelab
