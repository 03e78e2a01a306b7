# The host family: end hosts running the scenario's request/response workloads.
planelab_family(NAME host
  PURE host/host_catalog.cc host/host_kind.cc
  KERNEL host/host_data_plane.cc host/host_family.cc)
