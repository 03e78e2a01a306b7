// A run reduced to what a regression check needs (planelab regress): its summary, and digests of the event stream
// and of every metric series in time windows. Small enough to commit for every shipped scenario, precise enough
// to say which device, plane and window two runs part in — where a single fingerprint hash (OMNeT++/INET) only
// says that something changed. Reads run folders only (no ns-3).
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/experiment/run_compare.h"

namespace planelab::experiment {

/// The golden file format; FromJson refuses any other.
inline constexpr const char* kGoldenFormat = "planelab.golden/1";

/// Above this many series a run is fingerprinted per plane and metric (devices pooled), so that the golden of a
/// 1,000-router run stays small; the event stream still names devices.
inline constexpr size_t kMaxSeriesPerDevice = 2000;

/// A run's fingerprint: summary.json whole, then per "source" (device and plane, or plane alone in a pooled
/// run) the events and samples of each time window as (count, digest), and per series its whole-run statistics
/// and digest. Values are rounded to 9 significant digits before they are digested, so the last bit of a libm
/// result on another CPU is not a difference.
struct RunFingerprint {
  std::string scenario, scenario_path, scenario_hash, seed, planelab_version;
  double duration_s = 0;
  int windows = 10;
  bool pooled = false;  ///< series and sources per plane (and metric), devices pooled
  nlohmann::json summary;
  long long events = 0, samples = 0;

  /// One window of one source: how many events and samples fell in it, and their digests.
  struct Window {
    long long events = 0, samples = 0;
    std::string event_digest, sample_digest;  ///< 8 hex digits each; "" when the window has none
    bool operator==(const Window& o) const {
      return events == o.events && samples == o.samples && event_digest == o.event_digest &&
             sample_digest == o.sample_digest;
    }
  };
  std::map<std::string, std::vector<Window>> sources;  ///< "r2 control" (or "* control"), `windows` entries

  /// One series over the whole run; n counts samples with a value (NULLs are in the digest, not in n).
  struct Series {
    long long n = 0, nulls = 0;
    double min = 0, max = 0, mean = 0;
    std::string digest;  ///< 16 hex digits
  };
  std::map<std::string, Series> series;  ///< "r2 control adjacencies_up" (or "* control adjacencies_up")

  double window_s() const { return windows > 0 && duration_s > 0 ? duration_s / windows : 1; }
  /// The golden file's JSON: one line per source and per series, so that a diff of two goldens is readable.
  std::string ToText() const;
  /// Reads a golden; throws CompareRefused naming `where` and what is wrong.
  static RunFingerprint FromJson(const nlohmann::json& j, const std::string& where);
};

/// Fingerprints a complete, intact run folder (CheckRunFolder); throws CompareRefused otherwise.
RunFingerprint FingerprintRun(const std::string& run_dir, int windows = 10);

/// Compares a golden with a fresh fingerprint in the terms of `planelab compare`: expectations whose outcome
/// changed and health intervals that differ (both from the summaries), then the windows whose events differ and
/// the series whose values differ, each located by device, plane and window. `golden_name`/`now_name` label A/B.
CompareReport CompareFingerprints(const RunFingerprint& golden, const RunFingerprint& now,
                                  const std::string& golden_name, const std::string& now_name,
                                  const CompareOptions& opts = {});

}  // namespace planelab::experiment
