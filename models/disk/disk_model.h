// A node's disk: a FIFO device queue with latency drawn per operation and IOPS and bandwidth limits.
// Pure: the caller gives the time; the model returns when each operation completes.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

#include "sim/util/units.h"

namespace planelab {

/// A disk's healthy behaviour. Defaults describe a cloud SSD volume such as AWS gp3 (3,000 IOPS and
/// 125 MB/s baseline, AWS EBS docs "General Purpose SSD volumes"), with a median fsync of 1 ms; etcd's
/// hardware guide asks for wal_fsync_duration p99 under 10 ms, which this disk meets (p99 about 5 ms).
struct DiskConfig {
  double iops = 3000;
  uint64_t bandwidth_bps = 125000000ULL * 8;  // bits per second
  SimTime write_latency_median = 200 * kUs;     // a buffered write that reaches the device cache
  SimTime fsync_latency_median = 1 * kMs;       // a write that waits for stable storage
  double latency_sigma = 0.7;                   // log-normal spread: p99 = median * e^(2.33 * sigma) ~ 5x
};

/// The `disk-pressure` fault: extra latency per sync, a lower IOPS ceiling, or a noisy neighbour whose
/// operations sit in the same queue ahead of ours.
struct DiskPressure {
  SimTime extra_fsync_latency = 0;
  double iops_factor = 1.0;        // multiplies the IOPS limit (0.1 = a tenth)
  double neighbor_iops = 0;        // the neighbour's own operations per second, sharing the queue
};

/// One disk: operations are served one at a time in arrival order, like an fsync-bound WAL on one device.
class DiskModel {
 public:
  DiskModel(const DiskConfig& cfg, uint64_t seed);
  /// Queues a write of `bytes` (with `fsync`, the write waits for stable storage) at time `now`;
  /// returns when it completes. Calls must come in non-decreasing `now`.
  SimTime Submit(SimTime now, uint64_t bytes, bool fsync);
  void SetPressure(const DiskPressure& p) { pressure_ = p; }
  void ClearPressure() { pressure_ = DiskPressure(); }
  const DiskPressure& pressure() const { return pressure_; }
  /// Operations submitted and not yet complete at `now`.
  uint32_t QueueDepth(SimTime now) const;
  /// Time the device was busy in [since, now), as a share of the span (iostat's %util).
  double TakeUtilization(SimTime now);

 private:
  SimTime ServiceTime(uint64_t bytes, bool fsync);
  DiskConfig cfg_;
  DiskPressure pressure_;
  std::mt19937_64 rng_;
  std::lognormal_distribution<double> unit_{0.0, 0.7};
  SimTime busy_until_ = 0;
  SimTime neighbor_clock_ = 0;  // the neighbour's operations are accounted up to here
  // Completion times of operations in flight, to report the queue depth.
  std::vector<SimTime> inflight_;
  SimTime util_since_ = 0;
  SimTime busy_ns_ = 0;
};

}  // namespace planelab
