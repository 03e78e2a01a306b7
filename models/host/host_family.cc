// The host family: end hosts that run the scenario's workloads (the loader reads "workloads").
// Its device kinds, bound to the kernel.
#include "models/host/host_device.h"
#include "sim/core/device.h"

namespace planelab {

void RegisterHostDevices(DeviceRegistry& registry) { RegisterHostKind(registry); }

}  // namespace planelab
