#include "models/switch/control/switch_agent.h"

#include <nlohmann/json.hpp>

#include <ns3/inet-socket-address.h>

#include "models/proto/openflow_conn.h"
#include "models/switch/control/switch_control_metrics.h"
#include "sim/core/indexed_tcp.h"
#include "sim/core/network_ns3.h"

namespace planelab {

using ns3::Ptr;

struct SwitchAgent::Ctl {
  ControllerTarget target;
  std::unique_ptr<OfConn> conn;
  Ptr<ns3::Socket> connecting;  // a connect in progress
  uint64_t attempt = 0;         // guards callbacks of an abandoned attempt
  uint32_t id = 0;              // connection id, for replies from the data plane
  bool up = false;              // HELLO received
  of13::Role role = of13::Role::kEqual;  // OF §6.3.6: a new channel starts EQUAL
  SimTime backoff = 1 * kSec;            // rconn: starts at 1 s, doubles up to max_backoff
};

SwitchAgent::SwitchAgent(RunContext& ctx, const std::string& device, Network& net, const SwitchSpec& spec,
                         uint64_t dpid, std::vector<ControllerTarget> controllers, uint32_t local_addr,
                         Port<SwitchCommand>& to_data)
    : PlaneActor(ctx, device, Plane::kControl), net_(net), spec_(spec), dpid_(dpid), local_addr_(local_addr),
      to_data_(to_data) {
  const SwitchControlMetrics& m = SwitchControlMetrics::Get();
  connected_ = AddGauge(m.connected_controllers);
  has_master_ = AddGauge(m.has_master);
  echo_rtt_ = AddHistogram(m.echo_rtt);
  drops_ = AddCounter(m.channel_drops);
  flow_mods_ = AddCounter(m.flow_mods_received);
  packet_ins_ = AddCounter(m.packet_ins_sent);
  packet_ins_dropped_ = AddCounter(m.packet_ins_dropped);
  role_changes_ = AddCounter(m.role_changes);
  for (auto& t : controllers) {
    ctls_.emplace_back(new Ctl);
    ctls_.back()->target = t;
  }
}

SwitchAgent::~SwitchAgent() = default;

void SwitchAgent::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  last_any_rx_ = Clock::Now();
  // Each switch dials its controllers a little apart, as boots and daemons are never in lockstep.
  for (size_t i = 0; i < ctls_.size(); ++i) {
    std::uniform_int_distribution<SimTime> jitter(0, 100 * kMs);
    After(jitter(rng()), [this, i]() { Connect(i); });
  }
  After(1 * kSec, [this]() { Tick(); });
}

void SwitchAgent::Connect(size_t i) {
  Ctl& c = *ctls_[i];
  if (c.conn || c.connecting || blocked_) return;
  Ptr<IndexedTcpSocket> s = CreateIndexedTcpSocket(NodeOf(net_, device()));
  s->Bind(ns3::InetSocketAddress(ns3::Ipv4Address(local_addr_), 0));
  c.connecting = s;
  uint64_t attempt = ++c.attempt;
  using Self = SwitchAgent;
  s->SetConnectCallback(
      ns3::MakeBoundCallback(+[](Self* self, size_t k, uint64_t a, Ptr<ns3::Socket>) {
        if (!self->running() || self->ctls_[k]->attempt != a) return;
        self->Connected(k);
      }, this, i, attempt),
      ns3::MakeBoundCallback(+[](Self* self, size_t k, uint64_t a, Ptr<ns3::Socket>) {
        if (!self->running() || self->ctls_[k]->attempt != a) return;
        self->ctls_[k]->connecting = nullptr;
        self->Retry(k);
      }, this, i, attempt));
  s->Connect(ns3::InetSocketAddress(ns3::Ipv4Address(c.target.addr), of13::kTcpPort));
  // rconn's CONNECTING state gives up after the current backoff (ovs lib/rconn.c, run_CONNECTING).
  After(c.backoff, [this, i, attempt]() {
    Ctl& k = *ctls_[i];
    if (k.attempt != attempt || !k.connecting) return;
    k.connecting->SetConnectCallback(ns3::MakeNullCallback<void, Ptr<ns3::Socket>>(),
                                     ns3::MakeNullCallback<void, Ptr<ns3::Socket>>());
    k.connecting->Close();
    k.connecting = nullptr;
    Retry(i);
  });
}

void SwitchAgent::Retry(size_t i) {
  Ctl& c = *ctls_[i];
  SimTime wait = c.backoff;
  c.backoff = std::min(2 * c.backoff, spec_.max_backoff);
  uint64_t attempt = ++c.attempt;
  After(wait, [this, i, attempt]() {
    if (ctls_[i]->attempt == attempt) Connect(i);
  });
}

void SwitchAgent::Connected(size_t i) {
  Ctl& c = *ctls_[i];
  Ptr<ns3::Socket> s = c.connecting;
  c.connecting = nullptr;
  c.id = ++conn_seq_;
  c.up = false;
  c.role = of13::Role::kEqual;
  c.conn.reset(new OfConn(s, [this, i](const of13::Message& m) { OnMessage(i, m); },
                          [this, i]() { Down(i, "closed"); }));
  of13::Message hello;
  hello.type = of13::Type::kHello;
  hello.xid = 1;
  c.conn->Send(hello);
}

void SwitchAgent::Down(size_t i, const std::string& why) {
  Ctl& c = *ctls_[i];
  if (!c.conn) return;
  bool was_up = c.up;
  c.conn->Close();
  // The callbacks of the closed connection may be on the stack: free it once they returned.
  std::shared_ptr<OfConn> dead(c.conn.release());
  Clock::After(0, [dead]() {});
  c.up = false;
  c.role = of13::Role::kEqual;
  if (was_up) {
    drops_->Add();
    Emit("ofchannel.down", nlohmann::json({{"controller", c.target.device}, {"reason", why}}).dump());
  }
  UpdateGauges();
  if (running()) Retry(i);
}

void SwitchAgent::SendError(size_t i, const of13::Message& m, uint16_t type, uint16_t code) {
  of13::Message err;
  err.type = of13::Type::kError;
  err.xid = m.xid;
  err.err_type = type;
  err.err_code = code;
  std::vector<uint8_t> bytes = of13::Encode(m);
  err.data.assign(bytes.begin(), bytes.begin() + std::min<size_t>(64, bytes.size()));
  ctls_[i]->conn->Send(err);
}

void SwitchAgent::OnMessage(size_t i, const of13::Message& m) {
  Ctl& c = *ctls_[i];
  if (!running()) return;
  last_any_rx_ = Clock::Now();
  switch (m.type) {
    case of13::Type::kHello:
      if (!c.up) {
        c.up = true;
        c.backoff = 1 * kSec;
        Emit("ofchannel.up", nlohmann::json({{"controller", c.target.device}}).dump());
        // OVS removes the fail-open flow as soon as a controller is back (ofproto/fail-open.c):
        // forwarding waits for the controller's flows from here on.
        if (fail_open_) {
          fail_open_ = false;
          SwitchCommand cmd;
          cmd.kind = SwitchCommand::Kind::kFailOpen;
          cmd.fail_open = false;
          to_data_.Send(cmd);
        }
        UpdateGauges();
      }
      break;
    case of13::Type::kFeaturesRequest: {
      of13::Message r;
      r.type = of13::Type::kFeaturesReply;
      r.xid = m.xid;
      r.datapath_id = dpid_;
      c.conn->Send(r);
      break;
    }
    case of13::Type::kEchoReply: {
      SimTime rtt = OfConn::EchoRtt(m, Clock::Now());
      if (rtt >= 0) echo_rtt_->Observe(ToSeconds(rtt));
      break;
    }
    case of13::Type::kRoleRequest: {
      of13::Role role = m.role;
      if (role == of13::Role::kMaster || role == of13::Role::kSlave) {
        // OF §6.3.6: a generation_id older than the last one seen is stale (compared as a signed distance).
        if (have_generation_ && static_cast<int64_t>(m.generation_id - generation_) < 0) {
          SendError(i, m, of13::kErrRoleRequestFailed, of13::kRrfcStale);
          break;
        }
        have_generation_ = true;
        generation_ = m.generation_id;
      }
      if (role != of13::Role::kNoChange && role != c.role) {
        if (role == of13::Role::kMaster) {
          for (auto& o : ctls_) {
            if (o.get() != &c && o->role == of13::Role::kMaster) o->role = of13::Role::kSlave;
          }
        }
        c.role = role;
        role_changes_->Add();
        Emit("switch.role", nlohmann::json({{"controller", c.target.device}, {"role", of13::ToString(role)},
                                            {"generation", m.generation_id}}).dump());
      }
      of13::Message r;
      r.type = of13::Type::kRoleReply;
      r.xid = m.xid;
      r.role = c.role;
      r.generation_id = generation_;
      c.conn->Send(r);
      UpdateGauges();
      break;
    }
    case of13::Type::kFlowMod: case of13::Type::kGroupMod: case of13::Type::kPacketOut:
      if (c.role == of13::Role::kSlave) {
        SendError(i, m, of13::kErrBadRequest, of13::kBrcIsSlave);  // OF §6.3.6
        break;
      }
      if (m.type == of13::Type::kFlowMod) flow_mods_->Add();
      to_data_.Send(SwitchCommand{SwitchCommand::Kind::kOpenFlow, m, c.id, false});
      break;
    case of13::Type::kBarrierRequest:
      to_data_.Send(SwitchCommand{SwitchCommand::Kind::kOpenFlow, m, c.id, false});
      break;
    default: break;
  }
}

void SwitchAgent::OnDataEvent(const SwitchEvent& e) {
  if (e.reset) {
    for (size_t i = 0; i < ctls_.size(); ++i) Down(i, "datapath restarted");
    return;
  }
  if (e.conn != 0) {
    for (auto& c : ctls_) {
      if (c->id == e.conn && c->conn && c->up) c->conn->Send(e.msg);
    }
    return;
  }
  // Asynchronous messages go to masters and equals, never to slaves (OF §6.3.6).
  bool sent = false;
  for (auto& c : ctls_) {
    if (!c->conn || !c->up || c->role == of13::Role::kSlave) continue;
    c->conn->Send(e.msg);
    sent = true;
  }
  if (e.msg.type != of13::Type::kPacketIn) return;
  if (sent) packet_ins_->Add();
  else packet_ins_dropped_->Add();
}

void SwitchAgent::Tick() {
  SimTime now = Clock::Now();
  for (size_t i = 0; i < ctls_.size(); ++i) {
    Ctl& c = *ctls_[i];
    if (c.conn && !c.conn->Keepalive(now, spec_.inactivity_probe)) Down(i, "inactivity probe unanswered");
  }
  // ovs-vswitchd.conf.db(5), fail_mode standalone: "If no message is received from the controller for three
  // times the inactivity probe interval", the switch sets up flows itself (a MAC-learning switch).
  if (spec_.fail_mode == "standalone" && !fail_open_ && now - last_any_rx_ >= 3 * spec_.inactivity_probe) {
    fail_open_ = true;
    SwitchCommand cmd;
    cmd.kind = SwitchCommand::Kind::kFailOpen;
    cmd.fail_open = true;
    to_data_.Send(cmd);
  }
  After(1 * kSec, [this]() { Tick(); });
}

void SwitchAgent::SetChannelBlocked(bool blocked) {
  blocked_ = blocked;
  Emit(blocked ? "ofchannel.blocked" : "ofchannel.unblocked", "{}");
  for (size_t i = 0; i < ctls_.size(); ++i) {
    if (blocked) {
      Down(i, "control-channel-down");
      ++ctls_[i]->attempt;
      if (ctls_[i]->connecting) {
        ctls_[i]->connecting->Close();
        ctls_[i]->connecting = nullptr;
      }
    } else if (running()) {
      Connect(i);
    }
  }
}

void SwitchAgent::OnStatusQuery(const StatusQuery&, Port<SwitchControlStatus>& to_mgmt) {
  SwitchControlStatus s;
  s.controllers = static_cast<uint32_t>(ctls_.size());
  for (auto& c : ctls_) {
    if (!c->conn || !c->up) continue;
    ++s.connected;
    s.has_master = s.has_master || c->role == of13::Role::kMaster;
  }
  to_mgmt.Send(s);
}

void SwitchAgent::UpdateGauges() {
  uint32_t up = 0;
  bool master = false;
  for (auto& c : ctls_) {
    if (c->conn && c->up) {
      ++up;
      master = master || c->role == of13::Role::kMaster;
    }
  }
  connected_->Set(up);
  has_master_->Set(master ? 1 : 0);
}

void SwitchAgent::HandleCrash() {
  for (auto& c : ctls_) {
    if (c->conn) c->conn->Close();
    c->conn.reset();
    if (c->connecting) {
      c->connecting->SetConnectCallback(ns3::MakeNullCallback<void, Ptr<ns3::Socket>>(),
                                        ns3::MakeNullCallback<void, Ptr<ns3::Socket>>());
      c->connecting->Close();
    }
    c->connecting = nullptr;
    c->up = false;
    c->role = of13::Role::kEqual;
    c->backoff = 1 * kSec;
    ++c->attempt;
  }
  have_generation_ = false;
  UpdateGauges();
}

void SwitchAgent::HandleRestart() { Start(); }

Health SwitchAgent::MeasureHealth() {
  UpdateGauges();
  bool any = false;
  for (auto& c : ctls_) any = any || (c->conn && c->up);
  // The agent's job is the channel: without one, it cannot take a change.
  return WithLifecycle(ctls_.empty() || any ? Health::kUp : Health::kDegraded);
}

}  // namespace planelab
