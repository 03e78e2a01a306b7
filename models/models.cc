#include "models/models.h"

#include "models/host/host_device.h"
#include "models/monitor/monitoring_station.h"
#include "models/router/router_device.h"

namespace planelab {

void RegisterBuiltinModels(DeviceRegistry& registry) {
  RegisterRouterKind(registry);
  RegisterHostKind(registry);
  RegisterMonitorKind(registry);
}

}  // namespace planelab
