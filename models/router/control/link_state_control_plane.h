// The link-state routing actor: the pure LinkStateRouting core bound to simulated time, UDP sockets and the CPU.
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "models/router/control/link_state_routing.h"
#include "models/router/control/router_control_plane.h"
#include "models/router/routing_section.h"

namespace planelab {

class Network;

/// OSPFv2 on point-to-point links (RFC 2328) in IP protocol 89 packets: hellos, database exchange, reliable
/// flooding, SPF under the RFC 8405 back-off.
class LinkStateControlPlane : public RouterControlPlane {
 public:
  LinkStateControlPlane(RunContext& ctx, const std::string& device, const RoutingSpec& spec, Network& net,
                        const std::function<bool(const std::string&)>& is_router, Port<FibProgram>& to_data,
                        Port<ControlStatus>& to_mgmt);
  ~LinkStateControlPlane() override;
  void Start() override;

 protected:
  void OnCarrier(uint32_t ifindex, bool up) override;
  /// A crash loses the socket, the queued work and the link-state database: the restarted daemon starts from
  /// scratch, as at the start of the run, while the FIB keeps its routes.
  void HandleCrash() override;
  size_t AdjacenciesUp() const override { return core_->adjacencies_up(); }
  size_t AdjacenciesConfigured() const override { return core_->adjacencies_configured(); }

 private:
  void OnPacket(uint32_t src_addr, std::vector<uint8_t> bytes);
  void Transmit(std::vector<ls::Send>& out);
  void ArmTick();
  void MaybeScheduleSpf();
  void RunSpf();
  void ReportAdjacencies(size_t before, const char* reason);
  void ReportFlooding();

  Network& net_;
  uint32_t router_id_ = 0;
  ls::LinkStateRouting::Config config_;
  std::vector<ls::InterfaceConfig> interfaces_;
  std::unique_ptr<ls::LinkStateRouting> core_;
  struct Socket;
  std::unique_ptr<Socket> socket_;
  Timer tick_;
  bool spf_scheduled_ = false;
  ls::SpfBackoff backoff_;
  uint64_t events_seen_ = 0;
  ls::FloodStats reported_;
  std::shared_ptr<ls::LsaPool> pool_;
  Counter* spf_runs_;
  Counter* lsas_flooded_;
  Gauge* flooding_links_ = nullptr;  // with dynamic flooding only
  Counter* lsa_retransmissions_;
  Counter* input_drops_;
  size_t input_bytes_ = 0;  // received packets waiting for the route processor
};

}  // namespace planelab
