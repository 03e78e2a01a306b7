# The monitor family: the operators' monitoring station, polling every agent over SNMPv2c.
planelab_family(NAME monitor
  PURE monitor/monitor_catalog.cc monitor/monitor_kind.cc
  KERNEL monitor/monitoring_station.cc monitor/monitor_family.cc
  KERNEL_LINKS planelab_snmp)
