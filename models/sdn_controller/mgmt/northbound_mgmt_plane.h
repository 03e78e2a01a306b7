// The SDN controller's management plane: the northbound REST API a member serves (ONOS's REST on port 8181) and,
// on the member operators watch, their dashboard (ONOS's GUI) and their calls. Calls pass to the control plane
// over a port and its answers come back over another; the API's own health (up / slow / down) is what the
// `sdn-northbound-down` fault sets. What the dashboard shows is the reported health of the fabric's switches and
// members: it comes from these polls, not from the truth.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "models/sdn_controller/mgmt/northbound_core.h"
#include "models/sdn_controller/sdn_controller_plane_messages.h"
#include "sim/core/device.h"
#include "sim/core/plane_actor.h"

namespace planelab {

class SdnNorthboundMgmtPlane : public PlaneActor, public ReportedHealthSource {
 public:
  /// `dashboard`: whether operators watch this member's dashboard; `calls`: the operators' calls made through this
  /// member's API.
  SdnNorthboundMgmtPlane(RunContext& ctx, const std::string& device, const NorthboundSpec& spec, bool dashboard,
                         std::vector<NorthboundCallSpec> calls, Port<NorthboundRequest>& to_control);
  ~SdnNorthboundMgmtPlane() override;
  void Start() override;
  Health MeasureHealth() override;
  Health Reported(const std::string& device, Plane plane) const override;
  void OnReply(const NorthboundReply& r);
  /// Fault hook (sdn-northbound-down): the API's mode and, when slow, how late it answers.
  void SetApiMode(sdn::ApiMode mode, SimTime slow_latency);

 protected:
  /// The API's process dies: calls in flight are lost, the dashboard forgets what it showed.
  void HandleCrash() override;

 private:
  struct Call {
    SimTime started = 0;
    std::function<void(const NorthboundReply&)> then;
  };
  /// One REST call through the API's door; `then` gets the answer, or a failure (code 0: refused, 504: timed out).
  void Rest(NorthboundRequest req, std::function<void(const NorthboundReply&)> then);
  void Finish(uint64_t id, NorthboundReply r);
  void Refresh();
  void Submit(size_t i, SimTime first_attempt);

  NorthboundSpec spec_;
  bool dashboard_on_;
  std::vector<NorthboundCallSpec> calls_;
  Port<NorthboundRequest>& to_control_;
  sdn::Dashboard dashboard_;
  sdn::ApiMode mode_ = sdn::ApiMode::kUp;
  SimTime slow_latency_ = 0;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Call> in_flight_;
  uint64_t interval_requests_ = 0, interval_errors_ = 0, interval_slow_ = 0;
  Counter* requests_;
  Counter* errors_;
  Histogram* latency_;
  Gauge* api_up_;
  Gauge* devices_available_ = nullptr;
  Gauge* links_ = nullptr;
  Gauge* nodes_ready_ = nullptr;
  Gauge* intents_installed_ = nullptr;
  Gauge* intents_installing_ = nullptr;
  Gauge* intents_failed_ = nullptr;
  Gauge* dashboard_age_ = nullptr;
  Counter* accepted_;
  Counter* failed_;
  Counter* abandoned_;
};

}  // namespace planelab
