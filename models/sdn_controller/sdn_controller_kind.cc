// The SDN controller family's catalogue: the "sdn-controller" kind, its section. Pure: no kernel.
#include "models/sdn_controller/control/sdn_control_metrics.h"
#include "models/sdn_controller/mgmt/northbound_metrics.h"
#include "models/sdn_controller/sdn_controller_section.h"
#include "sim/scenario/kind_catalog.h"
#include "sim/scenario/model_catalog.h"

namespace planelab {

void RegisterSdnControllerCatalog(ModelCatalog& catalog) {
  catalog.sections.AddDeclarableKind({"sdn-controller", "sdn-controllers", false});
  catalog.kinds.Add(DeviceKindDecl{
      "sdn-controller",
      "SDN controller cluster member (ONOS-like): control = OpenFlow channels to the switches, LLDP discovery, "
      "path computation, reactive/proactive flows, intents; intents and per-switch mastership replicated with Raft; "
      "management = the northbound REST API (ONOS, port 8181), the operators' dashboard and calls (with "
      "sdn_controller.northbound)",
      {&SdnControlMetrics::Get(), &SdnNorthboundMetrics::Get()}});
  catalog.sections.Add(SdnControllerSection());
}

}  // namespace planelab
