// The cluster family: an orchestrated cluster's device kinds and the "cluster" section that sets and builds it.
// Its device kinds, bound to the kernel.
#include "models/apiserver/api_server_device.h"
#include "models/cloud/cloud_device.h"
#include "models/controller/controller_manager_device.h"
#include "models/node/node_device.h"
#include "models/serviceclient/service_client_device.h"
#include "models/store/store_device.h"
#include "sim/core/device.h"

namespace planelab {

void RegisterClusterDevices(DeviceRegistry& registry) {
  RegisterStoreKind(registry);
  RegisterApiServerKind(registry);
  RegisterControllerManagerKind(registry);
  RegisterNodeKind(registry);
  RegisterCloudKind(registry);
  RegisterServiceClientKind(registry);
}

}  // namespace planelab
