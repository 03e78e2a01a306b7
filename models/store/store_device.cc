#include "models/store/store_device.h"

#include <set>

#include "models/controller/control/cluster_bootstrap.h"
#include "models/store/control/store_control_plane.h"
#include "models/store/data/store_data_plane.h"
#include "sim/core/network.h"
#include "sim/fault/fault_kinds.h"
#include "sim/fault/fault_injector.h"
#include "models/cluster/cluster_section.h"

namespace planelab {

namespace {

// Between the key-value service and the Raft loop of one process: a channel hand-off.
constexpr SimTime kInProcess = 5 * kUs;

uint64_t MemberId(const std::string& device) { return std::stoull(device.substr(device.rfind('-') + 1)); }

class StoreDevice : public Device {
 public:
  explicit StoreDevice(DeviceEnv& env)
      : Device(env.spec.id), propose_("data->control:propose", kInProcess), apply_("control->data:apply", kInProcess) {
    const ClusterSpec& cs = env.scenario.families.Get<ClusterSpec>();
    std::map<uint64_t, uint32_t> peers;
    for (uint32_t i = 1; i <= cs.store_members; ++i) {
      peers[i] = env.network.ServiceAddress("etcd-" + std::to_string(i));
    }
    uint64_t me = MemberId(id());
    data_.reset(new StoreDataPlane(env.ctx, id(), cs, env.network, me, BootstrapObjects(cs), propose_));
    control_.reset(new StoreControlPlane(env.ctx, id(), cs, env.network, me, peers, apply_));
    propose_.Connect(control_.get(), [this](const StoreProposal& p) { control_->OnProposal(p); });
    apply_.Connect(data_.get(), [this](const StoreApply& a) { data_->OnApply(a); });
    env.faults.On<DiskPressureParams>(id(), [this](const DiskPressureParams& f, bool on) {
      if (!on) { control_->SetDiskPressure(nullptr); return; }
      DiskPressure p;
      p.extra_fsync_latency = f.extra_fsync_latency;
      p.iops_factor = f.iops_factor;
      p.neighbor_iops = f.neighbor_iops;
      control_->SetDiskPressure(&p);
    });
    uint32_t members = cs.store_members;
    env.faults.On<StorePartitionParams>(id(), [this, members, me](const StorePartitionParams& p, bool on) {
      std::set<uint64_t> cut;
      if (on) {
        if (p.from.empty()) {
          for (uint64_t i = 1; i <= members; ++i) if (i != me) cut.insert(i);
        } else {
          for (const auto& member : p.from) cut.insert(MemberId(member));
        }
      }
      control_->SetPartitioned(cut);
    });
  }
  std::vector<PlaneActor*> planes() override { return {data_.get(), control_.get()}; }

 private:
  Port<StoreProposal> propose_;
  Port<StoreApply> apply_;
  std::unique_ptr<StoreDataPlane> data_;
  std::unique_ptr<StoreControlPlane> control_;
};

}  // namespace

void RegisterStoreKind(DeviceRegistry& registry) {
  registry.Register("store-member", [](DeviceEnv& env) { return std::unique_ptr<Device>(new StoreDevice(env)); });
}

}  // namespace planelab
