#include "models/router/router_kind.h"

#include "models/router/control/router_control_metrics.h"
#include "models/router/data/router_data_metrics.h"
#include "models/router/mgmt/router_mgmt_metrics.h"

namespace planelab {

DeviceKindDecl RouterKind() {
  return {"router",
          "IP router: data = forwarding ASIC + FIB (ns-3 IPv4), control = link-state routing or BGP on the "
          "route processor CPU, management = status agent on the out-of-band port",
          {&RouterDataMetrics::Get(), &RouterControlMetrics::Get(), &LinkStateControlMetrics::Get(),
           &BgpControlMetrics::Get(), &RouterMgmtMetrics::Get()}};
}

}  // namespace planelab
