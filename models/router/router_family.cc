// The router family: the router device kind (data, control and management planes, with the metrics each declares)
// and the "routing" section.
#include "sim/core/model_registry.h"
#include "models/router/router_device.h"
#include "models/router/router_kind.h"
#include "models/router/routing_section.h"

namespace planelab {

void RegisterRouterFamily(ModelRegistry& registry) {
  RegisterRouterKind(registry.devices);
  registry.kinds.Add(RouterKind());
  registry.sections.Add(RoutingSection());
}

}  // namespace planelab
