// The host family: end hosts that run the scenario's workloads (the loader reads "workloads").
#include "models/host/host_device.h"
#include "models/host/host_kind.h"
#include "sim/core/model_registry.h"

namespace planelab {

void RegisterHostFamily(ModelRegistry& registry) {
  RegisterHostKind(registry.devices);
  registry.kinds.Add(HostKind());
}

}  // namespace planelab
