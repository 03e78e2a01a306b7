#include "models/models.h"

#include "models/apiserver/api_server_device.h"
#include "models/cloud/cloud_device.h"
#include "models/controller/controller_manager_device.h"
#include "models/host/host_device.h"
#include "models/monitor/monitoring_station.h"
#include "models/node/node_device.h"
#include "models/router/router_device.h"
#include "models/serviceclient/service_client_device.h"
#include "models/store/store_device.h"

namespace planelab {

void RegisterBuiltinModels(DeviceRegistry& registry) {
  RegisterRouterKind(registry);
  RegisterHostKind(registry);
  RegisterMonitorKind(registry);
  RegisterStoreKind(registry);
  RegisterApiServerKind(registry);
  RegisterControllerManagerKind(registry);
  RegisterNodeKind(registry);
  RegisterCloudKind(registry);
  RegisterServiceClientKind(registry);
}

}  // namespace planelab
