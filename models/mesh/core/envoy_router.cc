#include "models/mesh/core/envoy_router.h"

#include <algorithm>

namespace planelab::envoy {

uint32_t Snapshot::Bytes() const {
  uint64_t b = 2000 + 1000 * (routes.size() + clusters.size());
  for (const auto& [name, eps] : clusters) b += 150 * eps.size();
  return static_cast<uint32_t>(std::min<uint64_t>(b, 64u << 20));
}

const char* FlagName(Flag f) {
  switch (f) {
    case Flag::kNone: return "-";
    case Flag::kUF: return "UF";
    case Flag::kUH: return "UH";
    case Flag::kNR: return "NR";
    case Flag::kUO: return "UO";
    case Flag::kUT: return "UT";
    case Flag::kURX: return "URX";
    case Flag::kDC: return "DC";
  }
  return "-";
}

void UpstreamCluster::SetEndpoints(const std::vector<Endpoint>& eps) {
  std::set<std::string> now;
  for (const auto& e : eps) {
    now.insert(e.pod);
    auto it = hosts_.find(e.pod);
    if (it == hosts_.end()) {
      Host h;
      h.ep = e;
      hosts_.emplace(e.pod, h);
    } else {
      it->second.listed = true;
      it->second.ep = e;
    }
  }
  std::vector<std::string> gone;
  for (auto& [name, h] : hosts_) {
    if (!now.count(name)) {
      h.listed = false;
      gone.push_back(name);
    }
  }
  for (const auto& g : gone) MaybeForget(g);
}

void UpstreamCluster::MaybeForget(const std::string& name) {
  auto it = hosts_.find(name);
  if (it == hosts_.end() || it->second.listed || it->second.active > 0 || it->second.pending > 0) return;
  cx_total_ -= it->second.connections;
  hosts_.erase(it);
}

const Endpoint* UpstreamCluster::Find(const std::string& host) const {
  auto it = hosts_.find(host);
  return it == hosts_.end() ? nullptr : &it->second.ep;
}

size_t UpstreamCluster::hosts() const {
  size_t n = 0;
  for (const auto& [name, h] : hosts_) n += h.listed ? 1 : 0;
  return n;
}

size_t UpstreamCluster::ejected(SimTime now) const {
  size_t n = 0;
  for (const auto& [name, h] : hosts_) n += (h.listed && Ejected(h, now)) ? 1 : 0;
  return n;
}

bool UpstreamCluster::InPanic(SimTime now) const {
  size_t total = hosts();
  if (total == 0) return false;
  double healthy = 100.0 * static_cast<double>(total - ejected(now)) / static_cast<double>(total);
  return healthy < kHealthyPanicThreshold;
}

std::string UpstreamCluster::Pick(std::mt19937_64& rng, SimTime now, const std::set<std::string>& exclude) {
  const bool panic = InPanic(now);
  std::vector<const Host*> candidates;
  for (const auto& [name, h] : hosts_) {
    if (!h.listed || (!panic && Ejected(h, now))) continue;
    candidates.push_back(&h);
  }
  // The previous_hosts predicate: another host if there is one (Envoy retries host selection up to 5 times).
  std::vector<const Host*> fresh;
  for (const Host* h : candidates) {
    if (!exclude.count(h->ep.pod)) fresh.push_back(h);
  }
  const std::vector<const Host*>& from = fresh.empty() ? candidates : fresh;
  if (from.empty()) return "";
  if (from.size() == 1) return from[0]->ep.pod;
  // Power of two choices (Envoy's LEAST_REQUEST with choice_count 2).
  std::uniform_int_distribution<size_t> pick(0, from.size() - 1);
  const Host* a = from[pick(rng)];
  const Host* b = from[pick(rng)];
  return (b->active < a->active ? b : a)->ep.pod;
}

UpstreamCluster::Admission UpstreamCluster::Admit(const std::string& name) {
  auto it = hosts_.find(name);
  if (it == hosts_.end()) return Admission::kOverflow;
  Host& h = it->second;
  if (active_rq_ >= cb_.max_requests) return Admission::kOverflow;
  if (h.active < h.connections) {
    ++h.active;
    ++active_rq_;
    return Admission::kGo;
  }
  if (cx_total_ < cb_.max_connections) {
    ++h.connections;
    ++cx_total_;
    ++h.active;
    ++active_rq_;
    return Admission::kGo;
  }
  if (pending_total_ >= cb_.max_pending_requests) return Admission::kOverflow;
  ++h.pending;
  ++pending_total_;
  return Admission::kPending;
}

bool UpstreamCluster::Release(const std::string& name, bool connection_failed) {
  auto it = hosts_.find(name);
  if (it == hosts_.end()) return false;
  Host& h = it->second;
  if (h.active > 0) {
    --h.active;
    --active_rq_;
  }
  if (connection_failed && h.connections > 0) {
    --h.connections;
    --cx_total_;
  }
  // The freed connection takes the oldest pending request; a failed one is replaced by a new connection for it
  // while the pool may grow (Envoy's connection pool re-establishes connections for its pending streams).
  if (h.pending > 0 && (!connection_failed || cx_total_ < cb_.max_connections)) {
    if (connection_failed) {
      ++h.connections;
      ++cx_total_;
    }
    --h.pending;
    --pending_total_;
    ++h.active;
    ++active_rq_;
    return true;
  }
  MaybeForget(name);
  return false;
}

void UpstreamCluster::CancelPending(const std::string& name) {
  auto it = hosts_.find(name);
  if (it == hosts_.end() || it->second.pending == 0) return;
  --it->second.pending;
  --pending_total_;
  MaybeForget(name);
}

bool UpstreamCluster::OnResult(const std::string& name, bool failed, SimTime now) {
  auto it = hosts_.find(name);
  if (it == hosts_.end()) return false;
  Host& h = it->second;
  if (!failed) {
    h.consecutive_5xx = 0;
    return false;
  }
  ++h.consecutive_5xx;
  if (!outlier_.enabled || Ejected(h, now) || h.consecutive_5xx < outlier_.consecutive_5xx || !h.listed) return false;
  // Envoy: eject while the ejected share stays below max_ejection_percent; at least one host may always go.
  size_t total = hosts(), out = ejected(now);
  double share = total ? 100.0 * static_cast<double>(out) / static_cast<double>(total) : 100.0;
  if (out > 0 && share >= outlier_.max_ejection_percent) return false;
  if (out == 0 && outlier_.max_ejection_percent == 0) return false;
  ++h.times_ejected;
  SimTime t = std::min(outlier_.max_ejection_time, outlier_.base_ejection_time * static_cast<SimTime>(h.times_ejected));
  h.ejected_until = now + t;
  h.consecutive_5xx = 0;
  return true;
}

size_t UpstreamCluster::Sweep(SimTime now) {
  size_t back = 0;
  for (auto& [name, h] : hosts_) {
    if (h.ejected_until >= 0 && now >= h.ejected_until) {
      h.ejected_until = -1;
      ++back;
    }
  }
  return back;
}

void RouteTable::Apply(const Snapshot& s) {
  configured_ = true;
  version_ = s.version;
  routes_ = s.routes;
  for (auto it = clusters_.begin(); it != clusters_.end();) {
    if (!s.clusters.count(it->first)) it = clusters_.erase(it);
    else ++it;
  }
  for (const auto& [name, eps] : s.clusters) {
    auto it = clusters_.find(name);
    if (it == clusters_.end()) it = clusters_.emplace(name, UpstreamCluster(outlier_, cb_)).first;
    it->second.SetEndpoints(eps);
  }
}

const RouteEntry* RouteTable::Route(const std::string& service) const {
  auto it = routes_.find(service);
  return it == routes_.end() ? nullptr : &it->second;
}

uint32_t RouteTable::TotalWeight(const RouteEntry& r) {
  uint32_t t = 0;
  for (const auto& c : r.clusters) t += c.weight;
  return t;
}

const std::string& RouteTable::PickCluster(const RouteEntry& r, uint64_t draw) {
  static const std::string kNone;
  uint32_t total = TotalWeight(r);
  if (total == 0) return kNone;
  uint64_t x = draw % total;
  for (const auto& c : r.clusters) {
    if (x < c.weight) return c.cluster;
    x -= c.weight;
  }
  return r.clusters.back().cluster;
}

UpstreamCluster* RouteTable::Cluster(const std::string& name) {
  auto it = clusters_.find(name);
  return it == clusters_.end() ? nullptr : &it->second;
}

SimTime RetryBackoff(const RetryPolicy& p, uint32_t retry, double u) {
  SimTime cap = p.backoff_base * ((SimTime{1} << std::min<uint32_t>(retry, 20)) - 1);
  cap = std::min(cap, p.backoff_max);
  return static_cast<SimTime>(u * static_cast<double>(cap));
}

}  // namespace planelab::envoy
