// The public cloud's pure cores, split as AWS splits its services (control API vs data plane, "static stability"):
// IAM policy propagation from the control API to the read-only replicas that authorise requests, the load
// balancer's target health-check state machine and target group (fail open), and the infrastructure-as-code
// reconciler (plan -> apply through the control APIs, with retries and a run timeout). No ns-3, no clock.
#pragma once
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "sim/util/units.h"

namespace planelab::cloud {

// ---------------------------------------------------------------------------------------------------------------
// IAM

/// How long a policy or role change takes to reach the authorising replicas. AWS: IAM is eventually consistent
/// ("changes ... take time to become visible", IAM User Guide, "Troubleshooting IAM"); the Terraform AWS provider
/// retries for up to 2 minutes for it (internal/service/iam: propagationTimeout = 2 * time.Minute). Issue 21 asks
/// for a median around 2 minutes with a long tail: log-normal, median 2 min, sigma 0.5 (p99 ~ 6.4 min).
struct IamPropagationConfig {
  SimTime median = 120 * kSec;
  double sigma = 0.5;
  double slow_factor = 1.0;  // iam-propagation-slow multiplies every delay
};

/// The IAM control API's accepted changes and what the data-plane replica sees: a grant is effective once its
/// propagation delay has passed; until then requests signed with the role are denied (403).
class IamCore {
 public:
  explicit IamCore(IamPropagationConfig cfg, uint64_t seed) : cfg_(cfg), rng_(seed) {}
  /// The control API accepted a grant of `role` at `now`; returns when it becomes effective on the replicas.
  SimTime Grant(const std::string& role, SimTime now);
  /// A revoke propagates likewise; until then the replica still allows the role.
  SimTime Revoke(const std::string& role, SimTime now);
  /// The data plane's answer to a request signed with `role`: 200 or 403.
  int Authorize(const std::string& role, SimTime now) const;
  void SetSlowFactor(double f) { cfg_.slow_factor = f; }
  const IamPropagationConfig& config() const { return cfg_; }

 private:
  SimTime Delay();
  struct Change {
    SimTime at;
    bool allow;
  };
  IamPropagationConfig cfg_;
  std::mt19937_64 rng_;
  std::map<std::string, std::vector<Change>> changes_;  // role -> changes in effective order
};

// ---------------------------------------------------------------------------------------------------------------
// Load-balancer target health

/// ELB target group health-check defaults (AWS ELB docs, "Health checks for Application Load Balancer target
/// groups"): HealthCheckIntervalSeconds 30, HealthCheckTimeoutSeconds 5, UnhealthyThresholdCount 2,
/// HealthyThresholdCount 5; a newly registered target is healthy after one passing check; deregistration delay 300 s.
struct HealthCheckConfig {
  SimTime interval = 30 * kSec;
  SimTime timeout = 5 * kSec;
  uint32_t unhealthy_threshold = 2;
  uint32_t healthy_threshold = 5;
  SimTime deregistration_delay = 300 * kSec;
};

/// One target's state as ELB names it.
enum class TargetState { kInitial, kHealthy, kUnhealthy, kDraining, kUnused };
const char* ToString(TargetState s);

/// A target group: registration, the health-check state machine per target, and routing with fail open (when no
/// target is healthy, the load balancer routes to all of them, AWS ELB docs "Target group health").
class TargetGroup {
 public:
  explicit TargetGroup(HealthCheckConfig cfg) : cfg_(cfg) {}
  void Register(const std::string& target);
  void Deregister(const std::string& target, SimTime now);
  /// A health check's result: `ok` false for a failure or no answer within `timeout`.
  void CheckResult(const std::string& target, bool ok);
  /// Drops draining targets whose delay has passed.
  void Tick(SimTime now);
  TargetState State(const std::string& target) const;
  /// Where requests go: healthy targets; if none, every registered target that is not draining (fail open).
  std::vector<std::string> Routable() const;
  bool FailingOpen() const;
  uint32_t HealthyHostCount() const;
  uint32_t UnHealthyHostCount() const;
  const HealthCheckConfig& config() const { return cfg_; }

 private:
  struct Target {
    TargetState state = TargetState::kInitial;
    uint32_t ok_run = 0, fail_run = 0;
    SimTime drain_until = 0;
  };
  HealthCheckConfig cfg_;
  std::map<std::string, Target> targets_;
};

// ---------------------------------------------------------------------------------------------------------------
// Infrastructure as code

/// A resource as the IaC file declares it: a type (instance, volume, lb-target, iam-role) with a version of its
/// settings.
struct Resource {
  std::string type, name;
  uint32_t version = 1;
  bool operator==(const Resource& o) const { return type == o.type && name == o.name && version == o.version; }
};

struct Action {
  enum class Kind { kCreate, kUpdate, kDelete };
  Kind kind = Kind::kCreate;
  Resource resource;
};
const char* ToString(Action::Kind k);

/// `terraform plan`: what to create, update and delete to make `actual` what `desired` says, in a stable order
/// (deletes last, as Terraform destroys after creating replacements by default for create_before_destroy).
std::vector<Action> Plan(const std::vector<Resource>& desired, const std::vector<Resource>& actual);

/// Terraform's apply defaults: retries of a failed call with backoff (the AWS SDK's standard retryer: 3 attempts),
/// and a run timeout (a CI job's limit; GitLab's default job timeout is 60 min).
struct ApplyConfig {
  uint32_t max_attempts = 3;
  SimTime backoff = 1 * kSec;       // doubled after every failure
  SimTime call_timeout = 30 * kSec;  // a control API call unanswered this long fails
  SimTime run_timeout = 60 * 60 * kSec;
};

/// `terraform apply`: the plan's actions one at a time through the control APIs. The host calls Next() to get the
/// action to call (or nothing: wait until `retry_at`), reports each call's result, and reads the outcome.
class ApplyRun {
 public:
  enum class Outcome { kRunning, kSucceeded, kFailed };
  ApplyRun(std::vector<Action> plan, ApplyConfig cfg, SimTime start);
  /// The action to call now, if any; `*wait_until` gets when to ask again otherwise.
  const Action* Next(SimTime now, SimTime* wait_until);
  /// The result of the call for the current action (ok false: an error or a timeout).
  void Result(bool ok, SimTime now);
  Outcome outcome() const { return outcome_; }
  size_t done() const { return index_; }
  uint32_t failed_calls() const { return failed_calls_; }
  const std::string& why() const { return why_; }

 private:
  std::vector<Action> plan_;
  ApplyConfig cfg_;
  SimTime start_;
  size_t index_ = 0;
  uint32_t attempt_ = 0, failed_calls_ = 0;
  SimTime retry_at_ = 0;
  bool in_call_ = false;
  Outcome outcome_ = Outcome::kRunning;
  std::string why_;
};

}  // namespace planelab::cloud
