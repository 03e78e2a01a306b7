#include "sim/util/units.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

namespace planelab {
namespace {

struct Split {
  double number = 0;
  std::string unit;
  bool ok = false;
};

// Splits "12.5ms" into 12.5 and "ms". The number is digits, optionally a dot and more digits (as the schema's
// patterns say): no sign, blank, exponent, leading or trailing dot. It is finite or +inf (too many digits).
Split SplitNumber(const std::string& text) {
  Split s;
  auto digits_from = [&](size_t i) {
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    return i;
  };
  size_t i = digits_from(0);
  if (i == 0) return s;
  if (i < text.size() && text[i] == '.') {
    size_t fraction_end = digits_from(i + 1);
    if (fraction_end == i + 1) return s;  // "9." or "9.m"
    i = fraction_end;
  }
  // So many digits that no double holds them read as +inf: each parser refuses that as out of its range.
  s.number = std::strtod(text.substr(0, i).c_str(), nullptr);
  s.unit = text.substr(i);
  s.ok = true;
  return s;
}

template <class T>
Parsed<T> Fail(const std::string& text, const std::string& what) {
  Parsed<T> p;
  p.error = "\"" + text + "\" is not " + what;
  return p;
}

// A well-formed text whose value the parser cannot hold.
template <class T>
Parsed<T> OutOfRange(const std::string& text, const std::string& what) {
  Parsed<T> p = Fail<T>(text, what);
  p.out_of_range = true;
  return p;
}

// Below this a double converts to uint64_t exactly and without overflow (2^64).
constexpr double kUint64Limit = 18446744073709551616.0;

template <class T>
Parsed<T> Ok(T v) {
  Parsed<T> p;
  p.value = v;
  return p;
}

}  // namespace

Parsed<SimTime> ParseDuration(const std::string& text) {
  static const char* kWhat = "a duration: write a number and a unit, e.g. \"30s\", \"250ms\", \"10us\", \"2m\"";
  Split s = SplitNumber(text);
  if (!s.ok) return Fail<SimTime>(text, kWhat);
  static const std::vector<std::pair<std::string, double>> kUnits = {
      {"ns", 1.0}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"min", 60e9}, {"h", 3600e9}};
  for (const auto& [u, f] : kUnits) {
    if (s.unit == u) {
      double ns = s.number * f;
      if (ns >= 9.2e18) return OutOfRange<SimTime>(text, "a duration the simulator's clock can hold (at most about 292 years)");
      return Ok<SimTime>(static_cast<SimTime>(std::llround(ns)));
    }
  }
  return Fail<SimTime>(text, kWhat);
}

Parsed<uint64_t> ParseBitRate(const std::string& text) {
  static const char* kWhat = "a bit rate: write a number and a unit, e.g. \"10Gbps\", \"100Mbps\", \"64kbps\"";
  Split s = SplitNumber(text);
  if (!s.ok) return Fail<uint64_t>(text, kWhat);
  static const std::vector<std::pair<std::string, double>> kUnits = {
      {"bps", 1.0}, {"kbps", 1e3}, {"Kbps", 1e3}, {"Mbps", 1e6}, {"Gbps", 1e9}, {"Tbps", 1e12}};
  for (const auto& [u, f] : kUnits) {
    if (s.unit == u) {
      double v = s.number * f;
      if (v < 1) return OutOfRange<uint64_t>(text, "a bit rate of at least 1bps");
      if (v >= kUint64Limit) return OutOfRange<uint64_t>(text, "a bit rate the simulator can hold (below 18446744Tbps)");
      return Ok<uint64_t>(static_cast<uint64_t>(std::round(v)));
    }
  }
  return Fail<uint64_t>(text, kWhat);
}

Parsed<double> ParsePacketRate(const std::string& text) {
  static const char* kWhat = "a packet rate: write a number and a unit, e.g. \"2000pps\", \"1.5kpps\"";
  Split s = SplitNumber(text);
  if (!s.ok) return Fail<double>(text, kWhat);
  double factor = s.unit == "pps" ? 1 : s.unit == "kpps" ? 1e3 : s.unit == "Mpps" ? 1e6 : 0;
  if (factor == 0) return Fail<double>(text, kWhat);
  if (!std::isfinite(s.number * factor)) return OutOfRange<double>(text, "a packet rate the simulator can hold");
  return Ok<double>(s.number * factor);
}

Parsed<uint64_t> ParseBytes(const std::string& text) {
  static const char* kWhat = "a size in bytes: write a number and a unit, e.g. \"1500B\", \"64KB\", \"1MB\"";
  Split s = SplitNumber(text);
  if (!s.ok) return Fail<uint64_t>(text, kWhat);
  static const std::vector<std::pair<std::string, double>> kUnits = {
      {"B", 1.0}, {"KB", 1e3}, {"kB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"KiB", 1024.0}, {"MiB", 1048576.0}};
  for (const auto& [u, f] : kUnits) {
    if (s.unit == u) {
      double v = std::round(s.number * f);
      if (v >= kUint64Limit) return OutOfRange<uint64_t>(text, "a size the simulator can hold (below 18446744TB)");
      return Ok<uint64_t>(static_cast<uint64_t>(v));
    }
  }
  return Fail<uint64_t>(text, kWhat);
}

Parsed<std::string> ParseQueueSize(const std::string& text) {
  static const char* kWhat = "a queue size: packets as \"100p\" or bytes as \"150KB\"";
  static const char* kRange = "a queue size from 1p to 1000000p, or from 1B to 1GB";
  Split s = SplitNumber(text);
  if (s.ok && s.unit == "p" && s.number == std::floor(s.number)) {
    if (s.number < 1 || s.number > 1e6) return OutOfRange<std::string>(text, kRange);
    return Ok<std::string>(std::to_string(static_cast<uint64_t>(s.number)) + "p");
  }
  Parsed<uint64_t> b = ParseBytes(text);
  if (b.out_of_range) return OutOfRange<std::string>(text, kRange);
  if (!b) return Fail<std::string>(text, kWhat);
  if (b.value < uint64_t{1} || b.value > uint64_t{1000000000}) return OutOfRange<std::string>(text, kRange);
  return Ok<std::string>(std::to_string(b.value.value()) + "B");
}

std::string FormatDuration(SimTime t) {
  char buf[64];
  if (t % kSec == 0) {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(t / kSec));
  } else if (t >= kSec) {
    std::snprintf(buf, sizeof buf, "%.3gs", ToSeconds(t));
  } else if (t % kMs == 0) {
    std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(t / kMs));
  } else {
    std::snprintf(buf, sizeof buf, "%.3gms", static_cast<double>(t) / kMs);
  }
  return buf;
}

}  // namespace planelab

namespace planelab {

std::string FormatDurationExact(SimTime t) {
  static const std::pair<SimTime, const char*> kUnits[] = {
      {3600 * kSec, "h"}, {60 * kSec, "m"}, {kSec, "s"}, {kMs, "ms"}, {kUs, "us"}};
  for (const auto& [unit, name] : kUnits) {
    if (t != 0 && t % unit == 0) return std::to_string(t / unit) + name;
  }
  return std::to_string(t) + (t == 0 ? "s" : "ns");
}

std::string FormatBitRate(uint64_t bps) {
  static const std::pair<uint64_t, const char*> kUnits[] = {
      {1000000000000ULL, "Tbps"}, {1000000000ULL, "Gbps"}, {1000000ULL, "Mbps"}, {1000ULL, "kbps"}};
  for (const auto& [unit, name] : kUnits) {
    if (bps != 0 && bps % unit == 0) return std::to_string(bps / unit) + name;
  }
  return std::to_string(bps) + "bps";
}

std::string FormatPacketRate(double pps) {
  char buf[64];
  if (pps >= 1e6 && std::fmod(pps, 1e6) == 0) std::snprintf(buf, sizeof buf, "%.0fMpps", pps / 1e6);
  else std::snprintf(buf, sizeof buf, "%.12gpps", pps);
  return buf;
}

std::string FormatBytes(uint64_t bytes) {
  static const std::pair<uint64_t, const char*> kUnits[] = {{1000000000ULL, "GB"}, {1000000ULL, "MB"}, {1000ULL, "KB"}};
  for (const auto& [unit, name] : kUnits) {
    if (bytes != 0 && bytes % unit == 0) return std::to_string(bytes / unit) + name;
  }
  return std::to_string(bytes) + "B";
}

std::string FormatIpv4(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." + std::to_string((a >> 8) & 255) +
         "." + std::to_string(a & 255);
}

}  // namespace planelab
