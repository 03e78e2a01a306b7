#include "models/storage/storage_section.h"

#include <map>
#include <set>

#include "models/storage/storage_schema.h"

namespace planelab {

using nlohmann::json;

namespace {

void ParseStorage(SectionContext& c) {
  StorageSpec& s = c.scenario.families.Mutable<StorageSpec>();
  if (c.value.contains("pool")) {
    const json& p = c.value["pool"];
    auto u32 = [&](const char* key, uint32_t* out, uint32_t lo, uint32_t hi) {
      if (!p.contains(key)) return;
      const json& v = p[key];
      if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi) {
        c.Problem(std::string("/pool/") + key, "an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
        return;
      }
      *out = v.get<uint32_t>();
    };
    u32("size", &s.pool.size, 1, 10);
    u32("min_size", &s.pool.min_size, 1, 10);
    u32("pg_num", &s.pool.pg_num, 1, 4096);
    if (s.pool.min_size > s.pool.size) c.Problem("/pool/min_size", "min_size cannot exceed size (Ceph refuses it)");
  }
  c.ReadDuration("/heartbeat_interval", &s.heartbeat.interval, 100 * kMs);
  c.ReadDuration("/heartbeat_grace", &s.heartbeat.grace, 100 * kMs);
  s.mon_osd.grace = s.heartbeat.grace;
  if (c.value.contains("min_down_reporters")) {
    const json& v = c.value["min_down_reporters"];
    if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 100) {
      c.Problem("/min_down_reporters", "an integer from 1 to 100");
    } else {
      s.mon_osd.min_down_reporters = v.get<uint32_t>();
    }
  }
  c.ReadDuration("/down_out_interval", &s.mon_osd.down_out_interval, 1 * kSec);
  c.ReadDuration("/mon_tick", &s.mon_tick, 10 * kMs);
  if (c.value.contains("election_ticks")) {
    const json& v = c.value["election_ticks"];
    if (!v.is_number_integer() || v.get<int64_t>() < 2 || v.get<int64_t>() > 1000) {
      c.Problem("/election_ticks", "an integer from 2 to 1000 (the election timeout must exceed the heartbeat)");
    } else {
      s.election_ticks = v.get<uint32_t>();
    }
  }
  c.ReadDuration("/mount_timeout", &s.mount_timeout, 100 * kMs);
  c.ReadDuration("/op_timeout", &s.op_timeout, 10 * kMs);
  c.ReadDuration("/slow_op", &s.slow_op, 1 * kMs);
  c.ReadBytes("/pg_bytes", &s.pg_bytes, 0, 1ULL << 40);
  c.ReadBytes("/backfill_chunk", &s.backfill_chunk, 1024, 65000);
  if (s.heartbeat.grace <= s.heartbeat.interval) {
    c.Problem("/heartbeat_grace", "the grace must be longer than the heartbeat interval, or every peer is reported");
  }
  if (c.value.contains("clients")) {
    const json& list = c.value["clients"];
    for (size_t i = 0; i < list.size(); ++i) {
      const json& j = list[i];
      std::string at = "/clients/" + std::to_string(i);
      StorageClientSpec cl;
      cl.client = j.value("client", "");
      cl.volume = j.value("volume", cl.volume);
      c.ReadDuration(at + "/mount_at", &cl.mount_at);
      cl.iops = j.value("iops", cl.iops);
      cl.read_share = j.value("read_share", cl.read_share);
      c.ReadBytes(at + "/io_size", &cl.io_bytes, 512, 60000);
      if (cl.iops < 0 || cl.iops > 100000) c.Problem(at + "/iops", "from 0 to 100000 operations per second");
      if (cl.read_share < 0 || cl.read_share > 1) c.Problem(at + "/read_share", "a share from 0 to 1");
      s.clients.push_back(cl);
    }
  }
  if (c.value.contains("volume_creates")) {
    const json& list = c.value["volume_creates"];
    for (size_t i = 0; i < list.size(); ++i) {
      const json& j = list[i];
      VolumeCreateSpec v;
      c.ReadDuration("/volume_creates/" + std::to_string(i) + "/at", &v.at);
      v.via = j.value("via", "");
      v.volume = j.value("volume", "");
      s.volume_creates.push_back(v);
    }
  }
}

/// Clients and creates name ceph-clients; the cluster has an odd number of monitors and enough OSDs for the pool.
void CheckStorage(const Scenario& sc, Problems& problems) {
  const StorageSpec& s = sc.families.Get<StorageSpec>();
  std::map<std::string, std::string> kinds;
  size_t mons = 0, osds = 0, clients = 0;
  for (const auto& d : sc.devices) {
    kinds[d.id] = d.kind;
    mons += d.kind == "ceph-mon";
    osds += d.kind == "ceph-osd";
    clients += d.kind == "ceph-client";
  }
  if (mons + osds + clients == 0) return;
  if (mons == 0) problems.Add("/topology/devices", "the storage cluster has OSDs or clients but no monitor (kind \"ceph-mon\")");
  if (mons % 2 == 0 && mons > 0) {
    problems.Add("/topology/devices", "the storage cluster has " + std::to_string(mons) +
                                          " monitors; use an odd number (3 or 5): an even one tolerates no more "
                                          "failures than one fewer (Ceph docs, \"Monitor Config Reference\")");
  }
  if (osds < s.pool.size) {
    problems.Add("/topology/devices", "the pool keeps " + std::to_string(s.pool.size) + " copies but there are " +
                                          std::to_string(osds) + " OSDs (kind \"ceph-osd\")");
  }
  auto need = [&](const std::string& at, const std::string& id) {
    auto it = kinds.find(id);
    if (it == kinds.end() || it->second != "ceph-client") {
      problems.Add(at, "\"" + id + "\" is not a device of kind \"ceph-client\"");
    }
  };
  std::set<std::string> seen;
  for (size_t i = 0; i < s.clients.size(); ++i) {
    std::string at = "/storage/clients/" + std::to_string(i);
    need(at + "/client", s.clients[i].client);
    if (!seen.insert(s.clients[i].client).second) problems.Add(at + "/client", "this client is listed twice");
    if (s.clients[i].mount_at >= sc.duration) problems.Add(at + "/mount_at", "the mount is at or after the end of the run");
  }
  for (size_t i = 0; i < s.volume_creates.size(); ++i) {
    std::string at = "/storage/volume_creates/" + std::to_string(i);
    need(at + "/via", s.volume_creates[i].via);
    if (s.volume_creates[i].volume.empty()) problems.Add(at + "/volume", "name the volume to create");
    if (s.volume_creates[i].at >= sc.duration) problems.Add(at + "/at", "the create is asked at or after the end of the run");
  }
}

}  // namespace

ScenarioSection StorageSection() {
  ScenarioSection s;
  s.key = "storage";
  s.help = "the Ceph-like storage cluster: pool, heartbeat and down/out timers, monitor consensus, clients' volumes "
           "and I/O, volume creates";
  s.stage = ScenarioSection::Stage::kSettings;
  s.schema = kStorageSchemaText;
  s.parse = ParseStorage;
  s.check = CheckStorage;
  return s;
}

}  // namespace planelab
