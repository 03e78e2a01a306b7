// The monitor family: the operators' monitoring station on the management network (the loader reads "management")
// and its telemetry pipeline (the "telemetry" section).
// Its catalogue: what it adds to scenario files and to the kind catalogue. Pure: no kernel.
#include "models/monitor/monitor_kind.h"
#include "models/monitor/telemetry_section.h"
#include "sim/scenario/model_catalog.h"

namespace planelab {

void RegisterMonitorCatalog(ModelCatalog& catalog) {
  catalog.kinds.Add(MonitorKind());
  catalog.sections.Add(TelemetrySection());
}

}  // namespace planelab
