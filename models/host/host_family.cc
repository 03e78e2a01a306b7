// The host family: end hosts that run the scenario's workloads (the loader reads "workloads").
#include "models/host/host_device.h"
#include "models/host/host_kind.h"
#include "models/models.h"

namespace planelab {

void RegisterHostFamily(ModelRegistry& registry) {
  RegisterHostKind(registry.devices);
  registry.kinds.Add(HostKind());
}

}  // namespace planelab
