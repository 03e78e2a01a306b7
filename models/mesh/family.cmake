# The mesh family: istiod (control: xDS and CA; management: its monitoring port) and the Envoy sidecars that the
# cluster's nodes and service clients run as their data path, and the "mesh" section.

# The pure cores (no ns-3): Envoy's route table with outlier detection, panic threshold and circuit breakers, the
# workload certificate's lifecycle, istiod's push debounce, and the sidecar agent (xDS client, CSR, rotation).
add_library(planelab_mesh_core STATIC
  mesh/core/envoy_router.cc
  mesh/core/cert_lifecycle.cc
  mesh/core/push_debounce.cc
  mesh/core/tls_wire.cc
  mesh/data/sidecar_agent.cc
  mesh/data/outbound_proxy.cc)
target_link_libraries(planelab_mesh_core PUBLIC planelab_util planelab_scenario)

planelab_family(NAME mesh
  SCHEMA mesh/mesh.schema.json kMeshSchemaText
  PURE mesh/mesh_catalog.cc mesh/mesh_section.cc
  PURE_LINKS planelab_mesh_core
  KERNEL
    mesh/control/istiod_control_plane.cc
    mesh/istiod_device.cc
  KERNEL_LINKS planelab_mesh_core planelab_cluster)
