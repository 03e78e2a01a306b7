#include "sim/probe/expectations.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace planelab {

bool Compare(double v, const std::string& op, double b) {
  if (op == "<") return v < b;
  if (op == "<=") return v <= b;
  if (op == ">") return v > b;
  if (op == ">=") return v >= b;
  if (op == "==") return std::fabs(v - b) <= 1e-9 * std::max(1.0, std::fabs(b));
  if (op == "!=") return !Compare(v, "==", b);
  return false;
}

namespace {
std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
}  // namespace

std::vector<ExpectationResult> EvaluateExpectations(const Scenario& sc, const RunStoreReader& store) {
  std::vector<ExpectationResult> results;
  for (const auto& e : sc.expectations) {
    ExpectationResult r;
    r.id = e.id;
    r.bound = e.bound;
    std::vector<std::string> members;
    if (!e.device.empty()) members.push_back(e.device);
    else if (sc.groups.count(e.group)) members = sc.groups.at(e.group);
    // A sample at time t describes the interval ending at t, so the window is (from, to].
    double from = ToSeconds(e.from) + 1e-9, to = ToSeconds(e.to.value_or(sc.duration)) + 1e-9;
    std::string subject = (e.device.empty() ? "group " + e.group : e.device) + " " + e.plane + " " + e.metric;
    std::string window = "(" + FormatDuration(e.from) + ", " + FormatDuration(e.to.value_or(sc.duration)) + "]";
    if (e.metric == "health.actual" || e.metric == "health.reported") {
      bool reported = e.metric == "health.reported";
      size_t n = 0, match = 0;
      for (const auto& m : members) {
        for (const auto& [t, state] : store.Health(m, e.plane, reported, from, to)) {
          ++n;
          if (state == e.state) ++match;
        }
      }
      if (n == 0) {
        r.detail = subject + ": no health samples in " + window;
      } else {
        r.has_observed = true;
        r.observed = static_cast<double>(match) / static_cast<double>(n);
        r.passed = Compare(r.observed, e.op, e.bound);
        r.detail = subject + " was \"" + e.state + "\" in " + Num(r.observed * 100) + "% of " + window +
                   " (expected " + e.op + " " + Num(e.bound * 100) + "%)";
      }
      results.push_back(r);
      continue;
    }
    std::vector<std::pair<double, double>> timed;  // (t, value) of every member, ordered by time below
    double delta_sum = 0;
    bool any = false;
    for (const auto& m : members) {
      if (e.stat == "delta") {
        auto all = store.Samples(m, e.plane, e.metric, -1, to);
        double before = 0, last = 0;
        bool have_last = false;
        for (const auto& [t, v] : all) {
          if (t < from) before = v;
          else { last = v; have_last = true; }
        }
        if (have_last) { delta_sum += last - before; any = true; }
        continue;
      }
      for (const auto& tv : store.Samples(m, e.plane, e.metric, from, to)) timed.push_back(tv);
    }
    std::stable_sort(timed.begin(), timed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<double> values;
    for (const auto& tv : timed) values.push_back(tv.second);
    if (e.stat == "delta") {
      if (any) { r.has_observed = true; r.observed = delta_sum; }
    } else if (!values.empty()) {
      r.has_observed = true;
      if (e.stat == "mean") {
        double s = 0;
        for (double v : values) s += v;
        r.observed = s / static_cast<double>(values.size());
      } else if (e.stat == "max") {
        r.observed = *std::max_element(values.begin(), values.end());
      } else if (e.stat == "min") {
        r.observed = *std::min_element(values.begin(), values.end());
      } else if (e.stat == "last") {
        r.observed = values.back();
      } else if (e.stat == "sum") {
        double s = 0;
        for (double v : values) s += v;
        r.observed = s;
      }
    }
    if (!r.has_observed) {
      r.detail = subject + ": no samples in " + window + " (nothing was measured there)";
    } else {
      r.passed = Compare(r.observed, e.op, e.bound);
      r.detail = subject + " " + e.stat + " over " + window + " = " + Num(r.observed) + " (expected " + e.op + " " +
                 Num(e.bound) + ")";
    }
    results.push_back(r);
  }
  return results;
}

}  // namespace planelab
