# The router family: the router device kind (data: FIB and ASIC; control: link-state or BGP on the route
# processor; management: the SNMP agent) and the "routing" section.

# The BGP core is pure (no ns-3): messages, FSM, RIBs, decision process, damping.
add_library(planelab_bgp STATIC
  router/control/bgp/bgp_message.cc
  router/control/bgp/bgp_speaker.cc
  router/control/bgp/route_interner.cc
  router/control/bgp/route_flap_damping.cc)

planelab_family(NAME router
  SCHEMA router/routing.schema.json kRoutingSchemaText
  PURE router/router_catalog.cc router/routing_section.cc router/router_kind.cc
    router/control/ospf_packet.cc router/control/link_state_routing.cc
  PURE_LINKS planelab_bgp
  KERNEL
    router/data/router_data_plane.cc
    router/control/router_control_plane.cc
    router/control/link_state_control_plane.cc
    router/control/bgp_control_plane.cc
    router/mgmt/router_mgmt_agent.cc
    router/router_device.cc
    router/router_family.cc
  KERNEL_LINKS planelab_bgp planelab_snmp planelab_snmp_agent)
