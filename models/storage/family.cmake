# The storage family: a Ceph-like cluster of monitors (the map by quorum, on the project's Raft core), OSDs (PGs,
# replication, heartbeats, backfill) and clients, and the "storage" section. Its pure cores (placement, PG states,
# heartbeats, the monitors' failure handling) are a library of their own, unit-tested without the kernel.
add_library(planelab_storage_core STATIC storage/core/ceph_core.cc)
target_link_libraries(planelab_storage_core PUBLIC planelab_util)

planelab_family(NAME storage
  SCHEMA storage/storage.schema.json kStorageSchemaText
  PURE storage/storage_kind.cc storage/storage_section.cc
  PURE_LINKS planelab_storage_core
  KERNEL
    storage/mon/mon_control_plane.cc
    storage/osd/osd_planes.cc
    storage/client/client_planes.cc
    storage/storage_family.cc
  KERNEL_LINKS planelab_storage_core planelab_orchestration_core)
