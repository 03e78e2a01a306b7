#include "sim/core/clock.h"

#include <ns3/core-module.h>

#include <csignal>
#include <memory>

namespace planelab {

SimTime Clock::Now() { return ns3::Simulator::Now().GetNanoSeconds(); }

namespace {
// Set from a signal handler: only a volatile sig_atomic_t is safe there.
volatile std::sig_atomic_t g_stop_reason = 0;

// Stored out of line so ns-3's event holds one pointer; freed after it runs. A requested stop ends the
// kernel's loop after this event (ns-3's Stop() with no delay only sets its own flag).
void RunAndFree(std::function<void()>* fn) {
  std::unique_ptr<std::function<void()>> owned(fn);
  (*owned)();
  if (g_stop_reason != 0) ns3::Simulator::Stop();
}
}  // namespace

void Clock::RequestStop(int reason) { g_stop_reason = reason; }

int Clock::StopRequested() { return g_stop_reason; }

void Clock::After(SimTime delay, std::function<void()> fn) {
  ns3::Simulator::Schedule(ns3::NanoSeconds(delay), &RunAndFree, new std::function<void()>(std::move(fn)));
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
  uint64_t gen = ++generation_;
  armed_ = true;
  Clock::After(delay, [this, gen, fn = std::move(fn)]() {
    if (gen != generation_) return;
    armed_ = false;
    fn();
  });
}

}  // namespace planelab
