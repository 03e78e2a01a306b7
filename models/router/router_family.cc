// The router family: the router device kind (data, control and management planes) and the "routing" section.
// Its device kinds, bound to the kernel.
#include "models/router/router_device.h"
#include "sim/core/device.h"

namespace planelab {

void RegisterRouterDevices(DeviceRegistry& registry) { RegisterRouterKind(registry); }

}  // namespace planelab
