// The mesh's pure cores without the kernel: Envoy's route table (weights, NR, UH, LEAST_REQUEST, panic threshold,
// outlier detection, circuit breakers, retry back-off), the workload certificate's lifecycle, istiod's push
// debounce, the sidecar agent (xDS stream, last configuration kept, initial_fetch_timeout, CSR retries) and the
// outbound proxy of a calling pod (upstream 503s retried and passed on, UF, NR, DC, a reset on a crash).
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <queue>

#include "models/mesh/core/cert_lifecycle.h"
#include "models/mesh/core/envoy_router.h"
#include "models/mesh/core/push_debounce.h"
#include "models/mesh/data/outbound_proxy.h"
#include "models/mesh/data/sidecar_agent.h"
#include "models/mesh/mesh_section.h"

namespace planelab {
namespace {

using envoy::Endpoint;
using envoy::UpstreamCluster;

std::vector<Endpoint> Hosts(int n) {
  std::vector<Endpoint> eps;
  for (int i = 0; i < n; ++i) eps.push_back({"pod-" + std::to_string(i), "node-1", 1u + i});
  return eps;
}

TEST(EnvoyDefaults, AreIstiosAndEnvoys) {
  envoy::OutlierConfig o;
  EXPECT_EQ(o.consecutive_5xx, 5u);
  EXPECT_EQ(o.interval, 10 * kSec);
  EXPECT_EQ(o.base_ejection_time, 30 * kSec);
  EXPECT_EQ(o.max_ejection_percent, 10u);
  envoy::CircuitBreakers cb;
  EXPECT_EQ(cb.max_connections, 1024u);
  EXPECT_EQ(cb.max_pending_requests, 1024u);
  EXPECT_EQ(cb.max_requests, 1024u);
  envoy::RetryPolicy r;
  EXPECT_EQ(r.attempts, 2u);
  EXPECT_TRUE(r.on_connect_failure);
  EXPECT_EQ(envoy::kInitialFetchTimeout, 15 * kSec);
  EXPECT_EQ(envoy::kHealthyPanicThreshold, 50.0);
  mesh::CertConfig c;
  EXPECT_EQ(c.ttl, 24 * 3600 * kSec);
  EXPECT_EQ(c.grace_ratio, 0.5);
  EXPECT_EQ(c.grace_jitter, 0.01);
  mesh::DebounceConfig d;
  EXPECT_EQ(d.after, 100 * kMs);
  EXPECT_EQ(d.max, 10 * kSec);
}

TEST(RouteTable, WeightedClustersFollowTheDraw) {
  envoy::RouteEntry r;
  r.clusters = {{"v1", 90}, {"v2", 10}};
  EXPECT_EQ(envoy::RouteTable::TotalWeight(r), 100u);
  EXPECT_EQ(envoy::RouteTable::PickCluster(r, 0), "v1");
  EXPECT_EQ(envoy::RouteTable::PickCluster(r, 89), "v1");
  EXPECT_EQ(envoy::RouteTable::PickCluster(r, 90), "v2");
  EXPECT_EQ(envoy::RouteTable::PickCluster(r, 99), "v2");
  int v2 = 0;
  for (uint64_t d = 0; d < 1000; ++d) v2 += envoy::RouteTable::PickCluster(r, d) == "v2";
  EXPECT_EQ(v2, 100);
}

TEST(RouteTable, NoRouteAndApplyKeepsHostState) {
  envoy::RouteTable t({}, {});
  EXPECT_FALSE(t.configured());
  envoy::Snapshot s;
  s.version = 3;
  s.routes["web"].clusters = {{"web", 100}};
  s.clusters["web"] = Hosts(3);
  t.Apply(s);
  EXPECT_TRUE(t.configured());
  EXPECT_EQ(t.version(), 3u);
  EXPECT_EQ(t.Route("db"), nullptr);  // NR
  ASSERT_NE(t.Route("web"), nullptr);
  UpstreamCluster* c = t.Cluster("web");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->Admit("pod-0"), UpstreamCluster::Admission::kGo);
  s.version = 4;
  s.clusters["web"] = {Hosts(3)[0]};  // pod-1 and pod-2 leave; pod-0 stays with its request
  t.Apply(s);
  EXPECT_EQ(t.Cluster("web")->hosts(), 1u);
  EXPECT_EQ(t.Cluster("web")->active_requests(), 1u);
  s.clusters.clear();
  t.Apply(s);
  EXPECT_EQ(t.Cluster("web"), nullptr);
}

TEST(UpstreamCluster, EmptyClusterIsNoHealthyUpstream) {
  UpstreamCluster c({}, {});
  std::mt19937_64 rng(1);
  EXPECT_EQ(c.Pick(rng, 0, {}), "");  // UH
}

TEST(UpstreamCluster, ConsecutiveFailuresEjectWithinMaxEjectionPercent) {
  UpstreamCluster c({}, {});
  c.SetEndpoints(Hosts(10));
  SimTime now = 100 * kSec;
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(c.OnResult("pod-0", true, now));
  EXPECT_TRUE(c.OnResult("pod-0", true, now));  // the 5th consecutive 5xx
  EXPECT_EQ(c.ejected(now), 1u);
  // 10 % of 10 hosts is already ejected: a second host may not go.
  for (int i = 0; i < 5; ++i) c.OnResult("pod-1", true, now);
  EXPECT_EQ(c.ejected(now), 1u);
  // A success resets the count.
  UpstreamCluster d({}, {});
  d.SetEndpoints(Hosts(10));
  for (int i = 0; i < 4; ++i) d.OnResult("pod-0", true, now);
  d.OnResult("pod-0", false, now);
  EXPECT_FALSE(d.OnResult("pod-0", true, now));
  // Ejected hosts are not picked.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) EXPECT_NE(c.Pick(rng, now, {}), "pod-0");
  // base_ejection_time x times ejected: back after 30 s the first time, 60 s the second.
  EXPECT_EQ(c.Sweep(now + 29 * kSec), 0u);
  EXPECT_EQ(c.Sweep(now + 30 * kSec), 1u);
  SimTime later = now + 31 * kSec;
  for (int i = 0; i < 5; ++i) c.OnResult("pod-0", true, later);
  EXPECT_EQ(c.ejected(later + 59 * kSec), 1u);
  EXPECT_EQ(c.ejected(later + 60 * kSec), 0u);
}

TEST(UpstreamCluster, PanicThresholdRoutesToEveryHost) {
  envoy::OutlierConfig o;
  o.max_ejection_percent = 100;
  UpstreamCluster c(o, {});
  c.SetEndpoints(Hosts(4));
  SimTime now = 0;
  for (int h = 0; h < 2; ++h) {
    for (int i = 0; i < 5; ++i) c.OnResult("pod-" + std::to_string(h), true, now);
  }
  EXPECT_EQ(c.ejected(now), 2u);
  EXPECT_FALSE(c.InPanic(now));  // 50 % healthy is not below 50 %
  for (int i = 0; i < 5; ++i) c.OnResult("pod-2", true, now);
  EXPECT_TRUE(c.InPanic(now));  // 25 % healthy: Envoy ignores health and uses every host
  std::mt19937_64 rng(3);
  std::map<std::string, int> seen;
  for (int i = 0; i < 400; ++i) ++seen[c.Pick(rng, now, {})];
  EXPECT_EQ(seen.size(), 4u);
}

TEST(UpstreamCluster, LeastRequestPrefersTheIdleHostAndRetriesAvoidPreviousHosts) {
  UpstreamCluster c({}, {});
  c.SetEndpoints(Hosts(2));
  for (int i = 0; i < 5; ++i) c.Admit("pod-0");
  std::mt19937_64 rng(5);
  int idle = 0;
  for (int i = 0; i < 100; ++i) idle += c.Pick(rng, 0, {}) == "pod-1";
  EXPECT_GT(idle, 60);  // two choices: pod-1 wins whenever it is drawn (3 in 4)
  for (int i = 0; i < 50; ++i) EXPECT_EQ(c.Pick(rng, 0, {"pod-1"}), "pod-0");
}

TEST(UpstreamCluster, CircuitBreakersPendThenOverflow) {
  envoy::CircuitBreakers cb;
  cb.max_connections = 2;
  cb.max_pending_requests = 1;
  cb.max_requests = 10;
  UpstreamCluster c({}, cb);
  c.SetEndpoints(Hosts(1));
  EXPECT_EQ(c.Admit("pod-0"), UpstreamCluster::Admission::kGo);
  EXPECT_EQ(c.Admit("pod-0"), UpstreamCluster::Admission::kGo);
  EXPECT_EQ(c.connections(), 2u);
  EXPECT_EQ(c.Admit("pod-0"), UpstreamCluster::Admission::kPending);
  EXPECT_EQ(c.pending_requests(), 1u);
  EXPECT_EQ(c.Admit("pod-0"), UpstreamCluster::Admission::kOverflow);  // UO
  EXPECT_TRUE(c.Release("pod-0", false));  // the freed connection takes the pending request
  EXPECT_EQ(c.pending_requests(), 0u);
  EXPECT_EQ(c.active_requests(), 2u);
  c.Release("pod-0", true);  // a failed connection closes
  EXPECT_EQ(c.connections(), 1u);
  // A failed connection with a request pending behind it: the pool opens a new connection for that request.
  EXPECT_EQ(c.Admit("pod-0"), UpstreamCluster::Admission::kGo);  // a second connection again
  EXPECT_EQ(c.Admit("pod-0"), UpstreamCluster::Admission::kPending);
  EXPECT_TRUE(c.Release("pod-0", true));
  EXPECT_EQ(c.pending_requests(), 0u);
  EXPECT_EQ(c.connections(), 2u);
  envoy::CircuitBreakers one;
  one.max_requests = 1;
  UpstreamCluster d({}, one);
  d.SetEndpoints(Hosts(2));
  EXPECT_EQ(d.Admit("pod-0"), UpstreamCluster::Admission::kGo);
  EXPECT_EQ(d.Admit("pod-1"), UpstreamCluster::Admission::kOverflow);
}

TEST(RetryBackoff, FullyJitteredExponentialCappedAtTenTimesBase) {
  envoy::RetryPolicy p;
  EXPECT_EQ(envoy::RetryBackoff(p, 1, 0.0), 0);
  EXPECT_EQ(envoy::RetryBackoff(p, 1, 0.999999), static_cast<SimTime>(0.999999 * 25 * kMs));
  EXPECT_LE(envoy::RetryBackoff(p, 2, 0.999999), 75 * kMs);
  EXPECT_LE(envoy::RetryBackoff(p, 10, 0.999999), 250 * kMs);
}

TEST(CertLifecycle, RotatesAtHalfLifeWithinTheJitter) {
  mesh::CertLifecycle c({});
  EXPECT_FALSE(c.has());
  EXPECT_FALSE(c.Valid(0));
  c.Issued(0, 24 * 3600 * kSec);
  EXPECT_EQ(c.RotateAt(0.0, 1), 12 * 3600 * kSec);
  // 1 % of 24 h either way: 14.4 minutes.
  EXPECT_EQ(c.RotateAt(1.0, 1), 12 * 3600 * kSec - static_cast<SimTime>(0.01 * 24 * 3600 * kSec));
  EXPECT_EQ(c.RotateAt(1.0, -1), 12 * 3600 * kSec + static_cast<SimTime>(0.01 * 24 * 3600 * kSec));
  EXPECT_TRUE(c.Valid(24 * 3600 * kSec - 1));
  EXPECT_FALSE(c.Valid(24 * 3600 * kSec));
  EXPECT_TRUE(c.Expired(24 * 3600 * kSec));
  EXPECT_EQ(c.RetryDelay(0), 1 * kSec);
  EXPECT_EQ(c.RetryDelay(3), 8 * kSec);
  EXPECT_EQ(c.RetryDelay(20), 30 * kSec);
}

TEST(PushDebouncer, WaitsForQuietOrMaxAndOneRoundAtATime) {
  mesh::PushDebouncer d({});
  SimTime again = 0;
  EXPECT_TRUE(d.OnEvent(0));
  EXPECT_FALSE(d.OnEvent(50 * kMs));  // merged, the timer is already armed
  EXPECT_FALSE(d.Check(100 * kMs, &again));  // quiet for only 50 ms
  EXPECT_EQ(again, 50 * kMs);
  EXPECT_TRUE(d.Check(150 * kMs, &again));
  EXPECT_EQ(d.pushed_events(), 2u);
  EXPECT_EQ(d.pushed_first_event(), 0);
  // A change during the push waits until the push is done.
  EXPECT_TRUE(d.OnEvent(200 * kMs));
  EXPECT_FALSE(d.Check(400 * kMs, &again));
  d.PushDone();
  EXPECT_TRUE(d.Check(400 * kMs, &again));
  d.PushDone();
  // A steady stream of changes is pushed after debounce_max anyway.
  mesh::PushDebouncer s({});
  s.OnEvent(0);
  bool pushed = false;
  SimTime t = 0;
  for (; t <= 11 * kSec && !pushed; t += 50 * kMs) {
    s.OnEvent(t);
    if (t % (100 * kMs) == 0) pushed = s.Check(t, &again);
  }
  EXPECT_TRUE(pushed);
  EXPECT_GE(t, 10 * kSec);
  EXPECT_LE(t, 10 * kSec + 200 * kMs);
}

// A tiny event loop for the agent: timers ordered by time, then insertion.
struct Loop {
  SimTime now = 0;
  uint64_t seq = 0;
  std::map<std::pair<SimTime, uint64_t>, std::function<void()>> timers;
  std::vector<std::shared_ptr<XdsUp>> sent;
  std::vector<std::string> events;
  std::mt19937_64 rng{11};
  SidecarAgent::Hooks Hooks() {
    SidecarAgent::Hooks h;
    h.now = [this]() { return now; };
    h.after = [this](SimTime d, std::function<void()> fn) { timers[{now + d, seq++}] = std::move(fn); };
    h.send = [this](std::shared_ptr<XdsUp> m) { sent.push_back(m); };
    h.emit = [this](const std::string& k, const std::string&) { events.push_back(k); };
    h.rng = &rng;
    return h;
  }
  void RunUntil(SimTime t) {
    while (!timers.empty() && timers.begin()->first.first <= t) {
      auto it = timers.begin();
      now = it->first.first;
      auto fn = std::move(it->second);
      timers.erase(it);
      fn();
    }
    now = t;
  }
  size_t Count(XdsUp::Type type) const {
    size_t n = 0;
    for (const auto& m : sent) n += m->type == type;
    return n;
  }
};

XdsDown Push(uint64_t version, int hosts) {
  auto s = std::make_shared<envoy::Snapshot>();
  s->version = version;
  s->routes["web"].clusters = {{"web", 100}};
  s->clusters["web"] = Hosts(hosts);
  XdsDown m;
  m.type = XdsDown::Type::kPush;
  m.version = version;
  m.snapshot = s;
  return m;
}

TEST(SidecarAgent, KeepsItsLastConfigurationWhenIstiodIsGone) {
  MeshSpec spec;
  Loop loop;
  SidecarAgent a("client-1", true, spec, loop.Hooks());
  a.Start(true);
  EXPECT_TRUE(a.cert().Valid(0));
  loop.RunUntil(5 * kSec);
  EXPECT_EQ(loop.Count(XdsUp::Type::kConnect), 1u);
  a.OnMessage(Push(1, 3));
  EXPECT_TRUE(a.connected());
  EXPECT_EQ(a.version(), 1u);
  EXPECT_EQ(loop.Count(XdsUp::Type::kAck), 1u);
  // istiod stops answering: the keepalive times out, the proxy keeps version 1 and retries in the background.
  loop.RunUntil(5 * kSec + spec.keepalive_interval + spec.keepalive_timeout + 1);
  EXPECT_FALSE(a.connected());
  EXPECT_EQ(a.version(), 1u);
  EXPECT_EQ(a.table().Cluster("web")->hosts(), 3u);
  size_t connects = loop.Count(XdsUp::Type::kConnect);
  loop.RunUntil(600 * kSec);
  EXPECT_GT(loop.Count(XdsUp::Type::kConnect), connects + 5);   // retrying, with back-off
  EXPECT_LT(loop.Count(XdsUp::Type::kConnect), connects + 600 / 5);
  // istiod is back: the next push reconnects it.
  a.OnMessage(Push(2, 4));
  EXPECT_TRUE(a.connected());
  EXPECT_EQ(a.table().Cluster("web")->hosts(), 4u);
}

TEST(SidecarAgent, NewProxyStartsWithoutConfigAfterInitialFetchTimeoutAndRetriesItsCsr) {
  MeshSpec spec;
  Loop loop;
  SidecarAgent a("pod-9", false, spec, loop.Hooks());
  a.Start(false);
  EXPECT_FALSE(a.serving());
  EXPECT_FALSE(a.cert().has());
  EXPECT_EQ(loop.Count(XdsUp::Type::kCsr), 1u);
  loop.RunUntil(15 * kSec - 1);
  EXPECT_FALSE(a.serving());
  loop.RunUntil(15 * kSec);
  EXPECT_TRUE(a.serving());
  EXPECT_FALSE(a.configured());
  EXPECT_EQ(loop.events.back(), "sidecar.initial_fetch_timeout");
  EXPECT_GE(loop.Count(XdsUp::Type::kCsr), 4u);  // 1 s, 2 s, 4 s, 8 s back-off
  // The CA answers the newest CSR: the certificate holds for its TTL, rotation comes at about half of it.
  XdsDown cert;
  cert.type = XdsDown::Type::kCert;
  cert.nonce = loop.sent.back()->type == XdsUp::Type::kCsr ? loop.sent.back()->nonce : 0;
  for (auto it = loop.sent.rbegin(); it != loop.sent.rend(); ++it) {
    if ((*it)->type == XdsUp::Type::kCsr) { cert.nonce = (*it)->nonce; break; }
  }
  cert.issued = loop.now;
  cert.expiry = loop.now + spec.cert.ttl;
  a.OnMessage(cert);
  EXPECT_TRUE(a.cert().Valid(loop.now));
  size_t csrs = loop.Count(XdsUp::Type::kCsr);
  const SimTime issued = loop.now;
  loop.RunUntil(issued + spec.cert.ttl * 49 / 100);
  EXPECT_EQ(loop.Count(XdsUp::Type::kCsr), csrs);
  loop.RunUntil(issued + spec.cert.ttl * 51 / 100 + 500 * kMs);
  EXPECT_GE(loop.Count(XdsUp::Type::kCsr), csrs + 1);  // the rotation's CSR (then its retries: nobody answers)
}

}  // namespace
}  // namespace planelab

namespace planelab {
namespace {

// The outbound proxy of a calling pod's sidecar, on the agent's pushed configuration, without the kernel.
struct OutboundRig {
  MeshSpec spec;
  Loop loop;
  SidecarAgent agent{"web-1", false, spec, loop.Hooks()};
  std::vector<std::shared_ptr<ServiceRequest>> wire;
  std::vector<std::pair<uint64_t, int>> done;
  std::vector<std::pair<int, std::string>> answered;
  std::vector<std::string> logs;
  uint32_t retries = 0;
  std::unique_ptr<OutboundProxy> proxy;
  OutboundRig() {
    agent.Start(true);
    agent.OnMessage(Push(1, 3));  // backend hosts pod-0..2 under the route "web" of the test push
    OutboundProxy::Hooks h;
    h.now = [this]() { return loop.now; };
    h.after = [this](SimTime d, std::function<void()> fn) { loop.timers[{loop.now + d, loop.seq++}] = std::move(fn); };
    h.emit = [this](const std::string& k, const std::string& d) { if (k == "envoy.access_log") logs.push_back(d); };
    h.rng = &loop.rng;
    h.send = [this](uint32_t, std::shared_ptr<ServiceRequest> r) { wire.push_back(r); };
    h.done = [this](uint64_t id, int code) { done.emplace_back(id, code); };
    h.answered = [this](int code, const std::vector<envoy::Flag>& flags) {
      std::string f;
      for (auto x : flags) f += std::string(f.empty() ? "" : ",") + envoy::FlagName(x);
      answered.emplace_back(code, f);
    };
    h.retried = [this]() { ++retries; };
    h.source = "web-1";
    proxy = std::make_unique<OutboundProxy>(agent, h);
  }
  void Answer(size_t attempt, uint16_t code, bool refused = false) {
    ServiceResponse r;
    r.id = wire.at(attempt)->id;
    r.code = code;
    r.refused = refused;
    proxy->OnResponse(r);
  }
};

TEST(OutboundProxy, PassesAnUpstream503OnAfterRetryingOtherHosts) {
  OutboundRig rig;
  rig.proxy->Start(7, "web", 200, 1000);
  ASSERT_EQ(rig.wire.size(), 1u);
  EXPECT_TRUE(rig.wire[0]->mtls);
  EXPECT_TRUE(rig.wire[0]->client_cert_valid);
  std::set<std::string> hosts{rig.wire[0]->pod};
  // The upstream application answers 503 (its own call failed): retriable, on another host each time.
  rig.Answer(0, 503);
  rig.loop.RunUntil(1 * kSec);
  ASSERT_EQ(rig.wire.size(), 2u);
  hosts.insert(rig.wire[1]->pod);
  rig.Answer(1, 503);
  rig.loop.RunUntil(2 * kSec);
  ASSERT_EQ(rig.wire.size(), 3u);
  hosts.insert(rig.wire[2]->pod);
  EXPECT_EQ(hosts.size(), 3u);  // previous_hosts
  EXPECT_TRUE(rig.done.empty());
  rig.Answer(2, 503);
  EXPECT_EQ(rig.retries, 2u);
  ASSERT_EQ(rig.done.size(), 1u);
  EXPECT_EQ(rig.done[0], std::make_pair(uint64_t{7}, 503));
  EXPECT_EQ(rig.answered.back(), std::make_pair(503, std::string("URX")));
  ASSERT_EQ(rig.logs.size(), 1u);
  EXPECT_NE(rig.logs[0].find("503 URX via_upstream"), std::string::npos) << rig.logs[0];
  EXPECT_NE(rig.logs[0].find("\"pod\":\"web-1\""), std::string::npos);
  EXPECT_EQ(rig.proxy->in_flight(), 0u);
}

TEST(OutboundProxy, A504IsNotRetriedAndAConnectFailureIsUF) {
  OutboundRig rig;
  rig.proxy->Start(1, "web", 200, 1000);
  rig.Answer(0, 504);
  ASSERT_EQ(rig.done.size(), 1u);
  EXPECT_EQ(rig.done[0].second, 504);
  EXPECT_EQ(rig.answered.back(), std::make_pair(504, std::string()));
  EXPECT_EQ(rig.retries, 0u);
  rig.proxy->Start(2, "web", 200, 1000);
  rig.Answer(1, 200, true);
  rig.loop.RunUntil(1 * kSec);
  rig.Answer(2, 200, true);
  rig.loop.RunUntil(2 * kSec);
  rig.Answer(3, 200, true);
  ASSERT_EQ(rig.done.size(), 2u);
  EXPECT_EQ(rig.done[1], std::make_pair(uint64_t{2}, 503));
  EXPECT_EQ(rig.answered.back(), std::make_pair(503, std::string("UF,URX")));
  rig.proxy->Start(3, "web", 200, 1000);
  rig.Answer(4, 200);
  EXPECT_EQ(rig.done.back(), std::make_pair(uint64_t{3}, 200));
}

TEST(OutboundProxy, NoRouteIsNR404AndTheAppGivingUpIsDC) {
  OutboundRig rig;
  rig.proxy->Start(1, "payments", 200, 1000);
  EXPECT_EQ(rig.done.back(), std::make_pair(uint64_t{1}, 404));
  EXPECT_EQ(rig.answered.back(), std::make_pair(404, std::string("NR")));
  rig.proxy->Start(2, "web", 200, 1000);
  rig.proxy->GiveUp(2);
  EXPECT_EQ(rig.done.size(), 1u);  // nothing answered to an application that left
  EXPECT_EQ(rig.answered.back(), std::make_pair(0, std::string("DC")));
  rig.Answer(0, 200);              // the late answer is ignored
  EXPECT_EQ(rig.done.size(), 1u);
  // The sidecar dies with a call in flight: the application's connection is reset.
  rig.proxy->Start(3, "web", 200, 1000);
  rig.proxy->Abort(503);
  EXPECT_EQ(rig.done.back(), std::make_pair(uint64_t{3}, 503));
}

}  // namespace
}  // namespace planelab

#include "models/mesh/core/tls_wire.h"

namespace planelab {
namespace {

// The sidecars' TLS 1.3 on the wire: real ClientHello/ServerHello records, encrypted records of their sizes,
// alerts, and the HTTP/1.1 messages inside, read back from a byte stream cut anywhere.
TEST(TlsWire, ClientHelloIsARealTls13HelloWithSniAndAlpn) {
  tls::ByteSource rnd(7);
  auto rec = tls::ClientHello("backend-1-0", tls::kIstioAlpn, rnd);
  ASSERT_GT(rec.size(), 5u);
  EXPECT_EQ(rec[0], tls::kHandshake);
  EXPECT_EQ(rec[1], 0x03);
  EXPECT_EQ(rec[2], 0x01);
  EXPECT_EQ(size_t{(uint32_t{rec[3]} << 8) | rec[4]}, rec.size() - 5);
  tls::ClientHelloInfo info;
  ASSERT_TRUE(tls::ParseClientHello(rec.data() + 5, rec.size() - 5, &info));
  EXPECT_EQ(info.sni, "backend-1-0");
  EXPECT_EQ(info.session_id.size(), 32u);
  EXPECT_TRUE(info.offers_tls13);
  EXPECT_EQ(info.alpn, tls::kIstioAlpn);
  // The same seed gives the same bytes (reproducible captures), another seed other randoms.
  tls::ByteSource again(7), other(8);
  EXPECT_EQ(tls::ClientHello("backend-1-0", tls::kIstioAlpn, again), rec);
  EXPECT_NE(tls::ClientHello("backend-1-0", tls::kIstioAlpn, other), rec);
  // A truncated hello is refused.
  EXPECT_FALSE(tls::ParseClientHello(rec.data() + 5, rec.size() - 6, &info));
}

TEST(TlsWire, ServerHelloEchoesTheSessionAndPicksAes128Gcm) {
  tls::ByteSource rnd(1);
  std::vector<uint8_t> sid(32, 0x42);
  auto rec = tls::ServerHello(sid, rnd);
  EXPECT_EQ(rec[0], tls::kHandshake);
  EXPECT_EQ(rec[5], 2);  // server_hello
  // legacy_version, random, session id echo, then the suite.
  const size_t at = 5 + 4 + 2 + 32;
  EXPECT_EQ(rec[at], 32);
  EXPECT_EQ(std::vector<uint8_t>(rec.begin() + at + 1, rec.begin() + at + 33), sid);
  EXPECT_EQ(rec[at + 33], 0x13);
  EXPECT_EQ(rec[at + 34], 0x01);
  EXPECT_EQ(size_t{(uint32_t{rec[3]} << 8) | rec[4]}, rec.size() - 5);
}

TEST(TlsWire, RecordsAndHttpMessagesSurviveAnyCut) {
  tls::HttpMessage rq;
  rq.id = 42;
  rq.service = "backend";
  rq.pod = "backend-1-3";
  rq.response_bytes = 40000;
  auto http = tls::EncodeHttp(rq, 200);
  EXPECT_EQ(http.size(), 200u);
  tls::HttpMessage rs;
  rs.response = true;
  rs.id = 42;
  rs.code = 503;
  auto big = tls::EncodeHttp(rs, 40000);
  EXPECT_EQ(big.size(), 40000u);
  std::vector<uint8_t> stream = tls::ChangeCipherSpec();
  auto a = tls::Encrypted(tls::kApplicationData, http);
  auto b = tls::Encrypted(tls::kApplicationData, big);  // three records of at most 16 KB
  auto c = tls::Alert(tls::kAlertCertificateExpired);
  for (const auto* v : {&a, &b, &c}) stream.insert(stream.end(), v->begin(), v->end());
  for (size_t cut : {size_t{1}, size_t{5}, size_t{777}, stream.size()}) {
    tls::RecordReader reader;
    tls::HttpReader http_reader;
    std::vector<uint8_t> types;
    std::vector<tls::HttpMessage> msgs;
    for (size_t at = 0; at < stream.size(); at += cut) {
      size_t n = std::min(cut, stream.size() - at);
      ASSERT_TRUE(reader.Feed(stream.data() + at, n, [&](uint8_t type, const uint8_t* body, size_t len) {
        types.push_back(type);
        if (type != tls::kApplicationData) return;
        size_t content = 0;
        ASSERT_EQ(tls::InnerType(body, len, &content), tls::kApplicationData);
        ASSERT_TRUE(http_reader.Feed(body, content, [&](const tls::HttpMessage& m) { msgs.push_back(m); }));
      }));
    }
    EXPECT_EQ(types, (std::vector<uint8_t>{20, 23, 23, 23, 23, 21})) << cut;
    ASSERT_EQ(msgs.size(), 2u);
    EXPECT_FALSE(msgs[0].response);
    EXPECT_EQ(msgs[0].service, "backend");
    EXPECT_EQ(msgs[0].pod, "backend-1-3");
    EXPECT_EQ(msgs[0].response_bytes, 40000u);
    EXPECT_EQ(msgs[0].id, 42u);
    EXPECT_TRUE(msgs[1].response);
    EXPECT_EQ(msgs[1].code, 503);
  }
  tls::RecordReader junk;
  const uint8_t http_text[] = "GET / HTTP/1.1\r\n";
  EXPECT_FALSE(junk.Feed(http_text, sizeof(http_text) - 1, [](uint8_t, const uint8_t*, size_t) {}));
}

}  // namespace
}  // namespace planelab
