// The cluster family: an orchestrated cluster's device kinds and the "cluster" section that sets and builds it.
// Its catalogue: what it adds to scenario files and to the kind catalogue. Pure: no kernel.
#include "models/cluster/cluster_kinds.h"
#include "models/cluster/cluster_section.h"
#include "sim/scenario/model_catalog.h"

namespace planelab {

void RegisterClusterCatalog(ModelCatalog& catalog) {
  for (DeviceKindDecl& k : ClusterKinds()) catalog.kinds.Add(std::move(k));
  catalog.sections.Add(ClusterSection());
}

}  // namespace planelab
