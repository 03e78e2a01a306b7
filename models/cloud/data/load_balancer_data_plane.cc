#include "models/cloud/data/load_balancer_data_plane.h"

#include <algorithm>

#include "models/cloud/cloud_services_metrics.h"
#include "models/cloud/data/load_balancer_metrics.h"
#include "models/proto/cluster_api.h"
#include "sim/core/message_socket.h"
#include "sim/core/network.h"

namespace planelab {

namespace {
constexpr uint16_t kHealthCheckPort = 8081;  // the load balancer's own source port for health checks
constexpr SimTime kLoadPeriod = 10 * kSec;   // request-rate datapoints for target tracking (CloudWatch: 60 s)
constexpr uint32_t kVolumeIoBytes = 16384;
}  // namespace

LoadBalancerDataPlane::LoadBalancerDataPlane(RunContext& ctx, const std::string& device, Network& net,
                                             const ClusterSpec& spec, bool services, Port<LbLoad>& to_control)
    : PlaneActor(ctx, device, Plane::kData), net_(net), spec_(spec), services_(services), to_control_(to_control),
      tg_(spec.cloud.health_check), iam_rng_(MakeStream(ctx.seed, device + "/iam-callers")),
      vol_rng_(MakeStream(ctx.seed, device + "/volumes")) {
  const LoadBalancerMetrics& m = LoadBalancerMetrics::Get();
  forwarded_ = AddCounter(m.lb_forwarded);
  no_target_ = AddCounter(m.lb_no_target);
  targets_gauge_ = AddGauge(m.lb_targets);
  targets_gauge_->BindReader([this]() { return static_cast<double>(names_.size()); });
  if (services_) {
    const CloudServicesDataMetrics& s = CloudServicesDataMetrics::Get();
    healthy_ = AddGauge(s.healthy);
    unhealthy_ = AddGauge(s.unhealthy);
    failing_open_ = AddGauge(s.failing_open);
    dropped_ = AddCounter(s.lb_dropped);
    iam_allowed_ = AddCounter(s.iam_allowed);
    iam_denied_ = AddCounter(s.iam_denied);
    vol_ops_ = AddCounter(s.volume_ops);
    vol_errors_ = AddCounter(s.volume_errors);
    vol_read_ = AddHistogram(s.volume_read_latency);
    vol_write_ = AddHistogram(s.volume_write_latency);
    vol_serving_ = AddGauge(s.volumes_serving);
    vol_serving_->BindReader([this]() { return static_cast<double>(volumes_.size()); });
    healthy_->BindReader([this]() { return static_cast<double>(tg_.HealthyHostCount()); });
    unhealthy_->BindReader([this]() { return static_cast<double>(tg_.UnHealthyHostCount()); });
    failing_open_->BindReader([this]() { return spec_.cloud.health_checks && tg_.FailingOpen() ? 1.0 : 0.0; });
  }
  for (uint32_t v = 1; v <= spec.cloud.volumes; ++v) volumes_.insert("vol-" + std::to_string(v));
}

LoadBalancerDataPlane::~LoadBalancerDataPlane() = default;

void LoadBalancerDataPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  sock_.reset(new MessageSocket(net_, device(), kServicePort));
  sock_->OnReceive([this](uint32_t addr, uint16_t port, std::shared_ptr<const void> msg) {
    ++interval_in_;
    ++load_count_;
    if (drop_share_ > 0) {
      std::uniform_real_distribution<double> u(0, 1);
      if (u(rng()) < drop_share_) {
        dropped_->Add();
        ++interval_dropped_;
        return;
      }
    }
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
  if (spec_.cloud.health_checks) {
    hc_sock_.reset(new MessageSocket(net_, device(), kHealthCheckPort));
    hc_sock_->OnReceive([this](uint32_t, uint16_t, std::shared_ptr<const void> msg) {
      auto resp = std::static_pointer_cast<const ServiceResponse>(msg);
      auto it = hc_pending_.find(resp->id);
      if (it == hc_pending_.end()) return;  // answered after its timeout
      tg_.CheckResult(it->second, !resp->refused);
      hc_pending_.erase(it);
      Route();
    });
    After(spec_.cloud.health_check.interval, [this]() { HealthChecks(); });
  }
  if (spec_.cloud.requests_per_instance > 0) After(kLoadPeriod, [this]() { ReportLoad(); });
  for (size_t i = 0; i < spec_.cloud.iam_callers.size(); ++i) {
    After(std::max<SimTime>(0, spec_.cloud.iam_callers[i].start - Clock::Now()), [this, i]() { IamCall(i); });
  }
  if (spec_.cloud.volume_iops > 0) {
    for (const auto& v : volumes_) {
      std::string name = v;
      After(0, [this, name]() { VolumeOp(name); });
    }
  }
}

void LoadBalancerDataPlane::HandleCrash() {
  sock_.reset();
  hc_sock_.reset();
  hc_pending_.clear();
}

void LoadBalancerDataPlane::OnTargets(const LbTargets& t) {
  std::set<std::string> now(t.nodes.begin(), t.nodes.end());
  for (const auto& n : names_) {
    if (!now.count(n)) tg_.Deregister(n, Clock::Now());
  }
  for (const auto& n : t.nodes) {
    if (std::find(names_.begin(), names_.end(), n) == names_.end()) {
      tg_.Register(n);
      // Targets registered before the run passed their checks long ago.
      if (Clock::Now() == 0 || !spec_.cloud.health_checks) tg_.CheckResult(n, true);
    }
    if (!addr_.count(n)) addr_[n] = net_.ServiceAddress(n);
  }
  names_ = t.nodes;
  Route();
}

void LoadBalancerDataPlane::Route() {
  targets_.clear();
  if (!spec_.cloud.health_checks) {
    for (const auto& n : names_) targets_.push_back(addr_[n]);
    return;
  }
  for (const auto& n : tg_.Routable()) targets_.push_back(addr_[n]);
}

void LoadBalancerDataPlane::HealthChecks() {
  SimTime now = Clock::Now();
  tg_.Tick(now);
  const cloud::HealthCheckConfig& hc = spec_.cloud.health_check;
  for (const auto& n : names_) {
    if (tg_.State(n) == cloud::TargetState::kDraining || tg_.State(n) == cloud::TargetState::kUnused) continue;
    uint64_t id = next_hc_++;
    hc_pending_[id] = n;
    auto r = std::make_shared<ServiceRequest>();
    r->id = id;
    r->health_check = true;
    r->client_addr = net_.ServiceAddress(device());
    r->client_port = kHealthCheckPort;
    hc_sock_->Send(addr_[n], kServicePort, 100, r);
    After(hc.timeout, [this, id]() {
      auto it = hc_pending_.find(id);
      if (it == hc_pending_.end()) return;
      tg_.CheckResult(it->second, false);
      hc_pending_.erase(it);
      Route();
    });
  }
  Route();
  After(hc.interval, [this]() { HealthChecks(); });
}

void LoadBalancerDataPlane::ReportLoad() {
  to_control_.Send({static_cast<double>(load_count_) / ToSeconds(kLoadPeriod)});
  load_count_ = 0;
  After(kLoadPeriod, [this]() { ReportLoad(); });
}

void LoadBalancerDataPlane::OnIam(const IamUpdate& u) { roles_[u.role] = u.allow; }

void LoadBalancerDataPlane::IamCall(size_t caller) {
  const IamCallerSpec& c = spec_.cloud.iam_callers[caller];
  // The replica answers from what has propagated to it: no control-plane call on the request path.
  auto it = roles_.find(c.role);
  if (it != roles_.end() && it->second) iam_allowed_->Add(); else iam_denied_->Add();
  std::exponential_distribution<double> gap(c.rate);
  After(std::max<SimTime>(1, FromSeconds(gap(iam_rng_))), [this, caller]() { IamCall(caller); });
}

void LoadBalancerDataPlane::OnVolume(const VolumeUpdate& u) {
  if (!u.attached) {
    volumes_.erase(u.volume);
    return;
  }
  if (volumes_.insert(u.volume).second && spec_.cloud.volume_iops > 0 && running()) {
    std::string name = u.volume;
    After(0, [this, name]() { VolumeOp(name); });
  }
}

void LoadBalancerDataPlane::VolumeOp(const std::string& volume) {
  if (!volumes_.count(volume)) return;
  SimTime now = Clock::Now();
  auto& disk = disks_[volume];
  if (!disk) disk.reset(new DiskModel(DiskConfig(), vol_rng_()));
  std::uniform_real_distribution<double> u(0, 1);
  bool write = u(vol_rng_) < 0.5;
  SimTime done = disk->Submit(now, kVolumeIoBytes, write) + volume_extra_;
  bool error = volume_error_rate_ > 0 && u(vol_rng_) < volume_error_rate_;
  SimTime latency = done - now;
  if (latency > spec_.cloud.volume_io_timeout) {
    error = true;
    latency = spec_.cloud.volume_io_timeout;
  }
  After(latency, [this, error, write, latency]() {
    if (error) {
      vol_errors_->Add();
      ++interval_vol_err_;
      return;
    }
    vol_ops_->Add();
    ++interval_vol_;
    (write ? vol_write_ : vol_read_)->Observe(ToSeconds(latency));
  });
  std::exponential_distribution<double> gap(spec_.cloud.volume_iops);
  After(std::max<SimTime>(1, FromSeconds(gap(vol_rng_))), [this, volume]() { VolumeOp(volume); });
}

Health LoadBalancerDataPlane::MeasureHealth() {
  Health h = Health::kUp;
  if (interval_in_ > 0 && interval_dropped_ * 2 >= interval_in_) h = Health::kDown;
  else if (interval_dropped_ > 0) h = Health::kDegraded;
  Health v = HealthFromFailures(static_cast<double>(interval_vol_err_),
                                static_cast<double>(interval_vol_ + interval_vol_err_));
  if (v == Health::kDown || (v == Health::kDegraded && h == Health::kUp)) h = v;
  interval_in_ = interval_dropped_ = interval_vol_ = interval_vol_err_ = 0;
  return WithLifecycle(h);
}

}  // namespace planelab
