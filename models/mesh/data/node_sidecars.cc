#include "models/mesh/data/node_sidecars.h"

#include <set>

#include "models/mesh/mesh_section.h"
#include "models/proto/cluster_api.h"
#include "sim/core/message_socket.h"
#include "sim/core/network.h"
#include "sim/util/hash.h"

namespace planelab {

NodeSidecars::NodeSidecars(Network& net, std::string device, const MeshSpec& spec, SidecarAgent::Hooks hooks,
                           OutboundProxy::Hooks outbound)
    : net_(net), device_(std::move(device)), spec_(spec), hooks_(std::move(hooks)), outbound_hooks_(std::move(outbound)) {
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
  outbound_.clear();
  sock_.reset();
  agents_.clear();
  crashed_.clear();
}

void NodeSidecars::SyncPods(const std::vector<std::pair<std::string, std::string>>& pods, bool warm) {
  std::set<std::string> now;
  for (const auto& [p, d] : pods) now.insert(p);
  for (auto it = agents_.begin(); it != agents_.end();) {
    if (!now.count(it->first)) {
      crashed_.erase(it->first);
      outbound_.erase(it->first);
      it = agents_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [p, deployment] : pods) {
    if (agents_.count(p)) continue;
    auto a = std::make_unique<SidecarAgent>(p, false, spec_, hooks_);
    a->set_workload(deployment);
    a->Start(warm);
    SidecarAgent& agent = *a;
    agents_.emplace(p, std::move(a));
    if (!spec_.calls.count(deployment) || !sock_) continue;
    // The calling application's requests leave through the sidecar's outbound listener: its connection pool over
    // TCP, or a socket of its own for datagrams.
    Outbound& o = outbound_[p];
    OutboundProxy::Hooks h = outbound_hooks_;
    h.source = p;
    if (spec_.tcp) {
      UpstreamPool::Hooks ph;
      ph.now = hooks_.now;
      ph.after = hooks_.after;
      ph.cert_valid = [&agent, now = hooks_.now]() { return agent.cert().Valid(now()); };
      ph.max_requests_per_connection = spec_.max_requests_per_connection;
      ph.idle_timeout = spec_.idle_timeout;
      Outbound* out = &o;
      ph.on_response = [out](const ServiceResponse& r) {
        if (out->proxy) out->proxy->OnResponse(r);
      };
      o.pool.reset(new UpstreamPool(net_, device_, Fnv1a64(device_ + "/" + p), ph));
      UpstreamPool* pool = o.pool.get();
      h.send = [pool](uint32_t addr, std::shared_ptr<ServiceRequest> req) { pool->Send(addr, req); };
      h.cancel = [pool](uint64_t attempt) { pool->Cancel(attempt); };
      o.proxy.reset(new OutboundProxy(agent, std::move(h)));
      continue;
    }
    o.sock.reset(new MessageSocket(net_, device_, 0));
    MessageSocket* sock = o.sock.get();
    h.send = [sock](uint32_t addr, std::shared_ptr<ServiceRequest> req) {
      req->client_addr = sock->address();
      req->client_port = sock->port();
      sock->Send(addr, kServicePort, req->request_bytes, req);
    };
    o.proxy.reset(new OutboundProxy(agent, std::move(h)));
    OutboundProxy* proxy = o.proxy.get();
    o.sock->OnReceive([proxy](uint32_t, uint16_t, std::shared_ptr<const void> msg) {
      proxy->OnResponse(*std::static_pointer_cast<const ServiceResponse>(msg));
    });
  }
}

bool NodeSidecars::Call(const std::string& pod, uint64_t id, const MeshCallSpec& call) {
  auto it = outbound_.find(pod);
  if (it == outbound_.end() || crashed_.count(pod)) return false;
  it->second.proxy->Start(id, call.service, call.request_bytes, call.response_bytes);
  return true;
}

void NodeSidecars::GiveUp(const std::string& pod, uint64_t id) {
  auto it = outbound_.find(pod);
  if (it != outbound_.end()) it->second.proxy->GiveUp(id);
}

void NodeSidecars::Sweep(SimTime now) {
  for (auto& [pod, o] : outbound_) o.proxy->Sweep(now);
}

double NodeSidecars::UpstreamConnections() {
  if (!spec_.tcp) return SumClusters([](envoy::UpstreamCluster& c) { return c.connections(); });
  double n = 0;
  for (auto& [pod, o] : outbound_) n += o.pool ? static_cast<double>(o.pool->connections()) : 0.0;
  return n;
}

double NodeSidecars::SumClusters(const std::function<double(envoy::UpstreamCluster&)>& fn) {
  double n = 0;
  for (auto& [pod, o] : outbound_) {
    auto a = agents_.find(pod);
    if (a == agents_.end()) continue;
    for (auto& [name, c] : a->second->table().clusters()) n += fn(c);
  }
  return n;
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
    // The application's connections to the outbound listener are reset: its calls in flight fail (503).
    auto o = outbound_.find(pod);
    if (o != outbound_.end()) {
      if (o->second.pool) o->second.pool->CloseAll();
      o->second.proxy->Abort(503);
    }
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
