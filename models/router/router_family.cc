// The router family: the router device kind (data, control and management planes) and the "routing" section.
#include "models/models.h"
#include "models/router/router_device.h"
#include "models/router/routing_section.h"

namespace planelab {

void RegisterRouterFamily(ModelRegistry& registry) {
  RegisterRouterKind(registry.devices);
  registry.sections.Add(RoutingSection());
}

}  // namespace planelab
