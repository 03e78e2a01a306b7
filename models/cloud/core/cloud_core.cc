#include "models/cloud/core/cloud_core.h"

#include <algorithm>
#include <cmath>

namespace planelab::cloud {

// ---------------------------------------------------------------------------------------------------------------
// IAM

SimTime IamCore::Delay() {
  std::normal_distribution<double> n(0.0, 1.0);
  double d = static_cast<double>(cfg_.median) * std::exp(cfg_.sigma * n(rng_)) * cfg_.slow_factor;
  return static_cast<SimTime>(std::max(0.0, d));
}

SimTime IamCore::Grant(const std::string& role, SimTime now) {
  SimTime at = now + Delay();
  changes_[role].push_back({at, true});
  return at;
}

SimTime IamCore::Revoke(const std::string& role, SimTime now) {
  SimTime at = now + Delay();
  changes_[role].push_back({at, false});
  return at;
}

int IamCore::Authorize(const std::string& role, SimTime now) const {
  auto it = changes_.find(role);
  if (it == changes_.end()) return 403;
  // The replica holds the latest change (by when it was accepted) that has reached it.
  bool allow = false;
  for (const Change& c : it->second) {
    if (c.at <= now) allow = c.allow;
  }
  return allow ? 200 : 403;
}

// ---------------------------------------------------------------------------------------------------------------
// Target group

const char* ToString(TargetState s) {
  switch (s) {
    case TargetState::kInitial: return "initial";
    case TargetState::kHealthy: return "healthy";
    case TargetState::kUnhealthy: return "unhealthy";
    case TargetState::kDraining: return "draining";
    case TargetState::kUnused: return "unused";
  }
  return "?";
}

void TargetGroup::Register(const std::string& target) {
  Target& t = targets_[target];
  t = Target();
}

void TargetGroup::Deregister(const std::string& target, SimTime now) {
  auto it = targets_.find(target);
  if (it == targets_.end()) return;
  it->second.state = TargetState::kDraining;
  it->second.drain_until = now + cfg_.deregistration_delay;
}

void TargetGroup::CheckResult(const std::string& target, bool ok) {
  auto it = targets_.find(target);
  if (it == targets_.end() || it->second.state == TargetState::kDraining) return;
  Target& t = it->second;
  if (ok) {
    ++t.ok_run;
    t.fail_run = 0;
    // A new target needs one passing check; an unhealthy one needs healthy_threshold in a row.
    if (t.state == TargetState::kInitial || (t.state == TargetState::kUnhealthy && t.ok_run >= cfg_.healthy_threshold)) {
      t.state = TargetState::kHealthy;
    }
  } else {
    ++t.fail_run;
    t.ok_run = 0;
    if ((t.state == TargetState::kHealthy || t.state == TargetState::kInitial) &&
        t.fail_run >= cfg_.unhealthy_threshold) {
      t.state = TargetState::kUnhealthy;
    }
  }
}

void TargetGroup::Tick(SimTime now) {
  for (auto it = targets_.begin(); it != targets_.end();) {
    if (it->second.state == TargetState::kDraining && now >= it->second.drain_until) it = targets_.erase(it);
    else ++it;
  }
}

TargetState TargetGroup::State(const std::string& target) const {
  auto it = targets_.find(target);
  return it == targets_.end() ? TargetState::kUnused : it->second.state;
}

std::vector<std::string> TargetGroup::Routable() const {
  std::vector<std::string> healthy, open;
  for (const auto& [name, t] : targets_) {
    if (t.state == TargetState::kHealthy) healthy.push_back(name);
    if (t.state != TargetState::kDraining) open.push_back(name);
  }
  return healthy.empty() ? open : healthy;
}

bool TargetGroup::FailingOpen() const { return HealthyHostCount() == 0 && !Routable().empty(); }

uint32_t TargetGroup::HealthyHostCount() const {
  uint32_t n = 0;
  for (const auto& [name, t] : targets_) n += t.state == TargetState::kHealthy;
  return n;
}

uint32_t TargetGroup::UnHealthyHostCount() const {
  uint32_t n = 0;
  for (const auto& [name, t] : targets_) n += t.state == TargetState::kUnhealthy;
  return n;
}

// ---------------------------------------------------------------------------------------------------------------
// IaC

const char* ToString(Action::Kind k) {
  switch (k) {
    case Action::Kind::kCreate: return "create";
    case Action::Kind::kUpdate: return "update";
    case Action::Kind::kDelete: return "delete";
  }
  return "?";
}

std::vector<Action> Plan(const std::vector<Resource>& desired, const std::vector<Resource>& actual) {
  auto key = [](const Resource& r) { return r.type + "." + r.name; };
  std::map<std::string, Resource> have, want;
  for (const auto& r : actual) have[key(r)] = r;
  for (const auto& r : desired) want[key(r)] = r;
  std::vector<Action> plan;
  for (const auto& [k, r] : want) {
    auto it = have.find(k);
    if (it == have.end()) plan.push_back({Action::Kind::kCreate, r});
    else if (!(it->second == r)) plan.push_back({Action::Kind::kUpdate, r});
  }
  for (const auto& [k, r] : have) {
    if (!want.count(k)) plan.push_back({Action::Kind::kDelete, r});
  }
  return plan;
}

ApplyRun::ApplyRun(std::vector<Action> plan, ApplyConfig cfg, SimTime start)
    : plan_(std::move(plan)), cfg_(cfg), start_(start), retry_at_(start) {
  if (plan_.empty()) outcome_ = Outcome::kSucceeded;
}

const Action* ApplyRun::Next(SimTime now, SimTime* wait_until) {
  if (outcome_ != Outcome::kRunning) return nullptr;
  if (now - start_ >= cfg_.run_timeout) {
    outcome_ = Outcome::kFailed;
    why_ = "run timeout";
    return nullptr;
  }
  if (in_call_) return nullptr;
  if (now < retry_at_) {
    if (wait_until) *wait_until = retry_at_;
    return nullptr;
  }
  in_call_ = true;
  return &plan_[index_];
}

void ApplyRun::Result(bool ok, SimTime now) {
  if (outcome_ != Outcome::kRunning || !in_call_) return;
  in_call_ = false;
  if (ok) {
    ++index_;
    attempt_ = 0;
    retry_at_ = now;
    if (index_ == plan_.size()) outcome_ = Outcome::kSucceeded;
    return;
  }
  ++failed_calls_;
  if (++attempt_ >= cfg_.max_attempts) {
    outcome_ = Outcome::kFailed;
    why_ = std::string(ToString(plan_[index_].kind)) + " " + plan_[index_].resource.type + "." +
           plan_[index_].resource.name + ": " + std::to_string(attempt_) + " attempts failed";
    return;
  }
  retry_at_ = now + cfg_.backoff * (SimTime(1) << (attempt_ - 1));
}

}  // namespace planelab::cloud
