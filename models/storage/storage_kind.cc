// The storage family's catalogue: the "ceph-mon", "ceph-osd" and "ceph-client" kinds and the "storage" section.
// Pure: no kernel.
#include "models/storage/client/client_metrics.h"
#include "models/storage/mon/mon_metrics.h"
#include "models/storage/osd/osd_metrics.h"
#include "models/storage/storage_section.h"
#include "sim/scenario/kind_catalog.h"
#include "sim/scenario/model_catalog.h"

namespace planelab {

void RegisterStorageCatalog(ModelCatalog& catalog) {
  catalog.sections.AddDeclarableKind({"ceph-mon", "ceph-mons", false});
  catalog.sections.AddDeclarableKind({"ceph-osd", "ceph-osds", false});
  catalog.sections.AddDeclarableKind({"ceph-client", "ceph-clients", false});
  catalog.kinds.Add(DeviceKindDecl{
      "ceph-mon",
      "storage monitor (Ceph-like): control = the cluster map kept by quorum (Raft), OSD failure handling "
      "(reporters, grace, down -> out), mounts and volume creates",
      {&StorageMonMetrics::Get()}});
  catalog.kinds.Add(DeviceKindDecl{
      "ceph-osd",
      "storage OSD (Ceph-like): control = map, boot, peer heartbeats and failure reports; data = placement groups "
      "on its disk, client ops as primary, replication, backfill",
      {&OsdDataMetrics::Get(), &OsdControlMetrics::Get()}});
  catalog.kinds.Add(DeviceKindDecl{
      "ceph-client",
      "storage client (a VM with an RBD volume): control = mount and volume creates through the monitors; data = "
      "I/O straight to the OSDs with the map it holds",
      {&StorageClientDataMetrics::Get(), &StorageClientControlMetrics::Get()}});
  catalog.sections.Add(StorageSection());
}

}  // namespace planelab
