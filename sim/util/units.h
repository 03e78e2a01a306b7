// Parsing of quantities with units ("30s", "10Gbps", "2000pps", "1500B", "100p").
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace planelab {

/// Simulated time in integer nanoseconds: exact, so runs are reproducible.
using SimTime = int64_t;

constexpr SimTime kNs = 1;
constexpr SimTime kUs = 1000;
constexpr SimTime kMs = 1000 * kUs;
constexpr SimTime kSec = 1000 * kMs;

inline double ToSeconds(SimTime t) { return static_cast<double>(t) / kSec; }
inline SimTime FromSeconds(double s) { return static_cast<SimTime>(s * kSec + (s >= 0 ? 0.5 : -0.5)); }

/// The longest span a scenario may name (its duration, a timer, a fault's time): one year of simulated time.
/// Sums of a few such spans stay far from the clock's limit (int64 nanoseconds, about 292 years).
constexpr SimTime kMaxScenarioTime = 8760LL * 3600 * kSec;
/// The ranges of the other quantities a scenario names, where no setting needs a narrower one.
constexpr uint64_t kMaxBitRate = 10000000000000ULL;  // 10Tbps: above any port there is (800G Ethernet is 8e11)
constexpr double kMinPacketRate = 0.001;              // one request every 1000s: gaps stay well within the clock
constexpr double kMaxPacketRate = 1e6;                // 1Mpps: a workload is a stream of requests, not a flood

/// A parse result: either a value or a message saying what is allowed.
template <class T>
struct Parsed {
  std::optional<T> value;
  std::string error;
  /// The text is well formed but its value is outside what the parser can hold (too large, or below 1bps):
  /// the caller states its own range.
  bool out_of_range = false;
  explicit operator bool() const { return value.has_value(); }
};

/// "30s", "250ms", "10us", "5ns", "2m", "1h", "1.5s".
Parsed<SimTime> ParseDuration(const std::string& text);
/// "10Gbps", "100Mbps", "64kbps", "9600bps" -> bits per second (at least 1bps).
Parsed<uint64_t> ParseBitRate(const std::string& text);
/// "2000pps", "1.5kpps" -> packets (requests) per second.
Parsed<double> ParsePacketRate(const std::string& text);
/// "1500B", "64KB", "1MB" (1000-based, as network vendors count) -> bytes.
Parsed<uint64_t> ParseBytes(const std::string& text);
/// Queue sizes: "100p" (packets, 1p to 1000000p) or a byte size (1B to 1GB); returns ns-3's "100p"/"150000B" form.
Parsed<std::string> ParseQueueSize(const std::string& text);

/// Human form of a duration for messages and stories: "20s", "1.5s", "250ms".
std::string FormatDuration(SimTime t);
/// A duration in the largest unit that divides it, as a scenario would write it: "8760h", "90m", "1500ms".
std::string FormatDurationExact(SimTime t);
/// "10Tbps", "1Gbps", "64kbps", "9600bps": the largest unit that divides the rate.
std::string FormatBitRate(uint64_t bps);
/// "1Mpps", "2000pps", "0.001pps".
std::string FormatPacketRate(double pps);
/// "10MB", "65000B", "16B": the largest 1000-based unit that divides the size.
std::string FormatBytes(uint64_t bytes);
/// An IPv4 address in host order as dotted quad: 0x0a000001 -> "10.0.0.1".
std::string FormatIpv4(uint32_t addr);

}  // namespace planelab
