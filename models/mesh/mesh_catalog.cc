// The mesh family's catalogue: the "istiod" kind and the "mesh" section. Pure: no kernel. The sidecars' metrics
// are recorded by the cluster's node and service-client kinds (models/cluster/cluster_kinds.cc lists them).
#include "models/mesh/control/istiod_metrics.h"
#include "models/mesh/mesh_section.h"
#include "sim/scenario/kind_catalog.h"
#include "sim/scenario/model_catalog.h"

namespace planelab {

void RegisterMeshCatalog(ModelCatalog& catalog) {
  catalog.kinds.Add(DeviceKindDecl{
      "istiod",
      "Istio's control plane on the control-plane rack: control = discovery (watches pods and VirtualServices "
      "through the API server, debounced xDS pushes to every sidecar) and the CA (signs workload certificates); "
      "management = its monitoring port as Prometheus scrapes it",
      {&IstiodControlMetrics::Get(), &IstiodMgmtMetrics::Get()}});
  catalog.sections.Add(MeshSection());
}

}  // namespace planelab
