#include "models/cloud/data/load_balancer_data_plane.h"

#include "models/cloud/data/load_balancer_metrics.h"
#include "models/proto/cluster_api.h"
#include "sim/core/message_socket.h"
#include "sim/core/network.h"

namespace planelab {

LoadBalancerDataPlane::LoadBalancerDataPlane(RunContext& ctx, const std::string& device, Network& net)
    : PlaneActor(ctx, device, Plane::kData), net_(net) {
  const LoadBalancerMetrics& m = LoadBalancerMetrics::Get();
  forwarded_ = AddCounter(m.lb_forwarded);
  no_target_ = AddCounter(m.lb_no_target);
  targets_gauge_ = AddGauge(m.lb_targets);
  targets_gauge_->BindReader([this]() { return static_cast<double>(targets_.size()); });
}

LoadBalancerDataPlane::~LoadBalancerDataPlane() = default;

void LoadBalancerDataPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  sock_.reset(new MessageSocket(net_, device(), kServicePort));
  sock_->OnReceive([this](uint32_t addr, uint16_t port, std::shared_ptr<const void> msg) {
    ++interval_in_;
    if (targets_.empty()) {
      no_target_->Add();
      ++interval_dropped_;
      return;
    }
    auto r = std::make_shared<ServiceRequest>(*std::static_pointer_cast<const ServiceRequest>(msg));
    r->client_addr = addr;
    r->client_port = port;
    uint32_t to = targets_[next_++ % targets_.size()];
    forwarded_->Add();
    sock_->Send(to, kServicePort, r->request_bytes, r);
  });
}

void LoadBalancerDataPlane::HandleCrash() { sock_.reset(); }

void LoadBalancerDataPlane::OnTargets(const LbTargets& t) {
  targets_.clear();
  for (const auto& n : t.nodes) targets_.push_back(net_.ServiceAddress(n));
}

Health LoadBalancerDataPlane::MeasureHealth() {
  Health h = Health::kUp;
  if (interval_in_ > 0 && interval_dropped_ * 2 >= interval_in_) h = Health::kDown;
  else if (interval_dropped_ > 0) h = Health::kDegraded;
  interval_in_ = interval_dropped_ = 0;
  return WithLifecycle(h);
}

}  // namespace planelab
