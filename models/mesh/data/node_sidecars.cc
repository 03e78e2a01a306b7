#include "models/mesh/data/node_sidecars.h"

#include <set>

#include "models/mesh/mesh_section.h"
#include "sim/core/message_socket.h"
#include "sim/core/network.h"

namespace planelab {

NodeSidecars::NodeSidecars(Network& net, std::string device, const MeshSpec& spec, SidecarAgent::Hooks hooks)
    : net_(net), device_(std::move(device)), spec_(spec), hooks_(std::move(hooks)) {
  hooks_.send = [this](std::shared_ptr<XdsUp> m) {
    if (sock_) sock_->Send(istiod_addr_, kIstiodXdsPort, m->Bytes(), m);
  };
}

NodeSidecars::~NodeSidecars() = default;

void NodeSidecars::Open() {
  sock_.reset(new MessageSocket(net_, device_, 0));
  istiod_addr_ = net_.ServiceAddress("istiod");
  sock_->OnReceive([this](uint32_t, uint16_t, std::shared_ptr<const void> msg) {
    const auto& m = *std::static_pointer_cast<const XdsDown>(msg);
    auto it = agents_.find(m.proxy);
    if (it != agents_.end() && !crashed_.count(m.proxy)) it->second->OnMessage(m);
  });
}

void NodeSidecars::Close() {
  sock_.reset();
  agents_.clear();
  crashed_.clear();
}

void NodeSidecars::SyncPods(const std::vector<std::string>& pods, bool warm) {
  std::set<std::string> now(pods.begin(), pods.end());
  for (auto it = agents_.begin(); it != agents_.end();) {
    if (!now.count(it->first)) {
      crashed_.erase(it->first);
      it = agents_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& p : pods) {
    if (agents_.count(p)) continue;
    auto a = std::make_unique<SidecarAgent>(p, false, spec_, hooks_);
    a->Start(warm);
    agents_.emplace(p, std::move(a));
  }
}

NodeSidecars::Inbound NodeSidecars::Admit(const std::string& pod, bool client_cert_valid, SimTime now) const {
  auto it = agents_.find(pod);
  if (it == agents_.end() || crashed_.count(pod) || !it->second->running() || !it->second->serving()) {
    return Inbound::kRefused;
  }
  const auto& cert = it->second->cert();
  if (cert.Expired(now)) return Inbound::kCertificateExpired;
  if (!cert.Valid(now)) return Inbound::kNoCertificate;
  if (!client_cert_valid) return Inbound::kCertificateExpired;
  return Inbound::kOk;
}

void NodeSidecars::CrashSidecar(const std::string& pod, bool on) {
  auto it = agents_.find(pod);
  if (it == agents_.end()) {
    // Pods come and go: the fault names one that does not run here (any more): nothing to crash, and the run says so.
    if (on) hooks_.emit("sidecar.crash_no_target", "{\"pod\":\"" + pod + "\",\"note\":\"no such pod runs on this node\"}");
    return;
  }
  if (on) {
    crashed_.insert(pod);
    it->second->Stop();
    hooks_.emit("sidecar.crashed", "{\"pod\":\"" + pod + "\"}");
  } else if (crashed_.erase(pod)) {
    it->second->Start(false);
    hooks_.emit("sidecar.restarted", "{\"pod\":\"" + pod + "\"}");
  }
}

size_t NodeSidecars::connected() const {
  size_t n = 0;
  for (const auto& [p, a] : agents_) n += a->connected() ? 1 : 0;
  return n;
}

size_t NodeSidecars::unconfigured() const {
  size_t n = 0;
  for (const auto& [p, a] : agents_) n += a->configured() ? 0 : 1;
  return n;
}

size_t NodeSidecars::cert_expired(SimTime now) const {
  size_t n = 0;
  for (const auto& [p, a] : agents_) n += a->cert().Valid(now) ? 0 : 1;
  return n;
}

}  // namespace planelab
