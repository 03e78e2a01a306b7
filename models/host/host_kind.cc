#include "models/host/host_kind.h"

#include "models/host/host_data_metrics.h"

namespace planelab {

DeviceKindDecl HostKind() {
  return {"host", "end host running request/response workloads; measures what users feel", {&HostDataMetrics::Get()}};
}

}  // namespace planelab
