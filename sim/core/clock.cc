#include "sim/core/clock.h"

#include <ns3/core-module.h>

#include <csignal>
#include <memory>

namespace planelab {

SimTime Clock::Now() { return ns3::Simulator::Now().GetNanoSeconds(); }

namespace {
// Set from a signal handler: only a volatile sig_atomic_t is safe there.
volatile std::sig_atomic_t g_stop_reason = 0;

// The kernel's event holds the function (and the owner's guard) itself: one allocation per timer, as ns-3's own
// MakeEvent. A requested stop ends the kernel's loop after this event (ns-3's Stop() with no delay only sets its
// own flag).
class FunctionEvent : public ns3::EventImpl {
 public:
  FunctionEvent(std::function<void()> fn, TimerOwner* owner, uint64_t token)
      : fn_(std::move(fn)), owner_(owner), token_(token) {}

 protected:
  void Notify() override {
    if (owner_ == nullptr || owner_->TimerDue(token_)) fn_();
    if (g_stop_reason != 0) ns3::Simulator::Stop();
  }

 private:
  std::function<void()> fn_;
  TimerOwner* owner_;
  uint64_t token_;
};
}  // namespace

void Clock::RequestStop(int reason) { g_stop_reason = reason; }

int Clock::StopRequested() { return g_stop_reason; }

void Clock::After(SimTime delay, std::function<void()> fn) { After(delay, std::move(fn), nullptr, 0); }

void Clock::After(SimTime delay, std::function<void()> fn, TimerOwner* owner, uint64_t token) {
  // Created with one reference, which the Ptr takes over (no extra increment).
  ns3::Simulator::Schedule(ns3::NanoSeconds(delay),
                           ns3::Ptr<ns3::EventImpl>(new FunctionEvent(std::move(fn), owner, token), false));
}

void Clock::Configure(uint64_t seed, const std::string& scheduler) {
  ns3::ObjectFactory factory;
  factory.SetTypeId(scheduler);
  ns3::Simulator::SetScheduler(factory);
  // ns-3's MRG32k3a needs 0 < seed < 4294967087; the run number stays 1 so the seed alone selects
  // the streams.
  ns3::RngSeedManager::SetSeed(static_cast<uint32_t>(seed % 4294967086ULL) + 1);
  ns3::RngSeedManager::SetRun(1);
}

void Clock::RunUntil(SimTime end) {
  ns3::Simulator::Stop(ns3::NanoSeconds(end));
  ns3::Simulator::Run();
}

uint64_t Clock::EventCount() { return ns3::Simulator::GetEventCount(); }

void Timer::Arm(SimTime delay, std::function<void()> fn) {
  armed_ = true;
  Clock::After(delay, std::move(fn), this, ++generation_);
}

bool Timer::TimerDue(uint64_t generation) {
  if (generation != generation_) return false;
  armed_ = false;
  return true;
}

}  // namespace planelab
