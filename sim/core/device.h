// A device = up to three plane actors; device kinds are created through a registry.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/plane_actor.h"
#include "sim/scenario/scenario.h"

namespace planelab {

class Network;
class FaultInjector;

/// What a device kind gets to build itself.
struct DeviceEnv {
  const Scenario& scenario;
  const DeviceSpec& spec;
  Network& network;
  RunContext& ctx;
  FaultInjector& faults;
};

/// The dashboard's view of a device's plane, as the management plane reports it.
class ReportedHealthSource {
 public:
  virtual ~ReportedHealthSource() = default;
  virtual Health Reported(const std::string& device, Plane plane) const = 0;
};

/// A device assembled from plane actors and the ports between them.
class Device {
 public:
  explicit Device(std::string id) : id_(std::move(id)) {}
  virtual ~Device() = default;
  const std::string& id() const { return id_; }
  /// The device's plane actors, data first.
  virtual std::vector<PlaneActor*> planes() = 0;
  /// The dashboard this device provides, if it is a monitoring station.
  virtual const ReportedHealthSource* dashboard() const { return nullptr; }

 private:
  std::string id_;
};

using DeviceFactory = std::function<std::unique_ptr<Device>(DeviceEnv&)>;

/// Device kinds by name ("router", "host", "monitor").
class DeviceRegistry {
 public:
  void Register(const std::string& kind, DeviceFactory f) { factories_[kind] = std::move(f); }
  const DeviceFactory* Find(const std::string& kind) const {
    auto it = factories_.find(kind);
    return it == factories_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, DeviceFactory> factories_;
};

}  // namespace planelab
