#include "models/monitor/monitoring_station.h"

#include <ns3/inet-socket-address.h>
#include <ns3/udp-socket-factory.h>

#include <map>
#include <nlohmann/json.hpp>

#include "models/proto/mgmt_protocol.h"
#include "sim/core/network_ns3.h"

namespace planelab {

using namespace ns3;

namespace {

constexpr SimTime kFirstPoll = 2 * kSec;

/// The dashboard: one entry per managed device, fresh or stale.
class StationMgmtPlane : public PlaneActor, public ReportedHealthSource {
 public:
  StationMgmtPlane(RunContext& ctx, const std::string& id, Network& net, const ManagementSpec& spec)
      : PlaneActor(ctx, id, Plane::kManagement), net_(net), spec_(spec) {
    sent_ = AddCounter("polls_sent", "polls", "status polls sent");
    failed_ = AddCounter("polls_failed", "polls", "status polls that timed out");
    stale_ = AddGauge("stale_devices", "devices", "devices whose dashboard entry is stale");
    lag_ = AddGauge("telemetry_lag", "s", "age of the oldest fresh-or-stale dashboard entry");
    for (const auto& i : net.Interfaces(id)) {
      if (i.oob) entries_[i.peer].agent_addr = i.peer_addr;
    }
  }

  void Start() override {
    SetLifecycle(Lifecycle::kUp, "start");
    sock_ = ns3::Socket::CreateSocket(NodeOf(net_, device()), UdpSocketFactory::GetTypeId());
    sock_->Bind();
    sock_->SetRecvCallback(MakeCallback(&StationMgmtPlane::OnReceive, this));
    // Stagger polls across the interval, as pollers spread their work; the first round starts once
    // devices have booted (2 s), so the dashboard does not open on half-started agents.
    size_t n = entries_.size(), k = 0;
    for (auto& [dev, e] : entries_) {
      std::string d = dev;
      SimTime offset = n ? static_cast<SimTime>(spec_.poll_interval * static_cast<double>(k++) / n) : 0;
      After(offset + kFirstPoll, [this, d]() { Poll(d); });
    }
  }

  Health Reported(const std::string& device, Plane plane) const override {
    auto it = entries_.find(device);
    if (it == entries_.end() || !it->second.answered) return Health::kUnknown;
    const Entry& e = it->second;
    switch (plane) {
      case Plane::kManagement:
        return e.stale ? Health::kDown : Health::kUp;
      case Plane::kData:
        if (e.stale) return Health::kUnknown;
        if (e.if_up == 0) return Health::kDown;
        return e.if_up < e.if_total ? Health::kDegraded : Health::kUp;
      case Plane::kControl:
        if (e.stale) return Health::kUnknown;
        // Typical NMS thresholds: CPU above 90 % or a routing neighbour missing is a warning.
        return (e.cpu >= 0.9 || e.adj_up < e.adj_cfg) ? Health::kDegraded : Health::kUp;
    }
    return Health::kUnknown;
  }

  Health MeasureHealth() override {
    SimTime now = Clock::Now();
    double lag = 0;
    int stale = 0;
    for (const auto& [_, e] : entries_) {
      if (e.stale) ++stale;
      if (e.answered) lag = std::max(lag, ToSeconds(now - e.last_ok));
    }
    stale_->Set(stale);
    lag_->Set(lag);
    return WithLifecycle(Health::kUp);
  }

 private:
  struct Entry {
    uint32_t agent_addr = 0;
    bool answered = false, stale = false;
    SimTime last_ok = 0;
    uint64_t pending_seq = 0;
    uint32_t if_up = 0, if_total = 0, adj_up = 0, adj_cfg = 0;
    double cpu = 0;
  };

  void Poll(const std::string& dev) {
    Entry& e = entries_[dev];
    uint64_t seq = ++seq_;
    e.pending_seq = seq;
    by_seq_[seq] = dev;
    std::string text = nlohmann::json({{"seq", seq}, {"get", "status"}}).dump();
    sock_->SendTo(Create<Packet>(reinterpret_cast<const uint8_t*>(text.data()), text.size()), 0,
                  InetSocketAddress(Ipv4Address(e.agent_addr), kAgentPort));
    sent_->Add();
    After(spec_.poll_timeout, [this, dev, seq]() {
      Entry& en = entries_[dev];
      by_seq_.erase(seq);
      if (en.pending_seq != seq) return;  // answered
      failed_->Add();
      if (!en.stale) {
        en.stale = true;
        Emit("dashboard.stale", nlohmann::json({{"target", dev}, {"last_ok_s", ToSeconds(en.last_ok)}}).dump());
      }
    });
    After(spec_.poll_interval, [this, dev]() { Poll(dev); });
  }

  void OnReceive(Ptr<ns3::Socket> s) {
    Address from;
    while (Ptr<Packet> p = s->RecvFrom(from)) {
      std::string text(p->GetSize(), '\0');
      p->CopyData(reinterpret_cast<uint8_t*>(&text[0]), text.size());
      nlohmann::json r = nlohmann::json::parse(text, nullptr, false);
      if (r.is_discarded() || !r.contains("seq")) continue;
      auto it = by_seq_.find(r["seq"].get<uint64_t>());
      if (it == by_seq_.end()) continue;  // too late: the poll already failed
      Entry& e = entries_[it->second];
      if (e.stale) Emit("dashboard.fresh", nlohmann::json({{"target", it->second}}).dump());
      e.pending_seq = 0;
      e.answered = true;
      e.stale = false;
      e.last_ok = Clock::Now();
      e.if_up = r.value("if_up", 0u);
      e.if_total = r.value("if_total", 0u);
      e.adj_up = r.value("adj_up", 0u);
      e.adj_cfg = r.value("adj_cfg", 0u);
      e.cpu = r.value("cpu", 0.0);
      by_seq_.erase(it);
    }
  }

  Network& net_;
  ManagementSpec spec_;
  std::map<std::string, Entry> entries_;
  std::map<uint64_t, std::string> by_seq_;
  uint64_t seq_ = 0;
  Ptr<ns3::Socket> sock_;
  Counter* sent_;
  Counter* failed_;
  Gauge* stale_;
  Gauge* lag_;
};

class MonitorDevice : public Device {
 public:
  explicit MonitorDevice(DeviceEnv& env)
      : Device(env.spec.id), plane_(env.ctx, env.spec.id, env.network, env.scenario.management) {}
  std::vector<PlaneActor*> planes() override { return {&plane_}; }
  const ReportedHealthSource* dashboard() const override { return &plane_; }

 private:
  StationMgmtPlane plane_;
};

}  // namespace

void RegisterMonitorKind(DeviceRegistry& registry) {
  registry.Register("monitor", [](DeviceEnv& env) { return std::unique_ptr<Device>(new MonitorDevice(env)); });
}

}  // namespace planelab
