// Compares two run folders and says how they differ: the first diverging event, the health intervals that
// differ, the expectations whose outcome changed, the metric series that differ beyond a tolerance. Reads
// run folders only (no ns-3); streams the stores' rows in order, so it answers in seconds on large runs.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace planelab::experiment {

/// A folder that cannot be compared: not a run, an incomplete or damaged one, or runs of different
/// scenarios. what() names the folder and says why; `planelab compare` exits 2.
class CompareRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CompareOptions {
  double tolerance = 1e-9;  ///< relative: |a-b| > tolerance * max(|a|,|b|) (plus 1e-12 absolute) is a difference
  int context = 3;          ///< events shown before the first diverging one
  size_t max_listed = 50;   ///< at most this many health and series differences listed (all are counted)
};

struct EventRow {
  long long seq = 0;
  double t_s = 0;
  std::string device, plane, kind, detail;
};

struct HealthDiff {
  std::string device, plane, which;  ///< which: "actual" or "reported"
  double from_s = 0, to_s = 0;       ///< the first interval where they differ: [from_s, to_s)
  std::string a, b;                  ///< the states in that interval
  size_t intervals = 0;              ///< how many separate intervals differ
  double total_s = 0;                ///< how long they differ in all
};

struct ExpectationDiff {
  std::string id;
  std::optional<bool> a_passed, b_passed;  ///< nullopt: the run has no such expectation
  nlohmann::json a_observed, b_observed;
};

/// Events of one device and plane in one time window that differ between a golden and a run (planelab regress,
/// which keeps digests of windows rather than the events themselves).
struct EventWindowDiff {
  std::string device, plane;
  double from_s = 0, to_s = 0;
  long long a_count = 0, b_count = 0;
  std::vector<EventRow> b_events;  ///< the run's events there, when the caller looked them up (a few)
};

struct SeriesDiff {
  std::string device, plane, metric;
  std::string why;              ///< "" for values; "only in A" / "only in B" for a series one run lacks
  /// From fingerprints (regress): whole-run statistics instead of samples; from_s/to_s is the first window where
  /// the device and plane's samples differ, a_value/b_value the means.
  bool windowed = false;
  double to_s = 0;
  double a_min = 0, a_max = 0, b_min = 0, b_max = 0;
  long long a_n = 0, b_n = 0;
  double from_s = 0;            ///< first sample that differs
  double a_value = 0, b_value = 0;  ///< there
  double max_abs = 0, max_rel = 0;  ///< the largest difference over the run
  double max_at_s = 0;
  size_t differing = 0, samples = 0;
  size_t unpaired = 0;          ///< samples (times) present in one run only
};

struct CompareReport {
  std::string run_a, run_b, scenario;
  std::string seed_a, seed_b;
  bool same_scenario_text = true;
  long long events_a = 0, events_b = 0;
  /// The first event that differs; `a` or `b` absent when that run's events ended before.
  bool events_differ = false;
  std::vector<EventRow> context;
  std::optional<EventRow> first_a, first_b;
  std::vector<EventWindowDiff> event_windows;  ///< from fingerprints: where the event streams differ
  size_t event_windows_total = 0;
  std::vector<HealthDiff> health;
  size_t health_total = 0;
  std::vector<ExpectationDiff> expectations;
  std::vector<std::string> summary_other;  ///< other summary.json values that differ: "/convergence/1/rib_changes: 4 -> 6"
  std::vector<SeriesDiff> series;
  size_t series_total = 0, series_compared = 0;
  double tolerance = 0;

  bool equivalent() const {
    return !events_differ && health_total == 0 && expectations.empty() && summary_other.empty() && series_total == 0;
  }
  nlohmann::ordered_json ToJson() const;
  std::string ToText() const;
};

/// One health row: the state of a device's plane from t_s on.
struct HealthRow {
  std::string device, plane;
  double t_s = 0;
  std::string actual, reported;
};

/// Adds to `r` the health intervals that differ between two step functions given as rows sorted by (device,
/// plane, t_s): the logic of `compare` on run stores and of `regress` on summaries.
void DiffHealthRows(const std::vector<HealthRow>& a, const std::vector<HealthRow>& b, const CompareOptions& opts,
                    CompareReport& r);
/// Adds to `r` the expectations whose outcome differs between two summary.json documents.
void DiffExpectations(const nlohmann::json& summary_a, const nlohmann::json& summary_b, CompareReport& r);

/// Adds to `r` the summary.json values other than expectations and health (convergence, sim_time_s...) that
/// differ beyond the tolerance.
void DiffSummaryRest(const nlohmann::json& summary_a, const nlohmann::json& summary_b, const CompareOptions& opts,
                     CompareReport& r);

/// Checks that `dir` is a complete, intact run folder (run.sqlite passes SQLite's check and its content
/// digest, manifest.json and summary.json present, meta complete = true); throws CompareRefused otherwise.
void CheckRunFolder(const std::string& dir);

/// Compares two run folders; throws CompareRefused for folders that are not complete intact runs, or runs
/// of different scenarios.
CompareReport CompareRuns(const std::string& run_a, const std::string& run_b, const CompareOptions& opts = {});

}  // namespace planelab::experiment
