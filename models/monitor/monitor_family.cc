// The monitor family: the operators' monitoring station on the management network (the loader reads "management").
// Its device kinds, bound to the kernel.
#include "models/monitor/monitoring_station.h"
#include "sim/core/device.h"

namespace planelab {

void RegisterMonitorDevices(DeviceRegistry& registry) { RegisterMonitorKind(registry); }

}  // namespace planelab
