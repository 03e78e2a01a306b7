#include "models/monitor/monitoring_station.h"

#include <ns3/inet-socket-address.h>
#include <ns3/tcp-socket-factory.h>
#include <ns3/udp-socket-factory.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "models/monitor/monitor_metrics.h"
#include "models/monitor/pipeline/telemetry_pipeline.h"
#include "models/monitor/telemetry_section.h"
#include "models/proto/mgmt_protocol.h"
#include "models/proto/telemetry_stream.h"
#include "sim/core/network_ns3.h"
#include "sim/fault/fault_injector.h"
#include "sim/fault/fault_kinds.h"
#include "sim/util/prometheus_text.h"

namespace planelab {

using namespace ns3;

namespace {

constexpr SimTime kFirstPoll = 2 * kSec;

/// The dashboard: one entry per managed device, fresh or stale.
class StationMgmtPlane : public PlaneActor, public ReportedHealthSource {
 public:
  StationMgmtPlane(RunContext& ctx, const std::string& id, Network& net, const Scenario& sc, FaultInjector& faults)
      : PlaneActor(ctx, id, Plane::kManagement), net_(net), spec_(sc.management),
        telemetry_(sc.families.Get<TelemetrySpec>()) {
    const MonitorMgmtMetrics& m = MonitorMgmtMetrics::Get();
    sent_ = AddCounter(m.polls_sent);
    failed_ = AddCounter(m.polls_failed);
    stale_ = AddGauge(m.stale_devices);
    lag_ = AddGauge(m.telemetry_lag);
    // Behind each management link: a router's or switch's agent (SNMP, gNMI), or a cluster component's /metrics.
    std::map<std::string, const DeviceSpec*> specs;
    for (const auto& d : sc.devices) specs[d.id] = &d;
    for (const auto& i : net.Interfaces(id)) {
      if (!i.oob) continue;
      targets_.push_back(i.peer);
      auto s = specs.find(i.peer);
      if (s != specs.end() && s->second->metrics_port != 0 && spec_.scrape_components) {
        Component& c = components_[i.peer];
        c.addr = i.peer_addr;
        c.port = s->second->metrics_port;
        c.job = s->second->metrics_job;
      } else {
        entries_[i.peer].agent_addr = i.peer_addr;
      }
    }
    std::sort(targets_.begin(), targets_.end());  // the pipeline's device order: by name, as the agents' table
    if (telemetry_.enabled) BuildPipeline(sc, faults);
  }

  void Start() override {
    SetLifecycle(Lifecycle::kUp, "start");
    if (pipeline_) {
      pipeline_->SetCollectorDown(collector_fault_);  // a restarted station collects again, unless the fault holds
      Tick();
    }
    sock_ = ns3::Socket::CreateSocket(NodeOf(net_, device()), UdpSocketFactory::GetTypeId());
    sock_->Bind();
    sock_->SetRecvCallback(MakeCallback(&StationMgmtPlane::OnReceive, this));
    // Stagger polls across the interval, as pollers spread their work; the first round starts once
    // devices have booted (2 s), so the dashboard does not open on half-started agents.
    size_t n = entries_.size(), k = 0;
    if (streaming_) {
      stream_sock_ = ns3::Socket::CreateSocket(NodeOf(net_, device()), UdpSocketFactory::GetTypeId());
      stream_sock_->Bind();
      stream_sock_->SetRecvCallback(MakeCallback(&StationMgmtPlane::OnStream, this));
    }
    // Components are scraped on the scrape clock, spread over its interval after the agents' first round.
    size_t m = components_.size(), j = 0;
    for (auto& [dev, c] : components_) {
      std::string d = dev;
      SimTime offset = static_cast<SimTime>(telemetry_.scrape_interval * static_cast<double>(j++) / m);
      After(offset + kFirstPoll, [this, d]() { ScrapeComponent(d); });
    }
    for (auto& [dev, e] : entries_) {
      std::string d = dev;
      SimTime offset = n ? static_cast<SimTime>(spec_.poll_interval * static_cast<double>(k++) / n) : 0;
      if (streaming_) {
        After(offset + kFirstPoll, [this, d]() {
          Subscribe(d);
          Watch(d);
        });
      } else {
        After(offset + kFirstPoll, [this, d]() { Poll(d); });
      }
    }
  }

  Health Reported(const std::string& device, Plane plane) const override {
    // With a pipeline, operators see what its dashboards and alerts say, not the poller's own table.
    if (pipeline_) return pipeline_->Reported(device, plane);
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
        return (e.cpu_pct >= 90 || e.adj_up < e.adj_cfg) ? Health::kDegraded : Health::kUp;
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
    for (const auto& [_, c] : components_) {
      if (c.stale) ++stale;
      if (c.answered) lag = std::max(lag, ToSeconds(now - c.last_ok));
    }
    stale_->Set(stale);
    lag_->Set(lag);
    if (pipeline_) {
      const telemetry::TelemetryPipeline& p = *pipeline_;
      firing_->Set(static_cast<double>(p.alerts_firing()));
      stale_panels_->Set(p.stale_panel_share());
      data_age_->Set(p.data_age_s());
      shown_lag_->Set(p.shown_lag_s());
      audit_backlog_->Set(static_cast<double>(p.audit_backlog()));
      audit_lag_->Set(p.audit_lag_s());
      int manageable = 0;
      for (const auto& dev : targets_) manageable += net_.LinkUp(net_.OobLinkOf(dev)) ? 1 : 0;
      manageable_->Set(manageable);
      // The truth of the station's management plane: a pipeline with a fault in it is degraded.
      if (pipeline_faults_ > 0) return WithLifecycle(Health::kDegraded);
    }
    return WithLifecycle(Health::kUp);
  }

 protected:
  /// The poller dies with its dashboard: nothing is known until the restarted poller hears from each device
  /// again (Reported() says unknown), and the instances it had learnt must be walked again.
  void HandleCrash() override {
    if (pipeline_) pipeline_->SetCollectorDown(true);  // the collector dies with the station; Tick is gone too
    if (sock_) {
      sock_->Close();
      sock_ = nullptr;
    }
    by_request_id_.clear();
    for (auto& [_, c] : components_) {
      CloseScrape(c);
      c.answered = c.stale = false;
      c.last_ok = 0;
    }
    if (stream_sock_) {
      stream_sock_->Close();
      stream_sock_ = nullptr;
    }
    for (auto& [_, e] : entries_) {
      uint32_t agent = e.agent_addr;
      e = Entry{};
      e.agent_addr = agent;
    }
  }

 private:
  /// What one poll has gathered so far (a GetBulk walk of ifOperStatus may take several requests).
  struct Walk {
    int32_t if_number = -1;
    std::map<uint32_t, int32_t> oper;  // ifIndex -> ifOperStatus
    uint32_t cpu_index = 0;
    int32_t cpu_pct = 0;
    uint32_t fib_routes = 0, rib_routes = 0, adj_up = 0, adj_cfg = 0;
    bool lost_row = false;  // a Get named an ifIndex the agent no longer has
  };

  struct Entry {
    uint32_t agent_addr = 0;
    bool answered = false, stale = false;
    SimTime last_ok = 0;
    uint64_t pending_poll = 0;   // the poll awaiting its answer, 0 when none
    int32_t outstanding = 0;     // request-id of that poll's request in flight
    Walk walk;
    // Learnt by the first poll's walk (as pollers discover ifIndex, then Get): ifIndex and the
    // route processor's hrDeviceIndex. Empty: walk again.
    std::vector<uint32_t> if_index;
    uint32_t cpu_index = 0;
    // The dashboard's values, from the last answered poll.
    uint32_t if_up = 0, if_total = 0, adj_up = 0, adj_cfg = 0, fib_routes = 0, rib_routes = 0;
    int32_t cpu_pct = 0;  // hrProcessorLoad, percent
    SimTime last_update = 0;  // streaming: when the last update arrived
  };

  // One GetBulk round returns at most this many ifOperStatus rows (net-snmp's snmpbulkwalk asks
  // for 10; a router's line cards rarely have more than 32 ports). Longer tables take more rounds.
  static constexpr int32_t kMaxRepetitions = 32;

  /// The first poll of a device: GetBulk (RFC 3416 §4.2.3) with the scalars as non-repeaters
  /// (named by their object, so GetNext semantics yield the instance: ifNumber -> ifNumber.0,
  /// hrProcessorLoad -> hrProcessorLoad.768) and the ifOperStatus column as the repeater.
  static snmp::Message Discovery() {
    snmp::Message m;
    m.type = snmp::PduType::kGetBulk;
    for (const auto* o : {&mib::kIfNumber, &mib::kHrProcessorLoad, &mib::kFibRoutes, &mib::kRibRoutes,
                          &mib::kAdjacenciesUp, &mib::kAdjacenciesConfigured}) {
      m.varbinds.push_back({*o, snmp::Value::Null()});
    }
    m.error_status = static_cast<int32_t>(m.varbinds.size());  // non-repeaters
    m.error_index = kMaxRepetitions;                           // max-repetitions
    m.varbinds.push_back({mib::kIfOperStatus, snmp::Value::Null()});
    return m;
  }

  /// The next round of a walk cut short: ifOperStatus rows after `last`.
  static snmp::Message WalkOn(const snmp::Oid& last) {
    snmp::Message m;
    m.type = snmp::PduType::kGetBulk;
    m.error_status = 0;
    m.error_index = kMaxRepetitions;
    m.varbinds.push_back({last, snmp::Value::Null()});
    return m;
  }

  /// Every later poll: one Get of the known instances.
  static snmp::Message StatusGet(const Entry& e) {
    snmp::Message m;
    m.type = snmp::PduType::kGet;
    auto add = [&m](const snmp::Oid& o) { m.varbinds.push_back({o, snmp::Value::Null()}); };
    add(snmp::OidWith(mib::kIfNumber, {0}));
    add(snmp::OidWith(mib::kHrProcessorLoad, {e.cpu_index}));
    add(snmp::OidWith(mib::kFibRoutes, {0}));
    add(snmp::OidWith(mib::kRibRoutes, {0}));
    add(snmp::OidWith(mib::kAdjacenciesUp, {0}));
    add(snmp::OidWith(mib::kAdjacenciesConfigured, {0}));
    for (uint32_t i : e.if_index) add(snmp::OidWith(mib::kIfOperStatus, {i}));
    return m;
  }

  void Send(const std::string& dev, Entry& e, snmp::Message m) {
    // The request-id matches answers to polls (RFC 3416 §4.1); Integer32, so it wraps to 1.
    next_request_id_ = next_request_id_ == INT32_MAX ? 1 : next_request_id_ + 1;
    m.community = kSnmpCommunity;
    m.request_id = next_request_id_;
    by_request_id_[m.request_id] = dev;
    e.outstanding = m.request_id;
    std::vector<uint8_t> bytes = snmp::Encode(m);
    sock_->SendTo(Create<Packet>(bytes.data(), bytes.size()), 0,
                  InetSocketAddress(Ipv4Address(e.agent_addr), kAgentPort));
  }

  void Poll(const std::string& dev) {
    if (pipeline_ && pipeline_->collector_down()) {
      // A stalled collector sends nothing, and nothing it would have learnt reaches the store.
      After(spec_.poll_interval, [this, dev]() { Poll(dev); });
      return;
    }
    Entry& e = entries_[dev];
    uint64_t poll = ++poll_seq_;
    e.pending_poll = poll;
    e.walk = Walk{};
    Send(dev, e, e.if_index.empty() ? Discovery() : StatusGet(e));
    sent_->Add();
    After(spec_.poll_timeout, [this, dev, poll]() {
      Entry& en = entries_[dev];
      if (en.pending_poll != poll) return;  // answered
      en.pending_poll = 0;
      by_request_id_.erase(en.outstanding);
      failed_->Add();
      if (pipeline_) pipeline_->CollectionFailed(Clock::Now(), dev);
      MarkStale(dev, &en.stale, en.last_ok);
    });
    After(spec_.poll_interval, [this, dev]() { Poll(dev); });
  }

  /// gNMI-style collection: asks the device's agent to stream (SubscribeRequest, STREAM mode).
  void Subscribe(const std::string& dev) {
    if (!stream_sock_ || pipeline_->collector_down()) return;
    std::string text = telemetry::EncodeSubscribe(subscription_);
    stream_sock_->SendTo(Create<Packet>(reinterpret_cast<const uint8_t*>(text.data()), text.size()), 0,
                         InetSocketAddress(Ipv4Address(entries_[dev].agent_addr), kGnmiPort));
    sent_->Add();
  }

  /// A stream is only known to be gone when its updates stop: after two expected intervals (and a few seconds)
  /// without one, the device's series are marked stale, up = 0, and the station subscribes again, as a gNMI client
  /// redials a dead connection.
  void Watch(const std::string& dev) {
    if (stream_watch_ <= 0) return;  // ON_CHANGE without a heartbeat: silence means "unchanged"
    After(stream_watch_, [this, dev]() {
      Entry& e = entries_[dev];
      SimTime now = Clock::Now();
      if (!pipeline_->collector_down() && now - e.last_update >= stream_watch_) {
        failed_->Add();
        pipeline_->CollectionFailed(now, dev);
        if (e.answered) MarkStale(dev, &e.stale, e.last_ok);
        Subscribe(dev);
      }
      Watch(dev);
    });
  }

  void OnStream(Ptr<ns3::Socket> s) {
    Address from;
    while (Ptr<Packet> p = s->RecvFrom(from)) {
      std::string text(p->GetSize(), '\0');
      p->CopyData(reinterpret_cast<uint8_t*>(text.data()), text.size());
      std::optional<telemetry::StreamUpdate> u = telemetry::DecodeUpdate(text);
      if (!u || pipeline_->collector_down()) continue;  // a stalled collector drops what arrives
      uint32_t addr = InetSocketAddress::ConvertFrom(from).GetIpv4().Get();
      for (auto& [dev, e] : entries_) {
        if (e.agent_addr != addr) continue;
        SimTime now = Clock::Now();
        MarkFresh(dev, &e.stale);
        e.answered = true;
        e.last_ok = now;
        e.last_update = now;
        pipeline_->Collected(u->timestamp, now, dev, u->values);
        break;
      }
    }
  }

  /// Files one varbind of an answer into the walk; returns true for an ifOperStatus row.
  static bool Take(Walk& w, const snmp::VarBind& vb) {
    using snmp::OidHasPrefix;
    if (vb.value.IsException()) {
      if (OidHasPrefix(vb.oid, mib::kIfOperStatus)) w.lost_row = true;
      return false;
    }
    auto is_instance = [&vb](const snmp::Oid& object) {
      return vb.oid.size() == object.size() + 1 && OidHasPrefix(vb.oid, object);
    };
    auto gauge = [&vb]() { return static_cast<uint32_t>(vb.value.uinteger); };
    if (is_instance(mib::kIfOperStatus)) {
      w.oper[vb.oid.back()] = static_cast<int32_t>(vb.value.integer);
      return true;
    }
    if (is_instance(mib::kIfNumber)) w.if_number = static_cast<int32_t>(vb.value.integer);
    else if (is_instance(mib::kHrProcessorLoad)) {
      w.cpu_index = vb.oid.back();
      w.cpu_pct = static_cast<int32_t>(vb.value.integer);
    } else if (is_instance(mib::kFibRoutes)) w.fib_routes = gauge();
    else if (is_instance(mib::kRibRoutes)) w.rib_routes = gauge();
    else if (is_instance(mib::kAdjacenciesUp)) w.adj_up = gauge();
    else if (is_instance(mib::kAdjacenciesConfigured)) w.adj_cfg = gauge();
    return false;
  }

  void OnReceive(Ptr<ns3::Socket> s) {
    Address from;
    while (Ptr<Packet> p = s->RecvFrom(from)) {
      std::vector<uint8_t> bytes(p->GetSize());
      p->CopyData(bytes.data(), bytes.size());
      std::optional<snmp::Message> r = snmp::Decode(bytes);
      if (!r || r->type != snmp::PduType::kResponse || r->community != kSnmpCommunity) continue;
      auto it = by_request_id_.find(r->request_id);
      if (it == by_request_id_.end()) continue;  // too late: the poll already failed
      std::string dev = it->second;
      by_request_id_.erase(it);
      Entry& e = entries_[dev];
      if (e.pending_poll == 0 || e.outstanding != r->request_id) continue;
      // An error answer (tooBig, genErr) leaves the poll to time out; the next one walks again.
      if (r->error_status != snmp::kNoError) {
        e.if_index.clear();
        continue;
      }
      Walk& w = e.walk;
      bool last_is_row = false;
      snmp::Oid last_row;
      for (const auto& vb : r->varbinds) {
        last_is_row = Take(w, vb);
        if (last_is_row) last_row = vb.oid;
      }
      // A GetBulk walk stops at the first object past the ifOperStatus column (or when the agent
      // says endOfMibView); a round that ended inside the column goes on from its last row.
      if (r->varbinds.size() > 0 && last_is_row && static_cast<int32_t>(w.oper.size()) < w.if_number &&
          e.if_index.empty()) {
        Send(dev, e, WalkOn(last_row));
        continue;
      }
      Complete(dev, e);
    }
  }

  void Complete(const std::string& dev, Entry& e) {
    const Walk& w = e.walk;
    MarkFresh(dev, &e.stale);
    e.pending_poll = 0;
    e.answered = true;
    e.last_ok = Clock::Now();
    e.if_total = static_cast<uint32_t>(std::max(w.if_number, 0));
    e.if_up = 0;
    for (const auto& [_, status] : w.oper) {
      if (status == mib::kIfOperUp) ++e.if_up;
    }
    e.cpu_pct = w.cpu_pct;
    e.fib_routes = w.fib_routes;
    e.rib_routes = w.rib_routes;
    e.adj_up = w.adj_up;
    e.adj_cfg = w.adj_cfg;
    if (pipeline_) {
      SimTime now = Clock::Now();
      pipeline_->Collected(now, now, dev,
                           {{"if_oper_up", e.if_up}, {"if_total", e.if_total}, {"cpu_pct", e.cpu_pct},
                            {"adj_up", e.adj_up}, {"adj_cfg", e.adj_cfg}});
    }
    // Keep the learnt instances while the table matches ifNumber; otherwise walk again next time.
    // Devices with more ports than one GetBulk round are always walked: a Get naming every row
    // would outgrow the agent's message size (tooBig) at about 80 rows.
    if (!w.lost_row && static_cast<int32_t>(w.oper.size()) == w.if_number && w.if_number <= kMaxRepetitions &&
        w.cpu_index != 0) {
      e.if_index.clear();
      for (const auto& [index, _] : w.oper) e.if_index.push_back(index);
      e.cpu_index = w.cpu_index;
    } else {
      e.if_index.clear();
    }
  }

  /// The pipeline, its metrics, its faults and the access paths, from the "telemetry" section.
  void BuildPipeline(const Scenario& sc, FaultInjector& faults) {
    const TelemetrySpec& t = telemetry_;
    telemetry::PipelineConfig c;
    // SNMP is polled as Prometheus scrapes the SNMP exporter: every scrape_interval, failing after scrape_timeout.
    if (t.collection == "snmp") {
      spec_.poll_interval = t.scrape_interval;
      spec_.poll_timeout = t.scrape_timeout;
    }
    c.collection_interval = t.collection == "snmp" ? t.scrape_interval
                            : t.stream_mode == "sample" ? t.sample_interval
                                                        : std::max(t.heartbeat_interval, t.sample_interval);
    streaming_ = t.collection == "gnmi";
    subscription_.mode = t.stream_mode == "on_change" ? telemetry::StreamMode::kOnChange : telemetry::StreamMode::kSample;
    subscription_.sample_interval = t.sample_interval;
    subscription_.heartbeat_interval = t.heartbeat_interval;
    if (streaming_) {
      SimTime expected = subscription_.mode == telemetry::StreamMode::kSample ? t.sample_interval : t.heartbeat_interval;
      stream_watch_ = expected > 0 ? 2 * expected + 5 * kSec : 0;
      // Subscriptions are spread over the first interval as polls are.
      spec_.poll_interval = t.sample_interval;
    }
    c.ingest_lag = t.ingest_lag;
    c.lookback = t.lookback;
    c.evaluation_interval = t.evaluation_interval;
    c.rule_for = t.rule_for;
    c.dashboard_refresh = t.dashboard_refresh;
    c.alertmanager.group_by = t.group_by;
    c.alertmanager.group_wait = t.group_wait;
    c.alertmanager.group_interval = t.group_interval;
    c.alertmanager.repeat_interval = t.repeat_interval;
    c.audit_rate = t.audit_rate;
    c.audit_capacity = t.audit_capacity;
    c.audit_lag = t.audit_lag;
    c.component_for = t.component_for;
    std::map<std::string, std::string> jobs;
    for (const auto& [dev, comp] : components_) jobs[dev] = comp.job;
    pipeline_.reset(new telemetry::TelemetryPipeline(c, targets_, device(), jobs));
    const TelemetryPipelineMetrics& m = TelemetryPipelineMetrics::Get();
    firing_ = AddGauge(m.alerts_firing);
    notified_ = AddCounter(m.notifications);
    stale_panels_ = AddGauge(m.stale_panel_share);
    data_age_ = AddGauge(m.data_age);
    shown_lag_ = AddGauge(m.shown_lag);
    audit_backlog_ = AddGauge(m.audit_backlog);
    audit_lag_ = AddGauge(m.audit_lag);
    manageable_ = AddGauge(m.manageable_devices);

    // Faults on the pipeline itself: they change what operators see, never what devices do.
    faults.On<TelemetryPipelineLagParams>(device(), [this](const TelemetryPipelineLagParams& p, bool on) {
      pipeline_faults_ += on ? 1 : -1;
      pipeline_->SetExtraLag(on ? p.delay : 0);
    });
    faults.On<CollectorDownParams>(device(), [this](const CollectorDownParams&, bool on) {
      pipeline_faults_ += on ? 1 : -1;
      collector_fault_ = on;
      if (running()) pipeline_->SetCollectorDown(on);
    });
    faults.On<AlertingDownParams>(device(), [this](const AlertingDownParams&, bool on) {
      pipeline_faults_ += on ? 1 : -1;
      pipeline_->SetAlertingDown(on);
    });
    faults.On<AuditLogBacklogParams>(device(), [this](const AuditLogBacklogParams& p, bool on) {
      pipeline_faults_ += on ? 1 : -1;
      pipeline_->SetAuditCapacityFactor(on ? p.capacity_share : 1.0);
    });

    // Access paths: in-band enters the production network at the gateway router.
    using Mode = telemetry::AccessPaths::Mode;
    Mode mode = t.access == "in-band" ? Mode::kInBand : t.access == "both" ? Mode::kBoth : Mode::kOutOfBand;
    paths_.reset(new telemetry::AccessPaths(mode));
    std::string gateway = t.inband_gateway;
    for (const auto& d : sc.devices) {
      if (gateway.empty() && d.kind == "router") gateway = d.id;
      if (d.kind != "router") continue;
      // A router whose routing daemon is down routes no management traffic (the router's own crash is its hook).
      std::string r = d.id;
      faults.On<BackboneRoutingOutageParams>(r, [this, r](const BackboneRoutingOutageParams&, bool on) {
        paths_->SetInbandBlocked(r, on);
        UpdatePaths();
      });
    }
    paths_->SetGateway(gateway);
    for (const auto& l : sc.links) production_links_.push_back({l.id, l.a, l.b});
    for (const auto& dev : targets_) {
      std::string d = dev;
      faults.On<MgmtInbandDownParams>(d, [this, d](const MgmtInbandDownParams&, bool on) {
        inband_cut_[d] = on;
        UpdatePaths();
      });
    }
    faults.On<MgmtInbandDownParams>(device(), [this](const MgmtInbandDownParams&, bool on) {
      inband_cut_all_ = on;
      UpdatePaths();
    });
    UpdatePaths();
    net_.SetManagementAccess(mode != Mode::kInBand, mode != Mode::kOutOfBand);
  }

  /// In-band reachability from the production network's links as they are now; the management link of each
  /// device follows (Network::SetInbandReach), and audit records leave only devices a path reaches.
  void UpdatePaths() {
    for (const auto& l : production_links_) paths_->SetLink(l.id, l.a, l.b, net_.LinkUp(l.id));
    paths_->Recompute();
    for (const auto& dev : targets_) {
      bool inband = paths_->InbandReachable(dev) && !inband_cut_all_ && !inband_cut_[dev];
      net_.SetInbandReach(dev, inband);
      pipeline_->SetDeviceReachable(dev, net_.LinkUp(net_.OobLinkOf(dev)));
    }
  }

  /// The pipeline's clock: every second, as a collector's and a rule engine's loops run; what it did goes into the
  /// trace (alerts firing and resolved, notifications).
  void Tick() {
    if (paths_->mode() != telemetry::AccessPaths::Mode::kOutOfBand) UpdatePaths();
    else for (const auto& dev : targets_) pipeline_->SetDeviceReachable(dev, net_.LinkUp(net_.OobLinkOf(dev)));
    for (const telemetry::PipelineEvent& e : pipeline_->Tick(Clock::Now())) {
      if (e.kind == "alert.notified") notified_->Add();
      Emit(e.kind, e.detail);
    }
    After(1 * kSec, [this]() { Tick(); });
  }

  struct ProductionLink {
    std::string id, a, b;
  };

  /// A cluster component the station scrapes as Prometheus does: GET /metrics over TCP every scrape_interval,
  /// failed when no complete answer came within scrape_timeout (or the connection was refused or reset).
  struct Component {
    uint32_t addr = 0;
    uint16_t port = 0;
    std::string job;
    Ptr<ns3::Socket> sock;  // the scrape in progress (one connection per scrape)
    prom::HttpMessageReader reader;
    uint64_t scrape = 0;
    bool answered = false, stale = false;
    SimTime last_ok = 0;
  };

  Component* ComponentOf(ns3::Socket* s, std::string* dev) {
    auto it = scrape_socket_.find(s);
    if (it == scrape_socket_.end()) return nullptr;
    *dev = it->second;
    return &components_.at(it->second);
  }

  void CloseScrape(Component& c) {
    if (!c.sock) return;
    scrape_socket_.erase(PeekPointer(c.sock));
    c.sock->SetConnectCallback(MakeNullCallback<void, Ptr<ns3::Socket>>(), MakeNullCallback<void, Ptr<ns3::Socket>>());
    c.sock->SetRecvCallback(MakeNullCallback<void, Ptr<ns3::Socket>>());
    c.sock->SetCloseCallbacks(MakeNullCallback<void, Ptr<ns3::Socket>>(), MakeNullCallback<void, Ptr<ns3::Socket>>());
    c.sock->Close();
    c.sock = nullptr;
  }

  void ScrapeComponent(const std::string& dev) {
    After(telemetry_.scrape_interval, [this, dev]() { ScrapeComponent(dev); });
    if (pipeline_->collector_down()) return;  // a stalled collector scrapes nothing
    Component& c = components_.at(dev);
    CloseScrape(c);  // an unfinished scrape was already failed by its timeout
    uint64_t n = ++c.scrape;
    c.reader = prom::HttpMessageReader();
    c.sock = ns3::Socket::CreateSocket(NodeOf(net_, device()), TcpSocketFactory::GetTypeId());
    c.sock->Bind();
    scrape_socket_[PeekPointer(c.sock)] = dev;
    c.sock->SetConnectCallback(MakeCallback(&StationMgmtPlane::OnScrapeConnected, this),
                               MakeCallback(&StationMgmtPlane::OnScrapeBroken, this));
    c.sock->SetRecvCallback(MakeCallback(&StationMgmtPlane::OnScrapeData, this));
    c.sock->SetCloseCallbacks(MakeCallback(&StationMgmtPlane::OnScrapeBroken, this),
                              MakeCallback(&StationMgmtPlane::OnScrapeBroken, this));
    c.sock->Connect(InetSocketAddress(Ipv4Address(c.addr), c.port));
    sent_->Add();
    After(telemetry_.scrape_timeout, [this, dev, n]() {
      Component& comp = components_.at(dev);
      if (comp.scrape == n && comp.sock) ScrapeFailed(dev, comp);
    });
  }

  void OnScrapeConnected(Ptr<ns3::Socket> s) {
    std::string dev;
    Component* c = ComponentOf(PeekPointer(s), &dev);
    if (!c) return;
    std::string req = prom::HttpGetRequest(FormatIpv4(c->addr) + ":" + std::to_string(c->port), "/metrics");
    s->Send(reinterpret_cast<const uint8_t*>(req.data()), static_cast<uint32_t>(req.size()), 0);
  }

  /// Refused, reset or closed before a whole answer: Prometheus fails the scrape at once.
  void OnScrapeBroken(Ptr<ns3::Socket> s) {
    std::string dev;
    Component* c = ComponentOf(PeekPointer(s), &dev);
    if (c && !c->reader.complete()) ScrapeFailed(dev, *c);
  }

  void OnScrapeData(Ptr<ns3::Socket> s) {
    std::string dev;
    Component* c = ComponentOf(PeekPointer(s), &dev);
    if (!c) return;
    while (Ptr<Packet> p = s->Recv()) {
      std::string bytes(p->GetSize(), '\0');
      p->CopyData(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size());
      if (!c->reader.Feed(bytes.data(), bytes.size())) {
        ScrapeFailed(dev, *c);
        return;
      }
    }
    if (!c->reader.complete()) return;
    std::optional<std::map<std::string, double>> values;
    if (c->reader.status() == 200) values = prom::ParseExposition(c->reader.body());
    if (!values) {
      ScrapeFailed(dev, *c);
      return;
    }
    CloseScrape(*c);
    SimTime now = Clock::Now();
    MarkFresh(dev, &c->stale);
    c->answered = true;
    c->last_ok = now;
    values->erase("up");  // the scraper's own series
    pipeline_->Collected(now, now, dev, *values);
  }

  void ScrapeFailed(const std::string& dev, Component& c) {
    CloseScrape(c);
    failed_->Add();
    pipeline_->CollectionFailed(Clock::Now(), dev);
    MarkStale(dev, &c.stale, c.last_ok);
  }

  /// A target's dashboard entry turns stale (once, with the event operators see) or fresh again.
  void MarkStale(const std::string& dev, bool* stale, SimTime last_ok) {
    if (*stale) return;
    *stale = true;
    Emit("dashboard.stale", nlohmann::json({{"target", dev}, {"last_ok_s", ToSeconds(last_ok)}}).dump());
  }
  void MarkFresh(const std::string& dev, bool* stale) {
    if (*stale) Emit("dashboard.fresh", nlohmann::json({{"target", dev}}).dump());
    *stale = false;
  }

  std::vector<std::string> targets_;  // every device behind a management link, in the link order
  std::map<std::string, Component> components_;
  std::map<ns3::Socket*, std::string> scrape_socket_;

  Network& net_;
  ManagementSpec spec_;
  TelemetrySpec telemetry_;
  std::unique_ptr<telemetry::TelemetryPipeline> pipeline_;
  bool streaming_ = false;
  telemetry::StreamSubscribe subscription_;
  SimTime stream_watch_ = 0;
  Ptr<ns3::Socket> stream_sock_;
  std::unique_ptr<telemetry::AccessPaths> paths_;
  std::vector<ProductionLink> production_links_;
  std::map<std::string, bool> inband_cut_;
  bool inband_cut_all_ = false, collector_fault_ = false;
  int pipeline_faults_ = 0;
  Counter* notified_ = nullptr;
  Gauge *firing_ = nullptr, *stale_panels_ = nullptr, *data_age_ = nullptr, *shown_lag_ = nullptr,
        *audit_backlog_ = nullptr, *audit_lag_ = nullptr, *manageable_ = nullptr;
  std::map<std::string, Entry> entries_;
  std::map<int32_t, std::string> by_request_id_;
  int32_t next_request_id_ = 0;
  uint64_t poll_seq_ = 0;
  Ptr<ns3::Socket> sock_;
  Counter* sent_;
  Counter* failed_;
  Gauge* stale_;
  Gauge* lag_;
};

class MonitorDevice : public Device {
 public:
  explicit MonitorDevice(DeviceEnv& env)
      : Device(env.spec.id), plane_(env.ctx, env.spec.id, env.network, env.scenario, env.faults) {}
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
