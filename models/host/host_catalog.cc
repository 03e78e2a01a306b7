// The host family: end hosts that run the scenario's workloads (the loader reads "workloads").
// Its catalogue: what it adds to scenario files and to the kind catalogue. Pure: no kernel.
#include "models/host/host_kind.h"
#include "sim/scenario/model_catalog.h"

namespace planelab {

void RegisterHostCatalog(ModelCatalog& catalog) {
  catalog.sections.AddDeclarableKind({"host", "hosts", false});
  catalog.kinds.Add(HostKind());
}

}  // namespace planelab
