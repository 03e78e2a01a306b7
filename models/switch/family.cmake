# The switch family: OpenFlow 1.3 switches (data: flow table in the forwarding hardware; control: the OpenFlow
# agent) and the "switch" section. The flow table and the OpenFlow codec are pure (planelab_openflow).
planelab_family(NAME switch
  SCHEMA switch/switch.schema.json kSwitchSchemaText
  PURE switch/switch_catalog.cc switch/switch_section.cc
  KERNEL
    switch/data/switch_data_plane.cc
    switch/control/switch_agent.cc
    switch/mgmt/switch_mgmt_agent.cc
    switch/switch_device.cc
  KERNEL_LINKS planelab_openflow planelab_openflow_conn planelab_snmp planelab_snmp_agent)
