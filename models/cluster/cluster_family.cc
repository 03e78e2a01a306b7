// The cluster family: an orchestrated cluster's device kinds and the "cluster" section that sets and builds it.
#include "models/apiserver/api_server_device.h"
#include "models/cloud/cloud_device.h"
#include "models/cluster/cluster_kinds.h"
#include "models/cluster/cluster_section.h"
#include "models/controller/controller_manager_device.h"
#include "sim/core/model_registry.h"
#include "models/node/node_device.h"
#include "models/serviceclient/service_client_device.h"
#include "models/store/store_device.h"

namespace planelab {

void RegisterClusterFamily(ModelRegistry& registry) {
  RegisterStoreKind(registry.devices);
  RegisterApiServerKind(registry.devices);
  RegisterControllerManagerKind(registry.devices);
  RegisterNodeKind(registry.devices);
  RegisterCloudKind(registry.devices);
  RegisterServiceClientKind(registry.devices);
  for (DeviceKindDecl& k : ClusterKinds()) registry.kinds.Add(std::move(k));
  registry.sections.Add(ClusterSection());
}

}  // namespace planelab
