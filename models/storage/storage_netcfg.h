// Who the storage cluster's daemons are and where they listen (Ceph's monmap and the OSDs' addresses), built once
// per run from the topology: monitors and OSDs in file order (osd.0, osd.1, ...; monitor Raft ids 1..N).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace planelab {

struct StorageNetcfg {
  std::vector<std::pair<std::string, uint32_t>> mons;  // device, address; Raft member id = position + 1
  std::vector<std::pair<std::string, uint32_t>> osds;  // device, address; OSD id = position
  std::map<std::string, int> osd_id;
};

}  // namespace planelab
