// The monitor family: the operators' monitoring station on the management network (the loader reads "management").
#include "sim/core/model_registry.h"
#include "models/monitor/monitor_kind.h"
#include "models/monitor/monitoring_station.h"

namespace planelab {

void RegisterMonitorFamily(ModelRegistry& registry) {
  RegisterMonitorKind(registry.devices);
  registry.kinds.Add(MonitorKind());
}

}  // namespace planelab
