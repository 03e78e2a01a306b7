#include "models/sdn_controller/control/sdn_control_plane.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include <ns3/inet-socket-address.h>

#include "models/proto/openflow_conn.h"
#include "models/sdn_controller/control/sdn_control_metrics.h"
#include "sim/core/indexed_tcp.h"
#include "sim/core/message_socket.h"
#include "sim/core/network_ns3.h"
#include "sim/util/hash.h"

namespace planelab {

using ns3::Ptr;

namespace {

constexpr uint16_t kClusterPort = 9876;  // ONOS's intra-cluster messaging port
constexpr uint64_t kCookieProactive = 0x1000000000000000ULL;
constexpr uint64_t kCookieReactive = 0x2000000000000000ULL;
constexpr uint64_t kCookieIntent = 0x3000000000000000ULL;

std::string ActionsKey(const of13::Message& fm, const std::optional<of13::Message>& gm) {
  std::string k;
  for (const auto& a : fm.actions) k += (a.kind == of13::Action::Kind::kOutput ? "o" : "g") + std::to_string(a.arg) + ",";
  if (gm) {
    for (const auto& b : gm->buckets) k += "b" + std::to_string(b.actions.empty() ? 0 : b.actions[0].arg);
  }
  return k;
}

/// Run-wide record of every intent: when it was asked, which switches its path needs, which are programmed
/// (barrier acknowledged). The ground truth of "asked -> every switch programmed", whoever programs them.
struct IntentTracker {
  struct Rec {
    SimTime asked = 0;
    bool required_known = false, complete = false, refused = false;
    std::set<uint64_t> required, done;
    std::function<void(SimTime)> on_complete;
  };
  std::map<std::string, Rec> recs;

  void Done(const std::string& id, uint64_t dpid, SimTime now) {
    auto it = recs.find(id);
    if (it == recs.end()) return;
    Rec& r = it->second;
    r.done.insert(dpid);
    Check(r, now);
  }
  void Require(const std::string& id, const std::set<uint64_t>& dpids, SimTime now) {
    Rec& r = recs[id];
    if (r.required_known || dpids.empty()) return;  // no path known yet: the intent cannot be installed
    r.required = dpids;
    r.required_known = true;
    Check(r, now);
  }
  void Check(Rec& r, SimTime now) {
    if (r.complete || r.refused || !r.required_known) return;
    for (uint64_t d : r.required) {
      if (!r.done.count(d)) return;
    }
    r.complete = true;
    if (r.on_complete) r.on_complete(now);
  }
};

}  // namespace

struct SdnControlPlane::SwConn {
  std::unique_ptr<OfConn> conn;
  uint64_t dpid = 0;
  bool dead = false;
};

struct SdnControlPlane::PeerMsg {
  enum class Kind { kRaft, kLink, kProgram, kAlive } kind = Kind::kAlive;
  uint64_t sender = 0;
  raft::Message raft;
  std::vector<std::pair<sdn::PortRef, sdn::PortRef>> links;  // kLink: discovered links (from, to)
  uint64_t dpid = 0;
  std::vector<of13::Message> mods;
  std::vector<std::string> intents;
  SimTime setup_start = -1;
  std::set<uint64_t> connected;  // kAlive, with the northbound API: switches with a channel to the sender
};

struct SdnControlPlane::Pending {
  uint64_t dpid = 0;
  SimTime sent = 0, setup_start = -1;
  std::vector<std::string> intents;
};

struct SdnControlPlane::Listener {
  Ptr<ns3::Socket> sock;
};

SdnControlPlane::SdnControlPlane(RunContext& ctx, const std::string& device, Network& net,
                                 const SdnControllerSpec& spec, std::shared_ptr<const SdnNetcfg> cfg)
    : PlaneActor(ctx, device, Plane::kControl), net_(net), spec_(spec), cfg_(std::move(cfg)),
      listener_(new Listener) {
  for (size_t i = 0; i < cfg_->members.size(); ++i) {
    if (cfg_->members[i].first == device) member_ = i + 1;
    peers_[i + 1] = cfg_->members[i].second;
  }
  const SdnControlMetrics& m = SdnControlMetrics::Get();
  has_leader_ = AddGauge(m.has_leader);
  is_leader_ = AddGauge(m.is_leader);
  mastership_changes_ = AddCounter(m.mastership_changes);
  mastered_ = AddGauge(m.switches_mastered);
  connected_ = AddGauge(m.switches_connected);
  orphans_ = AddGauge(m.switches_without_master);
  links_ = AddGauge(m.links_discovered);
  packet_ins_ = AddCounter(m.packet_ins);
  flow_mods_ = AddCounter(m.flow_mods_sent);
  flow_mod_errors_ = AddCounter(m.flow_mod_errors);
  flow_mod_latency_ = AddHistogram(m.flow_mod_latency);
  setup_latency_ = AddHistogram(m.flow_setup_latency);
  intents_asked_ = AddCounter(m.intents_asked);
  intents_refused_ = AddCounter(m.intents_refused);
  intents_installed_ = AddCounter(m.intents_installed);
  intents_pending_ = AddGauge(m.intents_pending);
  intent_latency_ = AddHistogram(m.intent_install_latency);
  intents_known_ = AddGauge(m.intents_known);
  NewRaft(false);
  for (const auto& [addr, at] : cfg_->host_at) graph_.AddHost(addr, at);
  // The operators' northbound calls happen on their clock, whether or not this member is up to answer.
  for (const IntentSpec& in : spec_.intents) {
    std::string via = in.via.empty() ? cfg_->members.front().first : in.via;
    if (via != device) continue;
    Clock::After(in.at, [this, in]() { AskIntent(in); });
  }
}

SdnControlPlane::~SdnControlPlane() = default;

// ---------------------------------------------------------------------------------------------------------------
// Cluster

void SdnControlPlane::NewRaft(bool from_log) {
  raft::Config c;
  c.id = member_;
  for (const auto& [id, addr] : peers_) c.peers.push_back(id);
  c.election_tick = static_cast<int>(spec_.election_ticks);
  c.heartbeat_tick = 1;
  c.seed = ctx().seed ^ Fnv1a64(device() + "/raft");
  raft_.reset(from_log ? new raft::RaftNode(c, log_) : new raft::RaftNode(c));
}

void SdnControlPlane::Start() {
  SetLifecycle(Lifecycle::kUp, "start");
  SimTime now = Clock::Now();
  for (const auto& [id, addr] : peers_) heard_[id] = now;  // every member counts as alive at boot
  peer_sock_.reset(new MessageSocket(net_, device(), kClusterPort));
  peer_sock_->OnReceive([this](uint32_t, uint16_t, std::shared_ptr<const void> msg) { OnPeer(std::move(msg)); });
  Listen();
  std::uniform_int_distribution<SimTime> jitter(0, spec_.raft_heartbeat - 1);
  After(jitter(rng()), [this]() { RaftTick(); });
  After(1 * kSec, [this]() { OpenFlowTick(); });
  After(spec_.lldp_interval / 2, [this]() { ProbeLinks(); });
  // The scenario starts on a running cluster: member 1 takes the lead at once, as it held it before the run.
  if (now == 0 && member_ == 1) {
    After(200 * kMs, [this]() {
      raft_->Campaign();
      Pump();
    });
  }
}

void SdnControlPlane::RaftTick() {
  raft_->Tick();
  Pump();
  static constexpr int kAliveEvery = 5;
  SimTime now = Clock::Now();
  // Every 5 ticks (500 ms by default), a liveness beat to every member: the leader's failure detector.
  if ((now / spec_.raft_heartbeat) % kAliveEvery == 0) {
    for (const auto& [id, addr] : peers_) {
      if (id == member_) continue;
      auto m = std::make_shared<PeerMsg>();
      m->kind = PeerMsg::Kind::kAlive;
      m->sender = member_;
      uint32_t bytes = 64;
      if (spec_.northbound.enabled) {
        for (const auto& [d, c] : by_dpid_) {
          if (!c->dead && !cut_switches_) m->connected.insert(d);
        }
        bytes += static_cast<uint32_t>(8 * m->connected.size());
      }
      SendPeer(id, m, bytes);
    }
    LeaderDuties();
  }
  After(spec_.raft_heartbeat, [this]() { RaftTick(); });
}

void SdnControlPlane::Pump() {
  while (running() && raft_->HasReady()) {
    raft::Ready rd = raft_->GetReady();
    // The log is kept as etcd's WAL would hold it (the store's member does the same, with its disk model).
    log_.Persist(rd);
    for (const auto& m : rd.messages) {
      auto pm = std::make_shared<PeerMsg>();
      pm->kind = PeerMsg::Kind::kRaft;
      pm->sender = member_;
      pm->raft = m;
      SendPeer(m.to, pm, m.WireBytes());
    }
    for (const auto& e : rd.committed) {
      if (e.payload) Applied(*std::static_pointer_cast<const sdn::ClusterCommand>(e.payload));
    }
    raft_->Advance();
    if (rd.soft_state_changed) {
      has_leader_->Set(rd.leader != 0 ? 1 : 0);
      is_leader_->Set(rd.role == raft::Role::kLeader ? 1 : 0);
      if (rd.leader != last_leader_) {
        Emit("sdn.leader", nlohmann::json({{"leader", rd.leader == 0 ? "" : cfg_->members[rd.leader - 1].first},
                                           {"term", raft_->term()}}).dump());
        last_leader_ = rd.leader;
      }
    }
  }
}

void SdnControlPlane::SendPeer(uint64_t to, std::shared_ptr<PeerMsg> m, uint32_t bytes) {
  if (cut_members_ || !peer_sock_) return;
  auto it = peers_.find(to);
  if (it == peers_.end()) return;
  peer_sock_->Send(it->second, kClusterPort, std::max<uint32_t>(bytes, 16), std::move(m));
}

void SdnControlPlane::OnPeer(std::shared_ptr<const void> msg) {
  if (!running() || cut_members_) return;
  auto m = std::static_pointer_cast<const PeerMsg>(msg);
  heard_[m->sender] = Clock::Now();
  switch (m->kind) {
    case PeerMsg::Kind::kRaft:
      raft_->Step(m->raft);
      Pump();
      break;
    case PeerMsg::Kind::kLink:
      for (const auto& [from, to] : m->links) LinkSeen(from, to, false);
      break;
    case PeerMsg::Kind::kProgram:
      if (Master(m->dpid)) SendMods(m->dpid, m->mods, m->intents, m->setup_start);
      break;
    case PeerMsg::Kind::kAlive:
      if (spec_.northbound.enabled) peer_connected_[m->sender] = m->connected;
      break;
  }
}

bool SdnControlPlane::Propose(const sdn::ClusterCommand& c) {
  bool ok = raft_->Propose(256, std::make_shared<sdn::ClusterCommand>(c));
  Pump();
  return ok;
}

void SdnControlPlane::LeaderDuties() {
  if (raft_->role() != raft::Role::kLeader) return;
  SimTime now = Clock::Now();
  std::set<uint64_t> live = {member_};
  for (const auto& [id, t] : heard_) {
    if (id != member_ && now - t < spec_.failure_timeout) live.insert(id);
  }
  // Mastership of a lost member's switches moves to live members (ONOS's mastership service on its Raft store).
  auto& proposed = proposed_terms_;
  for (const auto& c : sdn::Rebalance(cluster_, cfg_->switches, live)) {
    auto it = proposed.find(c.dpid);
    if (it != proposed.end() && it->second >= c.term) continue;  // in flight already
    proposed[c.dpid] = c.term;
    Propose(c);
  }
}

void SdnControlPlane::Applied(const sdn::ClusterCommand& c) {
  if (c.kind == sdn::ClusterCommand::Kind::kIntent) {
    cluster_.Apply(c);
    intents_known_->Set(static_cast<double>(cluster_.intents().size()));
    auto flows = IntentFlows(c.intent);
    auto& tracker = ctx().shared["sdn.intent-tracker"];
    if (!tracker) tracker = std::make_shared<IntentTracker>();
    std::set<uint64_t> required;
    for (const auto& [dpid, mods] : flows) required.insert(dpid);
    std::static_pointer_cast<IntentTracker>(tracker)->Require(c.intent.id, required, Clock::Now());
    for (auto& [dpid, mods] : flows) {
      if (Master(dpid)) Program(dpid, mods, {c.intent.id}, -1);
    }
    return;
  }
  uint64_t before = cluster_.MasterOf(c.dpid).first;
  cluster_.Apply(c);
  auto [after, term] = cluster_.MasterOf(c.dpid);
  if (after == before) return;
  mastership_changes_->Add();
  Emit("sdn.mastership", nlohmann::json({{"switch", cfg_->switch_name.at(c.dpid)},
                                         {"master", cfg_->members[after - 1].first}, {"term", term}}).dump());
  ClaimRole(c.dpid);
  if (after == member_) Sync(c.dpid);
}

// ---------------------------------------------------------------------------------------------------------------
// OpenFlow channels

void SdnControlPlane::Listen() {
  listener_->sock = CreateIndexedTcpSocket(NodeOf(net_, device()));
  listener_->sock->Bind(ns3::InetSocketAddress(ns3::Ipv4Address::GetAny(), of13::kTcpPort));
  listener_->sock->Listen();
  listener_->sock->SetAcceptCallback(
      ns3::MakeNullCallback<bool, Ptr<ns3::Socket>, const ns3::Address&>(),
      ns3::MakeBoundCallback(+[](SdnControlPlane* self, Ptr<ns3::Socket> s, const ns3::Address&) {
        if (!self->running() || self->cut_switches_) {
          s->Close();
          return;
        }
        self->conns_.emplace_back(new SwConn);
        SwConn* c = self->conns_.back().get();
        c->conn.reset(new OfConn(s, [self, c](const of13::Message& m) { self->OnSwitchMessage(c, m); },
                                 [self, c]() { self->SwitchGone(c); }));
        of13::Message hello;
        hello.type = of13::Type::kHello;
        hello.xid = self->next_xid_++;
        c->conn->Send(hello);
        of13::Message fr;
        fr.type = of13::Type::kFeaturesRequest;
        fr.xid = self->next_xid_++;
        c->conn->Send(fr);
      }, this));
}

SdnControlPlane::SwConn* SdnControlPlane::ConnOf(uint64_t dpid) const {
  auto it = by_dpid_.find(dpid);
  return it == by_dpid_.end() ? nullptr : it->second;
}

void SdnControlPlane::SwitchGone(SwConn* c) {
  if (c->dead) return;
  c->dead = true;
  if (c->conn) c->conn->Close();
  auto it = by_dpid_.find(c->dpid);
  if (it != by_dpid_.end() && it->second == c) {
    by_dpid_.erase(it);
    programmed_.erase(c->dpid);
    Emit("sdn.switch-disconnected", nlohmann::json({{"switch", cfg_->switch_name.count(c->dpid) ? cfg_->switch_name.at(c->dpid) : ""}}).dump());
  }
}

void SdnControlPlane::OnSwitchMessage(SwConn* c, const of13::Message& m) {
  if (!running() || cut_switches_ || c->dead) return;
  switch (m.type) {
    case of13::Type::kFeaturesReply: {
      if (!cfg_->switch_name.count(m.datapath_id)) break;
      c->dpid = m.datapath_id;
      if (SwConn* old = ConnOf(c->dpid); old && old != c) SwitchGone(old);
      by_dpid_[c->dpid] = c;
      Emit("sdn.switch-connected", nlohmann::json({{"switch", cfg_->switch_name.at(c->dpid)}}).dump());
      ClaimRole(c->dpid);
      if (Master(c->dpid)) Sync(c->dpid);
      break;
    }
    case of13::Type::kPacketIn:
      OnPacketIn(c, m);
      break;
    case of13::Type::kFlowRemoved: {
      if (m.match.fields & of13::Match::kIpv4Dst) {
        auto p = programmed_.find(c->dpid);
        if (p != programmed_.end()) p->second.erase(m.match.ipv4_dst);
      }
      break;
    }
    case of13::Type::kBarrierReply: {
      auto it = pending_.find(m.xid);
      if (it == pending_.end()) break;
      SimTime now = Clock::Now();
      const Pending& p = *it->second;
      flow_mod_latency_->Observe(ToSeconds(now - p.sent));
      if (p.setup_start >= 0) setup_latency_->Observe(ToSeconds(now - p.setup_start));
      if (!p.intents.empty()) {
        auto& tracker = ctx().shared["sdn.intent-tracker"];
        if (tracker) {
          for (const auto& id : p.intents) std::static_pointer_cast<IntentTracker>(tracker)->Done(id, p.dpid, now);
        }
      }
      pending_.erase(it);
      break;
    }
    case of13::Type::kError:
      flow_mod_errors_->Add();
      Emit("sdn.switch-error", nlohmann::json({{"switch", cfg_->switch_name.count(c->dpid) ? cfg_->switch_name.at(c->dpid) : ""},
                                               {"type", m.err_type}, {"code", m.err_code}}).dump());
      break;
    default: break;
  }
}

void SdnControlPlane::ClaimRole(uint64_t dpid) {
  SwConn* c = ConnOf(dpid);
  auto [master, term] = cluster_.MasterOf(dpid);
  if (!c || master == 0 || cut_switches_) return;
  of13::Message r;
  r.type = of13::Type::kRoleRequest;
  r.xid = next_xid_++;
  r.role = master == member_ ? of13::Role::kMaster : of13::Role::kSlave;
  r.generation_id = term;  // the mastership term is the generation id (OF 1.3.5 §6.3.6)
  c->conn->Send(r);
}

void SdnControlPlane::Sync(uint64_t dpid) {
  if (!Master(dpid) || !ConnOf(dpid)) return;
  programmed_[dpid].clear();
  std::vector<of13::Message> mods;
  if (spec_.forwarding == "reactive") {
    // The table-miss entry (OF 1.3.5 §5.4): priority 0, every packet, to the controller.
    of13::Message miss;
    miss.type = of13::Type::kFlowMod;
    miss.command = of13::FlowModCommand::kAdd;
    miss.priority = 0;
    miss.actions = {of13::Output(of13::kPortController)};
    mods.push_back(miss);
  } else {
    std::map<uint32_t, std::string> keys;
    auto pro = ProactiveFor(dpid, &keys);
    mods.insert(mods.end(), pro.begin(), pro.end());
    programmed_[dpid] = keys;
  }
  std::vector<std::string> ids;
  for (const auto& [id, in] : cluster_.intents()) {
    auto flows = IntentFlows(in);
    auto it = flows.find(dpid);
    if (it == flows.end()) continue;
    mods.insert(mods.end(), it->second.begin(), it->second.end());
    ids.push_back(id);
  }
  SendMods(dpid, std::move(mods), std::move(ids), -1);
}

void SdnControlPlane::Program(uint64_t dpid, std::vector<of13::Message> mods, std::vector<std::string> intents,
                              SimTime setup_start) {
  auto [master, term] = cluster_.MasterOf(dpid);
  if (master == 0) return;
  if (master == member_) {
    SendMods(dpid, std::move(mods), std::move(intents), setup_start);
    return;
  }
  // Only the master may write a switch's table: the request goes to it (ONOS's flow rule service does the same).
  auto m = std::make_shared<PeerMsg>();
  m->kind = PeerMsg::Kind::kProgram;
  m->sender = member_;
  m->dpid = dpid;
  m->mods = std::move(mods);
  m->intents = std::move(intents);
  m->setup_start = setup_start;
  SendPeer(master, m, static_cast<uint32_t>(64 + 96 * m->mods.size()));
}

void SdnControlPlane::SendMods(uint64_t dpid, std::vector<of13::Message> mods, std::vector<std::string> intents,
                               SimTime setup_start) {
  SwConn* c = ConnOf(dpid);
  if (!c || cut_switches_ || mods.empty()) return;
  // A member without a leader is read-only: it changes nothing on the switches (a minority must not act on a
  // view the majority may have moved past).
  if (raft_->leader() == 0) return;
  for (auto& m : mods) {
    m.xid = next_xid_++;
    if (m.type == of13::Type::kFlowMod) flow_mods_->Add();
    c->conn->Send(m);
  }
  // A barrier after the batch: its reply says every flow-mod before it is in the table (OF 1.3.5 §6.2).
  of13::Message b;
  b.type = of13::Type::kBarrierRequest;
  b.xid = next_xid_++;
  c->conn->Send(b);
  auto p = std::make_unique<Pending>();
  p->dpid = dpid;
  p->sent = Clock::Now();
  p->setup_start = setup_start;
  p->intents = std::move(intents);
  pending_[b.xid] = std::move(p);
}

void SdnControlPlane::OpenFlowTick() {
  SimTime now = Clock::Now();
  if (!cut_switches_) {
    for (auto& c : conns_) {
      if (!c->dead && !c->conn->Keepalive(now, spec_.inactivity_probe)) SwitchGone(c.get());
    }
  }
  conns_.erase(std::remove_if(conns_.begin(), conns_.end(), [](const std::unique_ptr<SwConn>& c) { return c->dead; }),
               conns_.end());
  // Barriers unanswered for a minute belong to channels that went: forget them.
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now - it->second->sent > 60 * kSec) it = pending_.erase(it);
    else ++it;
  }
  After(1 * kSec, [this]() { OpenFlowTick(); });
}

// ---------------------------------------------------------------------------------------------------------------
// Discovery, paths, flows

void SdnControlPlane::ProbeLinks() {
  SimTime now = Clock::Now();
  if (!cut_switches_) {
    for (const auto& [dpid, c] : by_dpid_) {
      if (!Master(dpid)) continue;
      auto ports = cfg_->ports.find(dpid);
      if (ports == cfg_->ports.end()) continue;
      for (uint32_t port : ports->second) {
        of13::Message po;
        po.type = of13::Type::kPacketOut;
        po.xid = next_xid_++;
        po.in_port = of13::kPortController;
        po.actions = {of13::Output(port)};
        po.data = of13::LldpFrame(dpid, port);
        c->conn->Send(po);
      }
    }
  }
  // Links not seen again within the stale age are gone (ONOS: staleLinkAge).
  bool changed = false;
  for (auto it = link_seen_.begin(); it != link_seen_.end();) {
    if (now - it->second > spec_.link_stale) {
      graph_.RemovePort(it->first.first);
      it = link_seen_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  if (changed) TopologyChanged();
  After(spec_.lldp_interval, [this]() { ProbeLinks(); });
}

void SdnControlPlane::LinkSeen(sdn::PortRef from, sdn::PortRef to, bool gossip) {
  auto key = std::make_pair(from, to);
  bool fresh = !link_seen_.count(key);
  link_seen_[key] = Clock::Now();
  if (fresh) {
    graph_.AddLink(from, to);
    TopologyChanged();
  }
  if (!gossip) return;
  // Every member learns the link: only the master of the receiving switch gets the probe's packet-in. What a
  // probe round finds goes out in one message per member every 50 ms (a burst of single datagrams would
  // overflow the control network's queues on a large fabric).
  gossip_out_.push_back({from, to});
  if (gossip_armed_) return;
  gossip_armed_ = true;
  After(50 * kMs, [this]() {
    gossip_armed_ = false;
    auto m = std::make_shared<PeerMsg>();
    m->kind = PeerMsg::Kind::kLink;
    m->sender = member_;
    m->links.swap(gossip_out_);
    for (const auto& [id, addr] : peers_) {
      if (id != member_) SendPeer(id, m, static_cast<uint32_t>(32 + 24 * m->links.size()));
    }
  });
}

void SdnControlPlane::TopologyChanged() {
  links_->Set(static_cast<double>(graph_.links()));
  if (recompute_armed_) return;
  recompute_armed_ = true;
  // Changes come in bursts (a probe round): compute once they settled a little.
  After(100 * kMs, [this]() {
    recompute_armed_ = false;
    RecomputeProactive();
  });
}

std::vector<of13::Message> SdnControlPlane::ProactiveFor(uint64_t dpid, std::map<uint32_t, std::string>* keys) const {
  std::vector<of13::Message> mods;
  for (const auto& [addr, at] : cfg_->host_at) {
    auto hops = graph_.NextHopsTo(addr);
    auto it = hops.find(dpid);
    if (it == hops.end()) continue;
    std::map<uint64_t, std::vector<uint32_t>> one = {{dpid, it->second}};
    auto plans = sdn::PlanDestination(one, addr, static_cast<uint16_t>(spec_.proactive_priority), kCookieProactive | addr,
                                      static_cast<uint16_t>(spec_.proactive_idle_timeout),
                                      static_cast<uint16_t>(spec_.proactive_hard_timeout));
    for (auto& p : plans) {
      (*keys)[addr] = ActionsKey(p.flow_mod, p.group_mod);
      if (p.group_mod) mods.push_back(*p.group_mod);
      mods.push_back(p.flow_mod);
    }
  }
  return mods;
}

void SdnControlPlane::RecomputeProactive() {
  if (!running()) return;
  if (spec_.forwarding == "proactive") {
    for (const auto& [dpid, c] : by_dpid_) {
      if (!Master(dpid)) continue;
      std::map<uint32_t, std::string> keys;
      auto mods = ProactiveFor(dpid, &keys);
      auto& had = programmed_[dpid];
      std::vector<of13::Message> diff;
      // Only what changed goes to the switch; a group precedes the flow that uses it.
      for (size_t i = 0; i < mods.size(); ++i) {
        const of13::Message& m = mods[i];
        if (m.type != of13::Type::kFlowMod) continue;
        uint32_t dst = m.match.ipv4_dst;
        auto h = had.find(dst);
        if (h != had.end() && h->second == keys[dst]) continue;
        if (i > 0 && mods[i - 1].type == of13::Type::kGroupMod) diff.push_back(mods[i - 1]);
        diff.push_back(m);
      }
      for (const auto& [dst, k] : had) {
        if (keys.count(dst)) continue;
        of13::Message del;
        del.type = of13::Type::kFlowMod;
        del.command = of13::FlowModCommand::kDeleteStrict;
        del.priority = static_cast<uint16_t>(spec_.proactive_priority);
        del.match.fields = of13::Match::kEthType | of13::Match::kIpv4Dst;
        del.match.eth_type = of13::kEthTypeIpv4;
        del.match.ipv4_dst = dst;
        diff.push_back(del);
      }
      had = keys;
      SendMods(dpid, std::move(diff), {}, -1);
    }
  }
  // Intents follow the topology too (ONOS recompiles them): the master re-sends what its switches need.
  for (const auto& [id, in] : cluster_.intents()) {
    auto flows = IntentFlows(in);
    auto& tracker = ctx().shared["sdn.intent-tracker"];
    if (!tracker) tracker = std::make_shared<IntentTracker>();
    std::set<uint64_t> required;
    for (const auto& [dpid, mods] : flows) required.insert(dpid);
    std::static_pointer_cast<IntentTracker>(tracker)->Require(id, required, Clock::Now());
    for (auto& [dpid, mods] : flows) {
      if (!Master(dpid) || !ConnOf(dpid)) continue;
      std::string key = "intent:" + id;
      std::string k;
      for (const auto& m : mods) k += ActionsKey(m, std::nullopt) + ";";
      auto& had = programmed_[dpid];
      uint32_t slot = static_cast<uint32_t>(Fnv1a64(key)) | 1u;  // intents' keys live beside host addresses
      if (had.count(slot) && had[slot] == k) continue;
      had[slot] = k;
      SendMods(dpid, mods, {id}, -1);
    }
  }
}

std::map<uint64_t, std::vector<of13::Message>> SdnControlPlane::IntentFlows(const sdn::Intent& in) const {
  std::map<uint64_t, std::vector<of13::Message>> out;
  uint64_t cookie = kCookieIntent | (Fnv1a64(in.id) & 0x0fffffffffffffffULL);
  auto add_path = [&](uint32_t src, uint32_t dst, const sdn::FabricGraph& g) {
    auto at = g.HostAt(src);
    if (!at) return;
    auto path = g.PathTo(at->dpid, dst);
    for (auto& [dpid, ports] : path) {
      if (ports.size() > 1) ports.resize(1);  // an intent pins one path, as ONOS's path intents do
    }
    for (auto& p : sdn::PlanDestination(path, dst, static_cast<uint16_t>(spec_.intent_priority), cookie,
                                        static_cast<uint16_t>(spec_.intent_idle_timeout),
                                        static_cast<uint16_t>(spec_.intent_hard_timeout))) {
      p.flow_mod.match.fields |= of13::Match::kIpv4Src;
      p.flow_mod.match.ipv4_src = src;
      out[p.dpid].push_back(p.flow_mod);
    }
  };
  if (in.kind == "acl-deny") {
    for (auto [src, dst] : {std::make_pair(in.a, in.b), std::make_pair(in.b, in.a)}) {
      auto at = graph_.HostAt(src);
      if (!at) continue;
      of13::Message fm;
      fm.type = of13::Type::kFlowMod;
      fm.priority = static_cast<uint16_t>(spec_.acl_priority);
      fm.cookie = cookie;
      fm.match.fields = of13::Match::kEthType | of13::Match::kIpv4Src | of13::Match::kIpv4Dst;
      fm.match.eth_type = of13::kEthTypeIpv4;
      fm.match.ipv4_src = src;
      fm.match.ipv4_dst = dst;
      out[at->dpid].push_back(fm);  // no action: drop (OF 1.3.5 §5.10)
    }
    return out;
  }
  if (in.kind == "avoid") {
    sdn::FabricGraph g;
    for (const auto& [from, to] : graph_.link_map()) {
      if (from.dpid != in.avoid_dpid && to.dpid != in.avoid_dpid) g.AddLink(from, to);
    }
    for (const auto& [addr, at] : cfg_->host_at) g.AddHost(addr, at);
    add_path(in.a, in.b, g);
    add_path(in.b, in.a, g);
    return out;
  }
  add_path(in.a, in.b, graph_);
  add_path(in.b, in.a, graph_);
  return out;
}

void SdnControlPlane::OnPacketIn(SwConn* c, const of13::Message& m) {
  packet_ins_->Add();
  uint64_t src_dpid = 0;
  uint32_t src_port = 0;
  if (of13::ParseLldp(m.data.data(), m.data.size(), &src_dpid, &src_port)) {
    LinkSeen({src_dpid, src_port}, {c->dpid, m.in_port}, true);
    return;
  }
  if (spec_.forwarding != "reactive") return;
  of13::PacketFields p;
  if (!of13::FieldsOfFrame(m.data.data(), m.data.size(), &p) || p.eth_type != of13::kEthTypeIpv4) return;
  auto path = graph_.PathTo(c->dpid, p.ipv4_dst);
  if (path.empty()) return;  // unknown host or no path: the packet is dropped
  // ONOS fwd installs a flow per (src, dst) on each switch of one shortest path; among equal-cost next hops the
  // pair's hash picks one, so flows spread as ECMP would.
  uint32_t h = static_cast<uint32_t>(Fnv1a64(std::to_string(p.ipv4_src) + ">" + std::to_string(p.ipv4_dst)));
  SimTime now = Clock::Now();
  for (auto& [dpid, ports] : path) {
    of13::Message fm;
    fm.type = of13::Type::kFlowMod;
    fm.priority = static_cast<uint16_t>(spec_.reactive_priority);
    fm.cookie = kCookieReactive;
    fm.idle_timeout = static_cast<uint16_t>(spec_.reactive_idle_timeout);
    fm.hard_timeout = static_cast<uint16_t>(spec_.reactive_hard_timeout);
    fm.flags = of13::kFlagSendFlowRem;
    fm.match.fields = of13::Match::kEthType | of13::Match::kIpv4Src | of13::Match::kIpv4Dst;
    fm.match.eth_type = of13::kEthTypeIpv4;
    fm.match.ipv4_src = p.ipv4_src;
    fm.match.ipv4_dst = p.ipv4_dst;
    fm.actions = {of13::Output(ports[h % ports.size()])};
    Program(dpid, {fm}, {}, now);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Northbound

bool SdnControlPlane::AskIntent(const IntentSpec& spec, std::string* why_out) {
  SimTime now = Clock::Now();
  intents_asked_->Add();
  auto refuse = [this, &spec, why_out](const std::string& why) {
    intents_refused_->Add();
    if (why_out) *why_out = why;
    if (spec_.northbound.enabled) {
      // Shown as FAILED on the dashboard until an operator's retry gets it accepted.
      auto& shared = ctx().shared["sdn.intent-tracker"];
      if (!shared) shared = std::make_shared<IntentTracker>();
      std::static_pointer_cast<IntentTracker>(shared)->recs[spec.id].refused = true;
    }
    Emit("intent.refused", nlohmann::json({{"intent", spec.id}, {"reason", why}}).dump());
    return false;
  };
  if (!running()) return refuse("the controller asked does not answer");
  // A member without a leader cannot commit: it serves reads, refuses writes (read-only, as a minority).
  if (raft_->leader() == 0) return refuse("no leader: the cluster has no quorum");
  sdn::ClusterCommand c;
  c.kind = sdn::ClusterCommand::Kind::kIntent;
  c.intent.id = spec.id;
  c.intent.kind = spec.kind;
  c.intent.a = cfg_->host_addr.at(spec.a);
  c.intent.b = cfg_->host_addr.at(spec.b);
  if (!spec.avoid.empty()) c.intent.avoid_dpid = cfg_->dpid_of.at(spec.avoid);
  auto& shared = ctx().shared["sdn.intent-tracker"];
  if (!shared) shared = std::make_shared<IntentTracker>();
  auto tracker = std::static_pointer_cast<IntentTracker>(shared);
  IntentTracker::Rec& rec = tracker->recs[spec.id];
  rec.asked = now;
  rec.refused = false;  // an operator's retry of a call refused before
  std::string id = spec.id;
  rec.on_complete = [this, id, now](SimTime at) {
    intents_installed_->Add();
    intent_latency_->Observe(ToSeconds(at - now));
    if (pending_here_ > 0) --pending_here_;
    intents_pending_->Set(static_cast<double>(pending_here_));
    Emit("intent.installed", nlohmann::json({{"intent", id}, {"latency_s", ToSeconds(at - now)}}).dump());
  };
  if (!Propose(c)) {
    rec.refused = true;
    return refuse("proposal dropped: no leader");
  }
  ++pending_here_;
  intents_pending_->Set(static_cast<double>(pending_here_));
  Emit("intent.asked", nlohmann::json({{"intent", spec.id}, {"kind", spec.kind}}).dump());
  Clock::After(spec_.intent_timeout, [this, tracker, id]() {
    IntentTracker::Rec& r = tracker->recs[id];
    if (r.complete || cluster_.intents().count(id)) return;  // committed: it is being installed
    r.refused = true;
    if (pending_here_ > 0) --pending_here_;
    intents_pending_->Set(static_cast<double>(pending_here_));
    intents_refused_->Add();
    Emit("intent.refused", nlohmann::json({{"intent", id}, {"reason", "not committed in time"}}).dump());
  });
  return true;
}

void SdnControlPlane::OnNorthbound(const NorthboundRequest& req, Port<NorthboundReply>& reply) {
  if (!running()) return;
  NorthboundReply r;
  r.id = req.id;
  if (req.kind == NorthboundRequest::Kind::kSubmitIntent) {
    // POST /onos/v1/intents: 201 Created once the intent is submitted (ONOS installs it asynchronously); a
    // member that cannot commit answers 503.
    std::string why;
    if (AskIntent(req.intent, &why)) {
      r.code = 201;
    } else {
      r.code = 503;
      r.reason = why;
    }
  } else {
    r.summary = Summarize();  // reads need no quorum
  }
  reply.Send(std::move(r));
}

sdn::Summary SdnControlPlane::Summarize() {
  sdn::Summary s;
  SimTime now = Clock::Now();
  std::set<uint64_t> live = {member_};
  for (const auto& [id, t] : heard_) {
    if (id != member_ && now - t < spec_.failure_timeout) live.insert(id);
  }
  for (size_t i = 0; i < cfg_->members.size(); ++i) s.nodes[cfg_->members[i].first] = live.count(i + 1) > 0;
  s.has_leader = raft_->leader() != 0;
  for (uint64_t d : cfg_->switches) {
    bool available = false;
    auto c = by_dpid_.find(d);
    if (c != by_dpid_.end() && !c->second->dead && !cut_switches_) available = true;
    for (const auto& [m, set] : peer_connected_) {
      if (live.count(m) && set.count(d)) available = true;
    }
    s.devices[cfg_->switch_name.at(d)] = available;
  }
  s.links = static_cast<uint32_t>(graph_.links());
  std::shared_ptr<IntentTracker> shared;
  auto t = ctx().shared.find("sdn.intent-tracker");
  if (t != ctx().shared.end() && t->second) shared = std::static_pointer_cast<IntentTracker>(t->second);
  for (const auto& [id, in] : cluster_.intents()) {
    bool done = false;
    if (shared) {
      auto it = shared->recs.find(id);
      done = it != shared->recs.end() && it->second.complete;
    }
    (done ? s.intents_installed : s.intents_installing) += 1;
  }
  if (shared) {
    for (const auto& [id, rec] : shared->recs) s.intents_failed += rec.refused && !cluster_.intents().count(id) ? 1 : 0;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// Faults, lifecycle, health

void SdnControlPlane::SetPartition(bool from_switches, bool from_members) {
  cut_switches_ = from_switches;
  cut_members_ = from_members;
  for (auto& c : conns_) {
    if (c->conn) c->conn->SetMuted(from_switches);
  }
  Emit("sdn.partition", nlohmann::json({{"switches", from_switches}, {"members", from_members}}).dump());
  if (!from_members) {
    SimTime now = Clock::Now();
    for (auto& [id, t] : heard_) t = std::max(t, now - spec_.failure_timeout / 2);
  }
}

void SdnControlPlane::HandleCrash() {
  for (auto& c : conns_) {
    c->dead = true;
    if (c->conn) c->conn->Close();
  }
  // Freed later: a crash may come from inside one of their callbacks.
  auto doomed = std::make_shared<std::vector<std::unique_ptr<SwConn>>>(std::move(conns_));
  Clock::After(0, [doomed]() {});
  conns_.clear();
  by_dpid_.clear();
  programmed_.clear();
  pending_.clear();
  if (listener_->sock) {
    listener_->sock->SetAcceptCallback(ns3::MakeNullCallback<bool, Ptr<ns3::Socket>, const ns3::Address&>(),
                                       ns3::MakeNullCallback<void, Ptr<ns3::Socket>, const ns3::Address&>());
    listener_->sock->Close();
    listener_->sock = nullptr;
  }
  peer_sock_.reset();
  graph_ = sdn::FabricGraph();
  link_seen_.clear();
  gossip_out_.clear();
  gossip_armed_ = false;
  has_leader_->Set(0);
  is_leader_->Set(0);
}

void SdnControlPlane::HandleRestart() {
  NewRaft(true);
  cluster_ = sdn::ClusterState();
  last_leader_ = 0;
  for (const auto& [addr, at] : cfg_->host_at) graph_.AddHost(addr, at);
  Start();
}

Health SdnControlPlane::MeasureHealth() {
  uint32_t mastered = 0, orphans = 0;
  SimTime now = Clock::Now();
  for (uint64_t d : cfg_->switches) {
    uint64_t m = cluster_.MasterOf(d).first;
    if (m == member_) ++mastered;
    bool live = m == member_ || (m != 0 && heard_.count(m) && now - heard_[m] < spec_.failure_timeout);
    if (!live) ++orphans;
  }
  mastered_->Set(mastered);
  orphans_->Set(orphans);
  uint32_t connected = 0, unreachable = 0;
  for (const auto& [d, c] : by_dpid_) connected += c->dead ? 0 : 1;
  for (uint64_t d : cfg_->switches) {
    if (cluster_.MasterOf(d).first == member_ && (cut_switches_ || !ConnOf(d))) ++unreachable;
  }
  connected_->Set(connected);
  has_leader_->Set(raft_->leader() != 0 ? 1 : 0);
  is_leader_->Set(raft_->role() == raft::Role::kLeader ? 1 : 0);
  intents_known_->Set(static_cast<double>(cluster_.intents().size()));
  // Without a leader the member is read-only: it serves reads and refuses every change.
  // Measured from what it can do: switches it masters but cannot reach take no change; without a leader the
  // member is read-only and refuses every change.
  Health h = HealthFromFailures(unreachable, mastered);
  if (raft_->leader() == 0 && h == Health::kUp) h = Health::kDegraded;
  return WithLifecycle(h);
}

}  // namespace planelab
