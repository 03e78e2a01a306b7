#include "sim/util/units.h"

#include <cctype>
#include <cmath>
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

// Splits "12.5ms" into 12.5 and "ms"; rejects signs, blanks and missing numbers.
Split SplitNumber(const std::string& text) {
  Split s;
  size_t i = 0;
  bool digits = false, dot = false;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || (text[i] == '.' && !dot))) {
    if (text[i] == '.') dot = true; else digits = true;
    ++i;
  }
  if (!digits) return s;
  s.number = std::strtod(text.substr(0, i).c_str(), nullptr);
  s.unit = text.substr(i);
  s.ok = std::isfinite(s.number);
  return s;
}

template <class T>
Parsed<T> Fail(const std::string& text, const std::string& what) {
  Parsed<T> p;
  p.error = "\"" + text + "\" is not " + what;
  return p;
}

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
      if (ns > 9.2e18) return Fail<SimTime>(text, "a duration that fits in the simulator (at most about 292 years)");
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
      if (v < 1) return Fail<uint64_t>(text, "a bit rate of at least 1bps");
      return Ok<uint64_t>(static_cast<uint64_t>(std::llround(v)));
    }
  }
  return Fail<uint64_t>(text, kWhat);
}

Parsed<double> ParsePacketRate(const std::string& text) {
  static const char* kWhat = "a packet rate: write a number and a unit, e.g. \"2000pps\", \"1.5kpps\"";
  Split s = SplitNumber(text);
  if (!s.ok) return Fail<double>(text, kWhat);
  if (s.unit == "pps") return Ok<double>(s.number);
  if (s.unit == "kpps") return Ok<double>(s.number * 1e3);
  if (s.unit == "Mpps") return Ok<double>(s.number * 1e6);
  return Fail<double>(text, kWhat);
}

Parsed<uint64_t> ParseBytes(const std::string& text) {
  static const char* kWhat = "a size in bytes: write a number and a unit, e.g. \"1500B\", \"64KB\", \"1MB\"";
  Split s = SplitNumber(text);
  if (!s.ok) return Fail<uint64_t>(text, kWhat);
  static const std::vector<std::pair<std::string, double>> kUnits = {
      {"B", 1.0}, {"KB", 1e3}, {"kB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"KiB", 1024.0}, {"MiB", 1048576.0}};
  for (const auto& [u, f] : kUnits) {
    if (s.unit == u) return Ok<uint64_t>(static_cast<uint64_t>(std::llround(s.number * f)));
  }
  return Fail<uint64_t>(text, kWhat);
}

Parsed<std::string> ParseQueueSize(const std::string& text) {
  Split s = SplitNumber(text);
  if (s.ok && s.unit == "p" && s.number >= 1 && s.number == std::floor(s.number)) {
    return Ok<std::string>(std::to_string(static_cast<uint64_t>(s.number)) + "p");
  }
  Parsed<uint64_t> b = ParseBytes(text);
  if (b && *b.value >= 1) return Ok<std::string>(std::to_string(*b.value) + "B");
  return Fail<std::string>(text, "a queue size: packets as \"100p\" or bytes as \"150KB\"");
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
