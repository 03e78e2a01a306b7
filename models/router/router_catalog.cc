// The router family: the router device kind (data, control and management planes) and the "routing" section.
// Its catalogue: what it adds to scenario files and to the kind catalogue. Pure: no kernel.
#include "models/router/router_kind.h"
#include "models/router/routing_section.h"
#include "sim/scenario/model_catalog.h"

namespace planelab {

void RegisterRouterCatalog(ModelCatalog& catalog) {
  catalog.sections.AddDeclarableKind({"router", "routers", true});
  catalog.kinds.Add(RouterKind());
  catalog.sections.Add(RoutingSection());
}

}  // namespace planelab
