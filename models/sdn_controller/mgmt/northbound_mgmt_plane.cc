#include "models/sdn_controller/mgmt/northbound_mgmt_plane.h"

#include <nlohmann/json.hpp>

#include "models/sdn_controller/mgmt/northbound_metrics.h"
#include "sim/core/clock.h"

namespace planelab {

SdnNorthboundMgmtPlane::SdnNorthboundMgmtPlane(RunContext& ctx, const std::string& device, const NorthboundSpec& spec,
                                               bool dashboard, std::vector<NorthboundCallSpec> calls,
                                               Port<NorthboundRequest>& to_control)
    : PlaneActor(ctx, device, Plane::kManagement), spec_(spec), dashboard_on_(dashboard), calls_(std::move(calls)),
      to_control_(to_control), dashboard_(device, spec.stale_after, spec.slow_after) {
  const SdnNorthboundMetrics& m = SdnNorthboundMetrics::Get();
  requests_ = AddCounter(m.rest_requests);
  errors_ = AddCounter(m.rest_errors);
  latency_ = AddHistogram(m.rest_latency);
  api_up_ = AddGauge(m.api_up);
  api_up_->BindReader([this]() { return running() && mode_ != sdn::ApiMode::kDown ? 1.0 : 0.0; });
  accepted_ = AddCounter(m.operator_calls_accepted);
  failed_ = AddCounter(m.operator_calls_failed);
  abandoned_ = AddCounter(m.operator_calls_abandoned);
  if (dashboard_on_) {
    devices_available_ = AddGauge(m.devices_available);
    links_ = AddGauge(m.links);
    nodes_ready_ = AddGauge(m.nodes_ready);
    intents_installed_ = AddGauge(m.intents_installed);
    intents_installing_ = AddGauge(m.intents_installing);
    intents_failed_ = AddGauge(m.intents_failed);
    dashboard_age_ = AddGauge(m.dashboard_age);
    dashboard_age_->BindReader([this]() { return dashboard_.Age(Clock::Now()); });
  }
  // The operators' calls happen on their clock, whether or not the API is there to answer.
  for (size_t i = 0; i < calls_.size(); ++i) {
    Clock::After(calls_[i].at, [this, i]() {
      Emit("northbound.call", nlohmann::json({{"call", calls_[i].call}, {"intent", calls_[i].intent.id}}).dump());
      Submit(i, Clock::Now());
    });
  }
}

SdnNorthboundMgmtPlane::~SdnNorthboundMgmtPlane() = default;

void SdnNorthboundMgmtPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  if (dashboard_on_) After(spec_.refresh, [this]() { Refresh(); });
}

void SdnNorthboundMgmtPlane::HandleCrash() {
  in_flight_.clear();
  dashboard_.Reset();
}

void SdnNorthboundMgmtPlane::SetApiMode(sdn::ApiMode mode, SimTime slow_latency) {
  mode_ = mode;
  slow_latency_ = slow_latency;
  const char* name = mode == sdn::ApiMode::kUp ? "up" : mode == sdn::ApiMode::kSlow ? "slow" : "down";
  Emit("northbound.api", nlohmann::json({{"mode", name}}).dump());
}

void SdnNorthboundMgmtPlane::Rest(NorthboundRequest req, std::function<void(const NorthboundReply&)> then) {
  uint64_t id = next_id_++;
  req.id = id;
  in_flight_[id] = {Clock::Now(), std::move(then)};
  requests_->Add();
  sdn::CallOutcome door = sdn::Admit(mode_, slow_latency_);
  if (!door.reaches_backend) {
    // Connection refused: the client knows at once.
    After(0, [this, id]() { Finish(id, {id, 0, "connection refused"}); });
    return;
  }
  After(door.extra_delay, [this, req]() { to_control_.Send(req); });
  After(spec_.request_timeout, [this, id]() {
    if (in_flight_.count(id)) Finish(id, {id, 504, "timed out"});
  });
}

void SdnNorthboundMgmtPlane::OnReply(const NorthboundReply& r) {
  if (!running() || !in_flight_.count(r.id)) return;  // answered after its timeout, or before a crash
  Finish(r.id, r);
}

void SdnNorthboundMgmtPlane::Finish(uint64_t id, NorthboundReply r) {
  auto it = in_flight_.find(id);
  if (it == in_flight_.end()) return;
  Call call = std::move(it->second);
  in_flight_.erase(it);
  SimTime took = Clock::Now() - call.started;
  bool ok = r.code >= 200 && r.code < 300;
  ++interval_requests_;  // counted when it ends: the health of an interval is that of the calls it saw end
  if (!ok) {
    errors_->Add();
    ++interval_errors_;
  } else {
    latency_->Observe(ToSeconds(took));
    if (took > spec_.slow_after) ++interval_slow_;
  }
  if (dashboard_on_) dashboard_.CallEnded(ok, took);
  call.then(r);
}

void SdnNorthboundMgmtPlane::Refresh() {
  // GET /onos/v1/devices, /links, /intents and /cluster, as one poll.
  NorthboundRequest req;
  req.kind = NorthboundRequest::Kind::kSummary;
  Rest(req, [this](const NorthboundReply& r) {
    if (r.code != 200) return;
    const sdn::Summary& s = r.summary;
    uint32_t available = 0, ready = 0;
    for (const auto& [sw, up] : s.devices) available += up ? 1 : 0;
    for (const auto& [node, up] : s.nodes) ready += up ? 1 : 0;
    devices_available_->Set(available);
    links_->Set(s.links);
    nodes_ready_->Set(ready);
    intents_installed_->Set(s.intents_installed);
    intents_installing_->Set(s.intents_installing);
    intents_failed_->Set(s.intents_failed);
    dashboard_.Refreshed(Clock::Now(), s);
  });
  After(spec_.refresh, [this]() { Refresh(); });
}

void SdnNorthboundMgmtPlane::Submit(size_t i, SimTime first_attempt) {
  const NorthboundCallSpec& call = calls_[i];
  auto failed = [this, i, first_attempt](const NorthboundReply& r) {
    failed_->Add();
    std::string id = calls_[i].intent.id;
    Emit("northbound.call-failed", nlohmann::json({{"intent", id}, {"code", r.code}, {"reason", r.reason}}).dump());
    if (Clock::Now() + spec_.retry - first_attempt > spec_.patience) {
      abandoned_->Add();
      Emit("northbound.call-abandoned", nlohmann::json({{"intent", id}, {"after_s", ToSeconds(Clock::Now() - first_attempt)}}).dump());
      return;
    }
    Clock::After(spec_.retry, [this, i, first_attempt]() { Submit(i, first_attempt); });
  };
  if (!running()) {
    // The API's process is dead: the connection is refused.
    NorthboundReply r;
    r.reason = "connection refused (the API's process is down)";
    r.code = 0;
    failed(r);
    return;
  }
  NorthboundRequest req;
  req.kind = NorthboundRequest::Kind::kSubmitIntent;
  req.intent = call.intent;
  Rest(req, [this, i, first_attempt, failed](const NorthboundReply& r) {
    if (r.code != 201) return failed(r);
    accepted_->Add();
    Emit("northbound.call-accepted",
         nlohmann::json({{"intent", calls_[i].intent.id}, {"after_s", ToSeconds(Clock::Now() - first_attempt)}}).dump());
  });
}

Health SdnNorthboundMgmtPlane::MeasureHealth() {
  // The API as its callers find it: refused or timed-out calls count as failures, late answers degrade; a mode
  // with no call in the interval shows as what it would do.
  Health h = HealthFromFailures(static_cast<double>(interval_errors_), static_cast<double>(interval_requests_), 0.0);
  if (h == Health::kUp && interval_slow_ > 0) h = Health::kDegraded;
  if (interval_requests_ == 0) h = mode_ == sdn::ApiMode::kDown ? Health::kDown : mode_ == sdn::ApiMode::kSlow ? Health::kDegraded : Health::kUp;
  interval_requests_ = interval_errors_ = interval_slow_ = 0;
  return WithLifecycle(h);
}

Health SdnNorthboundMgmtPlane::Reported(const std::string& device, Plane plane) const {
  if (!dashboard_on_ || !running()) return Health::kUnknown;
  return dashboard_.Reported(device, plane, Clock::Now());
}

}  // namespace planelab
