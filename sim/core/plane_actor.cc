#include "sim/core/plane_actor.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "sim/util/hash.h"

namespace planelab {

std::mt19937_64 MakeStream(uint64_t seed, const std::string& name) {
  // SplitMix64 over (seed, FNV-1a(name)): independent streams that do not depend on creation order.
  uint64_t z = seed ^ Fnv1a64(name);
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return std::mt19937_64(z);
}

PlaneActor::PlaneActor(RunContext& ctx, std::string device, Plane plane)
    : ctx_(ctx), device_(std::move(device)), plane_(plane),
      rng_(MakeStream(ctx.seed, device_ + "/" + ToString(plane))) {}

void PlaneActor::SetLifecycle(Lifecycle next, const std::string& reason) {
  if (next == lifecycle_) return;
  Lifecycle prev = lifecycle_;
  lifecycle_ = next;
  if (next == Lifecycle::kCrashed || next == Lifecycle::kDown || next == Lifecycle::kAbsent) ++epoch_;
  nlohmann::json d = {{"from", ToString(prev)}, {"to", ToString(next)}, {"reason", reason}};
  Emit("lifecycle", d.dump());
}

void PlaneActor::Crash(const std::string& reason) {
  if (!running()) return;
  SetLifecycle(Lifecycle::kCrashed, reason);
  HandleCrash();
}

void PlaneActor::Restart() {
  if (lifecycle_ != Lifecycle::kCrashed) return;
  HandleRestart();
}

void PlaneActor::After(SimTime delay, std::function<void()> fn) { Clock::After(delay, std::move(fn), this, epoch_); }

bool PlaneActor::TimerDue(uint64_t epoch) { return epoch == epoch_ && running(); }

void PlaneActor::Emit(const std::string& kind, const std::string& detail) {
  ctx_.events.Emit(device_, ToString(plane_), kind, detail);
}

namespace {
/// A plane records its own table's metrics only.
const MetricDecl& OnPlane(const MetricDecl& d, Plane plane, const std::string& device) {
  if (d.plane != plane) {
    throw std::logic_error(device + "/" + ToString(plane) + " adds metric \"" + d.name + "\" of the " +
                           ToString(d.plane) + " plane");
  }
  return d;
}
}  // namespace

Counter* PlaneActor::AddCounter(const CounterDecl& decl) {
  OnPlane(decl, plane_, device_);
  return ctx_.metrics.AddCounter(device_, decl);
}
Gauge* PlaneActor::AddGauge(const GaugeDecl& decl) {
  OnPlane(decl, plane_, device_);
  return ctx_.metrics.AddGauge(device_, decl);
}
Histogram* PlaneActor::AddHistogram(const HistogramDecl& decl) {
  OnPlane(decl, plane_, device_);
  return ctx_.metrics.AddHistogram(device_, decl);
}

Health PlaneActor::WithLifecycle(Health measured) const {
  switch (lifecycle_) {
    case Lifecycle::kDown:
    case Lifecycle::kCrashed:
      return Health::kDown;
    case Lifecycle::kAbsent:
      return Health::kAbsent;
    case Lifecycle::kStarting:
      return measured == Health::kUp ? Health::kDegraded : measured;
    case Lifecycle::kDegraded:
      return measured == Health::kUp ? Health::kDegraded : measured;
    case Lifecycle::kUp:
      return measured;
  }
  return measured;
}

}  // namespace planelab
