#include "sim/core/control_cpu.h"

#include <algorithm>

namespace planelab {

void ControlCpu::Submit(SimTime cost, std::function<void()> fn) {
  queue_.push_back({cost, Clock::Now(), std::move(fn)});
  if (depth_gauge_) depth_gauge_->Set(static_cast<double>(depth()));
  if (!busy_) StartNext();
}

void ControlCpu::Advance() {
  SimTime now = Clock::Now();
  double dt = static_cast<double>(now - last_advance_);
  // Our work gets (1 - load) of the CPU while busy; the hog takes `load` whenever it runs.
  used_ns_ += dt * (load_ + (busy_ ? 1.0 - load_ : 0.0));
  last_advance_ = now;
}

void ControlCpu::SetBackgroundLoad(double load) {
  Advance();
  double next = std::clamp(load, 0.0, 0.999);
  if (busy_ && next != load_) {
    // Processor sharing: the work done so far was at the old share; the rest runs at the new one.
    SimTime now = Clock::Now();
    remaining_ns_ = std::max(0.0, remaining_ns_ - static_cast<double>(now - service_mark_) * (1.0 - load_));
    service_mark_ = now;
    load_ = next;
    ScheduleCompletion();
    return;
  }
  load_ = next;
}

void ControlCpu::Flush() {
  queue_.clear();
  Advance();
  busy_ = false;
  current_ = Item{};
  ++generation_;
  if (depth_gauge_) depth_gauge_->Set(0);
}

void ControlCpu::StartNext() {
  if (queue_.empty()) return;
  Item item = std::move(queue_.front());
  queue_.pop_front();
  SimTime now = Clock::Now();
  double wait = ToSeconds(now - item.enqueued);
  max_wait_ = std::max(max_wait_, wait);
  if (wait_hist_) wait_hist_->Observe(wait);
  Advance();
  busy_ = true;
  remaining_ns_ = static_cast<double>(item.cost);
  service_mark_ = now;
  current_ = std::move(item);
  ScheduleCompletion();
}

void ControlCpu::ScheduleCompletion() {
  // The item gets (1 - load) of the CPU while it runs.
  SimTime service = static_cast<SimTime>(remaining_ns_ / (1.0 - load_));
  uint64_t gen = ++generation_;
  Clock::After(service, [this, gen]() {
    if (gen != generation_) return;
    Advance();
    busy_ = false;
    std::function<void()> fn = std::move(current_.fn);
    current_ = Item{};
    fn();
    if (depth_gauge_) depth_gauge_->Set(static_cast<double>(depth()));
    if (!busy_) StartNext();
  });
}

double ControlCpu::TakeUtilization() {
  Advance();
  SimTime now = Clock::Now();
  SimTime window = now - util_window_start_;
  double used = used_ns_;
  used_ns_ = 0;
  util_window_start_ = now;
  if (window <= 0) return load_;
  return std::min(1.0, used / static_cast<double>(window));
}

double ControlCpu::TakeMaxWait() {
  double w = max_wait_;
  if (!queue_.empty()) w = std::max(w, OldestQueuedAge());
  max_wait_ = 0;
  return w;
}

double ControlCpu::OldestQueuedAge() const {
  if (queue_.empty()) return 0;
  return ToSeconds(Clock::Now() - queue_.front().enqueued);
}

}  // namespace planelab
