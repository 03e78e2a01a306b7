// How a fault kind declares its parameters once: a struct with their defaults, and beside it the name, type,
// help and checks of each. The declaration gives the parser (defaults for what is omitted, a refusal of what
// it does not know), the documentation (`planelab faults`, docs/scenarios.md) and the typed value the hooks get.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/util/units.h"

namespace planelab {

/// The params of one fault as written: name -> text (numbers are written as text).
using FaultParamText = std::map<std::string, std::string>;

/// What is wrong with a fault's params: (param name, message); name "" is the params as a whole. The loader
/// turns each into a problem at /faults/<i>/params/<name>.
class FaultProblems {
 public:
  void Add(std::string param, std::string message) { items_.emplace_back(std::move(param), std::move(message)); }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

/// One parameter as `planelab faults` documents it; `type` is duration | ratio | number | bitrate | text | choice.
struct FaultParam {
  std::string name;
  std::string type;
  std::string default_value;  // "" = no default: optional (the fault does without it), or required
  std::string help;
  bool required = false;
};

/// The items of a comma-separated parameter value ("etcd-2,etcd-3"), in order.
std::vector<std::string> FaultParamList(const std::string& value);

/// The declaration of a fault kind whose parameters are the struct P (P{} holds the defaults): its catalogue
/// entry and its parser. Built as FaultKindDecl<P>(P::kKind, plane, target).Duration(...)....Effect(...).
template <class P>
class FaultKindDecl {
 public:
  /// Reads one parameter's text into P; returns "" or what is wrong.
  using Reader = std::function<std::string(const std::string& text, P& into)>;
  /// A check across parameters (or of a bound beyond the type's), once each parameter has been read.
  using Check = std::function<void(const P& params, FaultProblems& problems)>;

  FaultKindDecl(std::string name, std::string plane, std::string target)
      : name_(std::move(name)), plane_(std::move(plane)), target_(std::move(target)) {}

  FaultKindDecl&& Duration(const std::string& name, SimTime P::*m, const std::string& help) && {
    return Add({name, "duration", FormatDuration(P{}.*m), help}, [m, name](const std::string& text, P& into) {
      Parsed<SimTime> d = ParseDuration(text);
      if (!d && !d.out_of_range) return "parameter \"" + name + "\": " + d.error;
      if (!d || d.value > kMaxScenarioTime) {
        return "parameter \"" + name + "\": \"" + text + "\" is out of range: allowed from 0s to " +
               FormatDurationExact(kMaxScenarioTime) + " (one year of simulated time)";
      }
      into.*m = d.value.value();
      return std::string();
    });
  }
  /// A share between 0 and 1.
  FaultKindDecl&& Ratio(const std::string& name, double P::*m, const std::string& help) && {
    return Add({name, "ratio", FormatNumber(P{}.*m), help}, [m, name](const std::string& text, P& into) {
      std::optional<double> v = ReadNumber(text);
      if (!v || !(*v >= 0 && *v <= 1)) return "parameter \"" + name + "\": \"" + text + "\" is not a ratio between 0 and 1";
      into.*m = *v;
      return std::string();
    });
  }
  /// A number of 0 or more.
  FaultKindDecl&& Number(const std::string& name, double P::*m, const std::string& help) && {
    return Add({name, "number", FormatNumber(P{}.*m), help}, [m, name](const std::string& text, P& into) {
      std::optional<double> v = ReadNumber(text);
      if (!v || !(*v >= 0) || !std::isfinite(*v)) return "parameter \"" + name + "\": \"" + text + "\" is not a number of 0 or more";
      into.*m = *v;
      return std::string();
    });
  }
  /// An optional bit rate ("100Mbps").
  FaultKindDecl&& BitRate(const std::string& name, std::optional<uint64_t> P::*m, const std::string& help) && {
    return Add({name, "bitrate", "", help}, [m, name](const std::string& text, P& into) {
      Parsed<uint64_t> r = ParseBitRate(text);
      if (!r && !r.out_of_range) return "parameter \"" + name + "\": " + r.error;
      if (!r || r.value > kMaxBitRate) {
        return "parameter \"" + name + "\": \"" + text + "\" is out of range: allowed from 1bps to " +
               FormatBitRate(kMaxBitRate);
      }
      into.*m = r.value.value();
      return std::string();
    });
  }
  /// An optional text; omitted, the member keeps its (empty) default.
  FaultKindDecl&& Text(const std::string& name, std::string P::*m, const std::string& help) && {
    return Add({name, "text", P{}.*m, help}, [m, name](const std::string& text, P& into) {
      if (text.empty()) return "parameter \"" + name + "\" is empty";
      into.*m = text;
      return std::string();
    });
  }
  /// An optional comma-separated list ("etcd-2,etcd-3"), documented as text.
  FaultKindDecl&& List(const std::string& name, std::vector<std::string> P::*m, const std::string& help) && {
    return Add({name, "text", "", help}, [m, name](const std::string& text, P& into) {
      if (text.empty()) return "parameter \"" + name + "\" is empty";
      into.*m = FaultParamList(text);
      return std::string();
    });
  }
  /// A required choice among `choices`.
  FaultKindDecl&& Choice(const std::string& name, std::string P::*m, std::vector<std::string> choices,
                         const std::string& help) && {
    std::string listed;
    for (const auto& c : choices) listed += (listed.empty() ? "" : ", ") + c;
    return Add({name, "choice", "", help + " (" + listed + ")", true},
               [m, name, choices, listed](const std::string& text, P& into) {
                 for (const auto& c : choices) {
                   if (c == text) {
                     into.*m = text;
                     return std::string();
                   }
                 }
                 return "parameter \"" + name + "\": \"" + text + "\" is not one of " + listed;
               });
  }
  FaultKindDecl&& Checked(Check check) && {
    check_ = std::move(check);
    return std::move(*this);
  }
  /// One line for the table of docs/scenarios.md.
  FaultKindDecl&& Summary(std::string text) && {
    summary_ = std::move(text);
    return std::move(*this);
  }
  FaultKindDecl&& Effect(std::string text) && {
    effect_ = std::move(text);
    return std::move(*this);
  }
  FaultKindDecl&& Follows(std::string text) && {
    follows_ = std::move(text);
    return std::move(*this);
  }
  /// A crash kind: the planes it crashes at `at`, in this order (restarted in the reverse order at `until`),
  /// through the planes' lifecycle operations (PlaneActor::Crash, Restart).
  FaultKindDecl&& Crashes(std::vector<std::string> planes) && {
    crashes_ = std::move(planes);
    return std::move(*this);
  }

  /// The params of a fault: P with the defaults for what is omitted, or nothing when `problems` got any.
  std::optional<P> Parse(const FaultParamText& text, FaultProblems& problems) const {
    P out{};
    size_t before = problems.size();
    for (const auto& [name, value] : text) {
      size_t i = 0;
      while (i < params_.size() && params_[i].name != name) ++i;
      if (i == params_.size()) {
        problems.Add(name, "fault kind \"" + name_ + "\" has no parameter \"" + name + "\"; allowed: " + Allowed());
        continue;
      }
      std::string problem = readers_[i](value, out);
      if (!problem.empty()) problems.Add(name, problem);
    }
    for (const auto& p : params_) {
      if (p.required && !text.count(p.name)) {
        problems.Add("", "fault kind \"" + name_ + "\" needs parameter \"" + p.name + "\": " + p.help);
      }
    }
    if (problems.size() == before && check_) check_(out, problems);
    if (problems.size() != before) return std::nullopt;
    return out;
  }

  const std::string& name() const { return name_; }
  const std::string& plane() const { return plane_; }
  const std::string& target() const { return target_; }
  const std::vector<FaultParam>& params() const { return params_; }
  const std::string& summary() const { return summary_; }
  const std::string& effect() const { return effect_; }
  const std::string& follows() const { return follows_; }
  const std::vector<std::string>& crashes() const { return crashes_; }

 private:
  FaultKindDecl&& Add(FaultParam doc, Reader reader) {
    params_.push_back(std::move(doc));
    readers_.push_back(std::move(reader));
    return std::move(*this);
  }
  std::string Allowed() const {
    std::string allowed;
    for (const auto& p : params_) allowed += (allowed.empty() ? "" : ", ") + p.name;
    return allowed.empty() ? "none" : allowed;
  }
  static std::optional<double> ReadNumber(const std::string& text) {
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0') return std::nullopt;
    return v;
  }
  static std::string FormatNumber(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
  }

  std::string name_, plane_, target_;
  std::vector<FaultParam> params_;
  std::vector<Reader> readers_;
  Check check_;
  std::string summary_, effect_, follows_;
  std::vector<std::string> crashes_;
};

}  // namespace planelab
