// The plane-actor base: one of a device's data, control or management planes.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "sim/core/clock.h"
#include "sim/core/event_bus.h"
#include "sim/core/metrics.h"
#include "sim/core/plane.h"

namespace planelab {

/// What every actor of a run shares: the event bus, the metric registry and the seed.
struct RunContext {
  EventBus events;
  MetricRegistry metrics;
  uint64_t seed = 1;
  /// Run-wide probes a model family shares (e.g. the store's safety check), by name.
  std::map<std::string, std::shared_ptr<void>> shared;
};

/// Derives an independent, reproducible random stream for `name` from the scenario seed.
std::mt19937_64 MakeStream(uint64_t seed, const std::string& name);

/// Base of every plane actor: identity, lifecycle, measured health, timers, metrics, events.
class PlaneActor : private TimerOwner {
 public:
  PlaneActor(RunContext& ctx, std::string device, Plane plane);
  virtual ~PlaneActor() = default;
  PlaneActor(const PlaneActor&) = delete;
  PlaneActor& operator=(const PlaneActor&) = delete;

  const std::string& device() const { return device_; }
  Plane plane() const { return plane_; }
  Lifecycle lifecycle() const { return lifecycle_; }
  /// True when the actor processes messages and timers (starting, up or degraded).
  bool running() const {
    return lifecycle_ == Lifecycle::kUp || lifecycle_ == Lifecycle::kDegraded || lifecycle_ == Lifecycle::kStarting;
  }
  /// Moves the lifecycle; a crash or stop invalidates every pending timer of the actor.
  void SetLifecycle(Lifecycle next, const std::string& reason);

  /// Called once at time zero by the engine.
  virtual void Start() { SetLifecycle(Lifecycle::kUp, "start"); }

  /// Lifecycle operations, as INET's (a crash, then a start): every fault kind that crashes a plane goes through
  /// them (plane-crash, bgp-daemon-crash, store-member-crash), whatever the device. A running actor crashes at
  /// once: its lifecycle becomes crashed (`reason` in the lifecycle event), every timer it set with After() and
  /// every message a port brings it are void from then on, and HandleCrash() drops what the process loses.
  /// An actor that is not running (absent, down, already crashed) is left as it is.
  void Crash(const std::string& reason);
  /// Brings a crashed actor back through HandleRestart(); an actor in any other state is left as it is.
  void Restart();
  /// The actual health over the interval since the last call, measured from what the actor did.
  virtual Health MeasureHealth() = 0;

 protected:
  /// What a crash loses beyond timers and ports: sockets, connections, queued work, what the process held in
  /// memory. Called with the lifecycle already crashed. By default nothing: a family whose every input comes
  /// through ports, timers or handlers that check running() crashes correctly as it is.
  virtual void HandleCrash() {}
  /// Starts again from what survives a crash (disk, hardware, what others keep). By default Start(), which must
  /// then cope with being called again after HandleCrash().
  virtual void HandleRestart() { Start(); }
  /// Runs `fn` after `delay` unless the actor crashed or stopped in between.
  void After(SimTime delay, std::function<void()> fn);
  void Emit(const std::string& kind, const std::string& detail = "{}");
  /// From the plane's metric table (sim/core/metric_decl.h): name, unit and help as declared, once.
  Counter* AddCounter(const CounterDecl& decl);
  Gauge* AddGauge(const GaugeDecl& decl);
  Histogram* AddHistogram(const HistogramDecl& decl);
  std::mt19937_64& rng() { return rng_; }
  RunContext& ctx() { return ctx_; }
  /// Health implied by the lifecycle alone (down/crashed => down), or `measured` otherwise.
  Health WithLifecycle(Health measured) const;

 private:
  RunContext& ctx_;
  std::string device_;
  Plane plane_;
  Lifecycle lifecycle_ = Lifecycle::kStarting;
  uint64_t epoch_ = 0;
  std::mt19937_64 rng_;
  bool TimerDue(uint64_t epoch) override;  // a timer set before a crash or stop never fires
};

/// A one-way typed message channel between two planes of one device, with a delivery delay.
/// The sender never sees the receiver: it only sends; a stopped receiver loses the message.
template <class Msg>
class Port {
 public:
  Port(std::string name, SimTime delay) : name_(std::move(name)), delay_(delay) {}
  void Connect(const PlaneActor* receiver, std::function<void(const Msg&)> handler) {
    receiver_ = receiver;
    handler_ = std::move(handler);
  }
  void Send(Msg msg) {
    ++sent_;
    Clock::After(delay_, [this, msg = std::move(msg)]() {
      if (!handler_ || (receiver_ && !receiver_->running())) { ++lost_; return; }
      handler_(msg);
    });
  }
  void set_delay(SimTime d) { delay_ = d; }
  SimTime delay() const { return delay_; }
  uint64_t sent() const { return sent_; }
  uint64_t lost() const { return lost_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  SimTime delay_;
  const PlaneActor* receiver_ = nullptr;
  std::function<void(const Msg&)> handler_;
  uint64_t sent_ = 0, lost_ = 0;
};

}  // namespace planelab
