// The switch family's catalogue: the "switch" kind, its section. Pure: no kernel.
#include "models/switch/control/switch_control_metrics.h"
#include "models/switch/data/switch_data_metrics.h"
#include "models/switch/mgmt/switch_mgmt_metrics.h"
#include "models/switch/switch_section.h"
#include "sim/scenario/kind_catalog.h"
#include "sim/scenario/model_catalog.h"

namespace planelab {

void RegisterSwitchCatalog(ModelCatalog& catalog) {
  catalog.sections.AddDeclarableKind({"switch", "switches", false});
  catalog.kinds.Add(DeviceKindDecl{
      "switch",
      "OpenFlow 1.3 switch: data = forwarding hardware with a flow table (priority match, timeouts, groups), "
      "control = the OpenFlow agent (channels to the controllers, roles, echo probes, fail mode), management = SNMP "
      "agent on the out-of-band port (when managed)",
      {&SwitchDataMetrics::Get(), &SwitchControlMetrics::Get(), &SwitchMgmtMetrics::Get()}});
  catalog.sections.Add(SwitchSection());
}

}  // namespace planelab
