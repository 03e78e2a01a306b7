# The cluster family: an orchestrated cluster (etcd-like store, API server, controller manager, kubelets, cloud,
# service clients) and the "cluster" section that sets it and builds its network.

# The orchestrator's pure cores (no ns-3): API objects, disk model, Raft, scheduler, reconcilers, bootstrap.
add_library(planelab_orchestration_core STATIC
  proto/cluster_api.cc
  disk/disk_model.cc
  store/control/raft/raft_node.cc
  controller/control/pod_scheduler.cc
  controller/control/deployment_reconciler.cc
  controller/control/cluster_bootstrap.cc
  client/store_endpoint_balancer.cc
  cloud/core/cloud_core.cc)
target_link_libraries(planelab_orchestration_core PUBLIC planelab_util)

planelab_family(NAME cluster
  SCHEMA cluster/cluster.schema.json kClusterSchemaText
  PURE cluster/cluster_catalog.cc cluster/cluster_section.cc cluster/cluster_kinds.cc
  PURE_LINKS planelab_orchestration_core
  KERNEL
    client/api_client.cc
    store/store_safety_probe.cc
    store/data/store_data_plane.cc
    store/control/store_control_plane.cc
    store/store_device.cc
    apiserver/control/api_server_control_plane.cc
    apiserver/mgmt/kubectl_mgmt_plane.cc
    apiserver/api_server_device.cc
    controller/control/controller_manager_control_plane.cc
    controller/controller_manager_device.cc
    node/control/kubelet_control_plane.cc
    node/data/node_data_plane.cc
    node/node_device.cc
    mesh/data/node_sidecars.cc
    mesh/data/sidecar_tcp.cc
    cloud/control/cloud_control_plane.cc
    cloud/data/load_balancer_data_plane.cc
    cloud/cloud_device.cc
    serviceclient/service_client_data_plane.cc
    serviceclient/service_client_device.cc
    cluster/cluster_family.cc
  KERNEL_LINKS planelab_orchestration_core planelab_mesh_core)
