#include "models/catalog.h"

#include "models/families.h"
#include "sim/core/link_metrics.h"

namespace planelab {

#define PLANELAB_DECLARE_CATALOG(name) void Register##name##Catalog(ModelCatalog& catalog);
PLANELAB_FAMILIES(PLANELAB_DECLARE_CATALOG)
#undef PLANELAB_DECLARE_CATALOG

const ModelCatalog& BuiltinCatalog() {
  static const ModelCatalog catalog = [] {
    ModelCatalog c;
#define PLANELAB_REGISTER_CATALOG(name) Register##name##Catalog(c);
    PLANELAB_FAMILIES(PLANELAB_REGISTER_CATALOG)
#undef PLANELAB_REGISTER_CATALOG
    c.kinds.Add(LinkKind());  // the engine's own: every data link records its utilization
    return c;
  }();
  return catalog;
}

}  // namespace planelab
