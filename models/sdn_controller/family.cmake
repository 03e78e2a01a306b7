# The SDN controller family: a cluster of controllers (ONOS-like) whose intents and mastership are replicated
# with the project's Raft core (planelab_orchestration_core), and the "sdn_controller" section.
planelab_family(NAME sdn_controller
  SCHEMA sdn_controller/sdn_controller.schema.json kSdnControllerSchemaText
  PURE sdn_controller/sdn_controller_kind.cc sdn_controller/sdn_controller_section.cc
  KERNEL
    sdn_controller/control/sdn_control_plane.cc
    sdn_controller/mgmt/northbound_mgmt_plane.cc
    sdn_controller/sdn_controller_device.cc
  KERNEL_LINKS planelab_openflow planelab_orchestration_core planelab_openflow_conn)
