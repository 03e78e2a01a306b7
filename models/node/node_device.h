// The node device kind: a worker instance slot. Control = kubelet + kube-proxy; data = pods and service routing.
// Slots without an instance are down until the cloud launches one into them.
#pragma once
#include "sim/core/device.h"

namespace planelab {

/// Registers the "node" kind.
void RegisterNodeKind(DeviceRegistry& registry);

/// Powers instances on and off: the cloud's hypervisor, shared by a run's node slots and the cloud.
class InstancePower {
 public:
  using Switch = std::function<void(bool on)>;
  static InstancePower& For(RunContext& ctx);
  void Register(const std::string& slot, Switch s) { switches_[slot] = std::move(s); }
  void Set(const std::string& slot, bool on) {
    auto it = switches_.find(slot);
    if (it != switches_.end()) it->second(on);
  }

 private:
  std::map<std::string, Switch> switches_;
};

}  // namespace planelab
