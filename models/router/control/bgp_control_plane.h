// The BGP actor: the pure BgpSpeaker bound to ns-3 TCP sessions on the links, the CPU and the FIB port.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/router/control/bgp/bgp_speaker.h"
#include "models/router/control/router_control_plane.h"
#include "models/router/routing_section.h"

namespace planelab {

class Network;

/// A BGP-4 router: one eBGP/iBGP session per router neighbour over ns-3 TCP port 179.
class BgpControlPlane : public RouterControlPlane {
 public:
  /// `asn_of` gives a device's AS number, 0 for devices that do not speak BGP (hosts).
  BgpControlPlane(RunContext& ctx, const std::string& device, const RoutingSpec& spec, Network& net,
                  const std::function<uint32_t(const std::string&)>& asn_of, Port<FibProgram>& to_data,
                  Port<ControlStatus>& to_mgmt);
  ~BgpControlPlane() override;
  void Start() override;
  Health MeasureHealth() override;

  /// Fault hooks. Crash() and Restart() are the daemon's; the lifecycle operations (PlaneActor::Crash(reason),
  /// Restart()) reach them through HandleCrash() and HandleRestart().
  void ResetSession(const std::string& peer_device);
  void Crash();
  void Restart();
  /// Neighbour device ids, in peer order.
  const std::vector<std::string>& neighbours() const { return neighbours_; }

 protected:
  void OnCarrier(uint32_t ifindex, bool up) override;
  void OnBfd(uint32_t ifindex, bool up) override;
  size_t AdjacenciesUp() const override { return core_->established(); }
  size_t AdjacenciesConfigured() const override { return core_->peer_count(); }
  std::vector<PeerStatus> PeerStates() const override;
  void HandleCrash() override { Crash(); }
  void HandleRestart() override { Restart(); }

 private:
  struct Conn;
  void Listen();
  void Apply(std::vector<bgp::Action>& out);
  void AfterCore();
  void ArmTick();
  void ProgramPending();
  void Attach(size_t peer, void* socket);
  void Detach(size_t peer);
  /// Reads the socket (if no read of it waits on the CPU) and queues the messages' processing.
  void Read(size_t peer, uint64_t gen);
  /// Hands queued bytes to the socket as far as its send buffer allows; true when all went.
  bool Write(size_t peer);
  void OnTcp(size_t peer, uint64_t gen, bool up);

  Network& net_;
  std::unique_ptr<bgp::BgpSpeaker> core_;
  bgp::Message decoded_;  // reused: decoding allocates nothing once its vectors have grown
  std::vector<uint8_t> read_buffer_;  // reused by every socket read
  std::vector<std::string> neighbours_;
  std::vector<std::unique_ptr<Conn>> conns_;
  struct Listener;
  std::unique_ptr<Listener> listener_;
  std::vector<bgp::SessionState> last_states_;
  uint64_t states_seen_ = UINT64_MAX;  // the speaker's state_changes() when last_states_ was last compared
  Timer tick_;
  Timer fib_flush_;
  std::map<uint32_t, bgp::Prefix> host_prefixes_;  // ifindex -> the host subnet we originate there
  std::set<uint32_t> bfd_down_;  // interfaces whose BFD session is down: no BGP session there
  bgp::SpeakerCounters last_counters_;
  Counter* updates_sent_;
  Counter* updates_received_;
  Counter* withdrawals_received_;
  Counter* session_drops_;
  Gauge* suppressed_;
  Gauge* adj_in_;
  std::vector<Gauge*> session_state_;  // per peer, BGP4-MIB encoding
};

}  // namespace planelab
