// The storage family's device kinds: monitors, OSDs and clients, each its planes and the ports between them, and
// their faults' hooks. The cluster's directory (monmap, OSD addresses) is built once per run from the topology.
#include <memory>

#include "models/storage/client/client_planes.h"
#include "models/storage/mon/mon_control_plane.h"
#include "models/storage/osd/osd_planes.h"
#include "models/storage/storage_section.h"
#include "sim/core/device.h"
#include "sim/core/network.h"
#include "sim/fault/fault_injector.h"
#include "sim/fault/fault_kinds.h"
#include "sim/util/hash.h"

namespace planelab {

namespace {

std::shared_ptr<const StorageNetcfg> NetcfgOf(DeviceEnv& env) {
  auto& shared = env.ctx.shared["storage.netcfg"];
  if (!shared) {
    auto cfg = std::make_shared<StorageNetcfg>();
    for (const auto& d : env.scenario.devices) {
      if (d.kind == "ceph-mon") cfg->mons.push_back({d.id, env.network.ServiceAddress(d.id)});
      if (d.kind == "ceph-osd") {
        cfg->osd_id[d.id] = static_cast<int>(cfg->osds.size());
        cfg->osds.push_back({d.id, env.network.ServiceAddress(d.id)});
      }
    }
    shared = cfg;
  }
  return std::static_pointer_cast<const StorageNetcfg>(shared);
}

class MonDevice : public Device {
 public:
  explicit MonDevice(DeviceEnv& env) : Device(env.spec.id) {
    auto cfg = NetcfgOf(env);
    control_.reset(new StorageMonControlPlane(env.ctx, id(), env.network, env.scenario.families.Get<StorageSpec>(), cfg));
    // mon-quorum-loss names the cluster by any of its monitors: every monitor is cut from the others.
    for (const auto& [mon, addr] : cfg->mons) {
      env.faults.On<MonQuorumLossParams>(mon, [this](const MonQuorumLossParams&, bool on) { control_->SetCutFromPeers(on); });
    }
  }
  std::vector<PlaneActor*> planes() override { return {control_.get()}; }

 private:
  std::unique_ptr<StorageMonControlPlane> control_;
};

// The map reaches the OSD's data plane within the process (a shared OSDMap cache): no network delay.
constexpr SimTime kInProcess = 10 * kUs;

class OsdDevice : public Device {
 public:
  explicit OsdDevice(DeviceEnv& env) : Device(env.spec.id), map_port_("control->data:osdmap", kInProcess) {
    auto cfg = NetcfgOf(env);
    const StorageSpec& spec = env.scenario.families.Get<StorageSpec>();
    data_.reset(new OsdDataPlane(env.ctx, id(), env.network, spec, cfg, env.ctx.seed ^ Fnv1a64(id() + "/disk")));
    control_.reset(new OsdControlPlane(env.ctx, id(), env.network, spec, cfg, map_port_));
    map_port_.Connect(data_.get(), [this](const OsdMapPtr& m) { data_->OnMap(m); });
    env.faults.On<OsdSlowDiskParams>(id(), [this](const OsdSlowDiskParams& p, bool on) {
      DiskPressure d;
      d.extra_fsync_latency = p.extra_latency;
      d.iops_factor = p.iops_factor;
      data_->SetDiskPressure(on ? &d : nullptr);
    });
  }
  std::vector<PlaneActor*> planes() override { return {data_.get(), control_.get()}; }

 private:
  Port<OsdMapPtr> map_port_;
  std::unique_ptr<OsdDataPlane> data_;
  std::unique_ptr<OsdControlPlane> control_;
};

class ClientDevice : public Device {
 public:
  explicit ClientDevice(DeviceEnv& env) : Device(env.spec.id), map_port_("control->data:osdmap", kInProcess) {
    auto cfg = NetcfgOf(env);
    const StorageSpec& spec = env.scenario.families.Get<StorageSpec>();
    data_.reset(new StorageClientDataPlane(env.ctx, id(), env.network, spec, cfg));
    control_.reset(new StorageClientControlPlane(env.ctx, id(), env.network, spec, cfg, map_port_));
    map_port_.Connect(data_.get(), [this](const ClientMapPtr& m) { data_->OnMap(m); });
  }
  std::vector<PlaneActor*> planes() override { return {data_.get(), control_.get()}; }

 private:
  Port<ClientMapPtr> map_port_;
  std::unique_ptr<StorageClientDataPlane> data_;
  std::unique_ptr<StorageClientControlPlane> control_;
};

}  // namespace

void RegisterStorageDevices(DeviceRegistry& registry) {
  registry.Register("ceph-mon", [](DeviceEnv& env) { return std::unique_ptr<Device>(new MonDevice(env)); });
  registry.Register("ceph-osd", [](DeviceEnv& env) { return std::unique_ptr<Device>(new OsdDevice(env)); });
  registry.Register("ceph-client", [](DeviceEnv& env) { return std::unique_ptr<Device>(new ClientDevice(env)); });
}

}  // namespace planelab
