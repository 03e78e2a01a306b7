#include "models/serviceclient/service_client_data_plane.h"

#include "models/proto/cluster_api.h"
#include "models/serviceclient/service_client_metrics.h"
#include "sim/core/clock.h"
#include "sim/core/message_socket.h"
#include "sim/core/network.h"

namespace planelab {

ServiceClientDataPlane::ServiceClientDataPlane(RunContext& ctx, const std::string& device, Network& net,
                                               std::vector<const ServiceClientSpec*> clients)
    : PlaneActor(ctx, device, Plane::kData), net_(net), clients_(std::move(clients)) {
  const ServiceClientMetrics& m = ServiceClientMetrics::Get();
  sent_ = AddCounter(m.requests_sent);
  ok_ = AddCounter(m.responses_ok);
  refused_ = AddCounter(m.refused);
  timeouts_ = AddCounter(m.timeouts);
  latency_ = AddHistogram(m.latency);
  error_ratio_ = AddGauge(m.error_ratio);
  error_ratio_->BindReader([this]() { return last_error_ratio_; });
}

ServiceClientDataPlane::~ServiceClientDataPlane() = default;

void ServiceClientDataPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  sock_.reset(new MessageSocket(net_, device(), 0));
  lb_addr_ = net_.ServiceAddress("cloud");
  sock_->OnReceive([this](uint32_t, uint16_t, std::shared_ptr<const void> msg) {
    const auto& r = *std::static_pointer_cast<const ServiceResponse>(msg);
    auto it = outstanding_.find(r.id);
    if (it == outstanding_.end()) return;  // late: already counted as a timeout
    ++interval_due_;
    if (r.refused) {
      refused_->Add();
      ++interval_bad_;
    } else {
      ok_->Add();
      latency_->Observe(ToSeconds(Clock::Now() - it->second.sent));
    }
    outstanding_.erase(it);
  });
  // `start` is a time of the run: a restarted client resumes at once if it is past.
  for (size_t i = 0; i < clients_.size(); ++i) {
    After(std::max<SimTime>(0, clients_[i]->start - Clock::Now()), [this, i]() { SendNext(i); });
  }
}

void ServiceClientDataPlane::HandleCrash() {
  // The users behind the client wait no more: what was in flight is forgotten, not counted as failed.
  sock_.reset();
  outstanding_.clear();
}

double ServiceClientDataPlane::RateAt(const ServiceClientSpec& c, SimTime t) const {
  double rate = c.rate_pps;
  for (const auto& [at, r] : c.rate_steps) {
    if (at <= t) rate = r;
  }
  return rate;
}

void ServiceClientDataPlane::SendNext(size_t i) {
  const ServiceClientSpec& c = *clients_[i];
  auto req = std::make_shared<ServiceRequest>();
  req->id = next_id_++;
  req->service = c.service;
  req->request_bytes = c.request_bytes;
  req->response_bytes = c.response_bytes;
  outstanding_[req->id] = {Clock::Now(), i};
  sent_->Add();
  sock_->Send(lb_addr_, kServicePort, c.request_bytes, req);
  uint64_t id = req->id;
  After(c.timeout, [this, id]() {
    auto it = outstanding_.find(id);
    if (it == outstanding_.end()) return;
    timeouts_->Add();
    ++interval_due_;
    ++interval_bad_;
    outstanding_.erase(it);
  });
  // Poisson arrivals, as independent users make them.
  std::exponential_distribution<double> gap(RateAt(c, Clock::Now()));
  After(std::max<SimTime>(1, static_cast<SimTime>(gap(rng()) * 1e9)), [this, i]() { SendNext(i); });
}

Health ServiceClientDataPlane::MeasureHealth() {
  last_error_ratio_ = interval_due_ ? static_cast<double>(interval_bad_) / interval_due_ : 0.0;
  Health h = HealthFromFailures(static_cast<double>(interval_bad_), static_cast<double>(interval_due_));
  interval_due_ = interval_bad_ = 0;
  return WithLifecycle(h);
}

}  // namespace planelab
