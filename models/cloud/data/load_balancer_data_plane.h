// The cloud's data planes, which keep the state the control APIs set (static stability): the load balancer in front
// of the worker instances (round robin over the registered targets, or with health checks over the healthy ones,
// failing open), the IAM replica that authorises requests with the policies propagated to it, and the block volumes
// attached to the instances. Health checks go to kube-proxy's healthz on each node, as datagrams on the network.
#pragma once
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "models/cloud/control/cloud_control_plane.h"
#include "models/cloud/core/cloud_core.h"
#include "models/disk/disk_model.h"
#include "sim/core/plane_actor.h"

namespace planelab {

class Network;
class MessageSocket;

/// Forwards each client request to one routable instance, keeping the client's address (as an NLB does).
class LoadBalancerDataPlane : public PlaneActor {
 public:
  LoadBalancerDataPlane(RunContext& ctx, const std::string& device, Network& net, const ClusterSpec& spec,
                        bool services, Port<LbLoad>& to_control);
  ~LoadBalancerDataPlane() override;
  void Start() override;
  Health MeasureHealth() override;
  /// Registered targets are the load balancer's configuration: kept while its forwarding path is down.
  void OnTargets(const LbTargets& t);
  /// A change that reached the IAM replica.
  void OnIam(const IamUpdate& u);
  void OnVolume(const VolumeUpdate& u);
  /// Fault hooks (lb-data-plane-drop, volume-io-errors).
  void SetDrop(double share) { drop_share_ = share; }
  void SetVolumeErrors(double rate, SimTime extra) {
    volume_error_rate_ = rate;
    volume_extra_ = extra;
  }

 protected:
  /// A crash of the forwarding path: nothing is forwarded until the restart (Start()) listens again.
  void HandleCrash() override;

 private:
  void Route();
  void HealthChecks();
  void ReportLoad();
  void IamCall(size_t caller);
  void VolumeOp(const std::string& volume);

  Network& net_;
  const ClusterSpec& spec_;
  bool services_;
  Port<LbLoad>& to_control_;
  std::unique_ptr<MessageSocket> sock_;
  std::unique_ptr<MessageSocket> hc_sock_;
  std::vector<std::string> names_;      // registered, in registration order
  std::map<std::string, uint32_t> addr_;
  std::vector<uint32_t> targets_;       // where requests go now
  size_t next_ = 0;
  cloud::TargetGroup tg_;
  std::map<uint64_t, std::string> hc_pending_;
  uint64_t next_hc_ = 1;
  double drop_share_ = 0;
  uint64_t load_count_ = 0;
  std::map<std::string, bool> roles_;   // the IAM replica
  std::mt19937_64 iam_rng_, vol_rng_;
  std::set<std::string> volumes_;
  std::map<std::string, std::unique_ptr<DiskModel>> disks_;
  double volume_error_rate_ = 0;
  SimTime volume_extra_ = 0;
  uint64_t interval_in_ = 0, interval_dropped_ = 0, interval_vol_ = 0, interval_vol_err_ = 0;
  Counter* forwarded_ = nullptr;
  Counter* no_target_ = nullptr;
  Gauge* targets_gauge_ = nullptr;
  Gauge* healthy_ = nullptr;
  Gauge* unhealthy_ = nullptr;
  Gauge* failing_open_ = nullptr;
  Counter* dropped_ = nullptr;
  Counter* iam_allowed_ = nullptr;
  Counter* iam_denied_ = nullptr;
  Counter* vol_ops_ = nullptr;
  Counter* vol_errors_ = nullptr;
  Histogram* vol_read_ = nullptr;
  Histogram* vol_write_ = nullptr;
  Gauge* vol_serving_ = nullptr;
};

}  // namespace planelab
