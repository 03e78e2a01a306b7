#include "models/disk/disk_model.h"

#include <algorithm>
#include <cmath>

namespace planelab {

DiskModel::DiskModel(const DiskConfig& cfg, uint64_t seed)
    : cfg_(cfg), rng_(seed), unit_(0.0, cfg.latency_sigma) {}

SimTime DiskModel::ServiceTime(uint64_t bytes, bool fsync) {
  double median = static_cast<double>(fsync ? cfg_.fsync_latency_median : cfg_.write_latency_median);
  double latency = median * unit_(rng_);
  double iops = std::max(1.0, cfg_.iops * pressure_.iops_factor);
  // An operation never completes faster than the IOPS ceiling allows.
  latency = std::max(latency, 1e9 / iops);
  double transfer = 8e9 * static_cast<double>(bytes) / static_cast<double>(cfg_.bandwidth_bps);
  SimTime t = static_cast<SimTime>(latency + transfer);
  if (fsync) t += pressure_.extra_fsync_latency;
  return std::max<SimTime>(t, 1);
}

SimTime DiskModel::Submit(SimTime now, uint64_t bytes, bool fsync) {
  // The noisy neighbour's operations that arrived since we last looked sit in the queue ahead of ours.
  if (pressure_.neighbor_iops > 0) {
    SimTime gap = static_cast<SimTime>(1e9 / pressure_.neighbor_iops);
    if (neighbor_clock_ < busy_until_ - 10 * kSec) neighbor_clock_ = busy_until_ - 10 * kSec;
    while (neighbor_clock_ + gap <= now) {
      neighbor_clock_ += gap;
      SimTime start = std::max(busy_until_, neighbor_clock_);
      SimTime s = ServiceTime(4096, false);
      busy_until_ = start + s;
      busy_ns_ += s;
    }
  } else {
    neighbor_clock_ = now;
  }
  SimTime start = std::max(busy_until_, now);
  SimTime s = ServiceTime(bytes, fsync);
  busy_until_ = start + s;
  busy_ns_ += s;
  inflight_.erase(std::remove_if(inflight_.begin(), inflight_.end(), [now](SimTime t) { return t <= now; }),
                  inflight_.end());
  inflight_.push_back(busy_until_);
  return busy_until_;
}

uint32_t DiskModel::QueueDepth(SimTime now) const {
  return static_cast<uint32_t>(std::count_if(inflight_.begin(), inflight_.end(), [now](SimTime t) { return t > now; }));
}

double DiskModel::TakeUtilization(SimTime now) {
  SimTime span = now - util_since_;
  // Busy time booked for the future is carried into the next window.
  SimTime future = std::max<SimTime>(0, busy_until_ - now);
  double u = span > 0 ? static_cast<double>(std::min(span, busy_ns_ - std::min(busy_ns_, future))) / span : 0.0;
  busy_ns_ = std::min(busy_ns_, future);
  util_since_ = now;
  return std::clamp(u, 0.0, 1.0);
}

}  // namespace planelab
