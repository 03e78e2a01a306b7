#include "models/router/control/router_control_plane.h"

#include <algorithm>
#include <iterator>

#include <nlohmann/json.hpp>

#include "models/router/control/router_control_metrics.h"

namespace planelab {

RouterControlPlane::RouterControlPlane(RunContext& ctx, const std::string& device, const RoutingSpec& spec,
                                       Port<FibProgram>& to_data, Port<ControlStatus>& to_mgmt)
    : PlaneActor(ctx, device, Plane::kControl), spec_(spec), to_data_(to_data), to_mgmt_(to_mgmt) {
  // Every router's RIB numbers the run's prefixes alike (see SharedKeyMap).
  std::shared_ptr<void>& keys = ctx.shared["router.rib-keys"];
  if (!keys) keys = std::make_shared<KeyNumbering>();
  rib_ = SharedKeyMap(std::static_pointer_cast<KeyNumbering>(keys));
  const RouterControlMetrics& m = RouterControlMetrics::Get();
  util_ = AddGauge(m.cpu_utilization);
  Gauge* depth = AddGauge(m.cpu_queue_depth);
  Histogram* wait = AddHistogram(m.cpu_wait);
  wait_max_ = AddGauge(m.cpu_wait_max);
  adjacencies_ = AddGauge(m.adjacencies_up);
  rib_routes_ = AddGauge(m.rib_routes);
  divergence_ = AddGauge(m.rib_fib_divergence);
  route_changes_ = AddCounter(m.route_changes);
  convergence_ = AddHistogram(m.convergence);
  messages_ = AddCounter(m.messages_received);
  cpu_.BindMetrics(wait, depth);
}

void RouterControlPlane::NoteChange() {
  if (change_since_ < 0) change_since_ = Clock::Now();
}

void RouterControlPlane::ProgramFibGroups(const std::vector<std::pair<std::pair<uint32_t, uint8_t>, uint32_t>>& routes,
                                          const std::vector<std::vector<FibNextHop>>& groups) {
  // The computation's next-hop sets become RIB group ids once each, not once per route.
  constexpr uint32_t kUnset = UINT32_MAX;
  std::vector<uint32_t> ids(groups.size(), kUnset);
  std::vector<std::pair<uint64_t, uint32_t>> changes;  // RIB key -> group id, kRemove to remove
  size_t in_rib = 0;  // routes of the computation the RIB already has
  for (const auto& [key, g] : routes) {
    if (groups[g].empty()) {
      changes.emplace_back(RibKey(key.first, key.second), kRemove);
      continue;
    }
    if (ids[g] == kUnset) ids[g] = groups_.Id(groups[g]);
    const uint64_t k = RibKey(key.first, key.second);
    const uint32_t have = rib_.Get(k);
    if (have != SharedKeyMap::kNone) ++in_rib;
    if (have != ids[g]) changes.emplace_back(k, ids[g]);
  }
  size_t kept = changes.size();
  // Routes the computation no longer has are removed; when every RIB route was among its routes there are none,
  // which is the common case, and the RIB need not be walked.
  if (in_rib < rib_.size()) rib_.ForEach([&](uint64_t key, uint32_t) {
    std::pair<uint32_t, uint8_t> k{uint32_t(key >> 8), uint8_t(key & 255)};
    auto it = std::lower_bound(routes.begin(), routes.end(), k,
                               [](const auto& entry, const std::pair<uint32_t, uint8_t>& x) { return entry.first < x; });
    if (it == routes.end() || it->first != k) changes.emplace_back(key, kRemove);
  });
  // RIB keys order as (prefix, length) do.
  if (changes.size() != kept) std::sort(changes.begin(), changes.end());
  Program(changes);
}

void RouterControlPlane::ProgramFibChanges(const FibChanges& changes) {
  std::vector<std::pair<uint64_t, uint32_t>> ids;
  ids.reserve(changes.size());
  for (const auto& [key, hops] : changes) {
    ids.emplace_back(RibKey(key.first, key.second), hops.empty() ? kRemove : groups_.Id(hops));
  }
  Program(ids);
}

void RouterControlPlane::Program(const std::vector<std::pair<uint64_t, uint32_t>>& changes) {
  FibProgram prog;
  constexpr uint32_t kUnset = UINT32_MAX;
  std::vector<uint32_t> in_program;  // RIB group id -> index in prog.groups
  for (const auto& [k, id] : changes) {
    const uint32_t prefix = uint32_t(k >> 8);
    const uint8_t len = uint8_t(k & 255);
    if (id == kRemove) {
      if (!rib_.Erase(k)) continue;
      prog.changes.push_back({prefix, len, true, 0});
      continue;
    }
    if (rib_.Get(k) == id) continue;
    rib_.Set(k, id);
    if (id >= in_program.size()) in_program.resize(id + 1, kUnset);
    if (in_program[id] == kUnset) {
      in_program[id] = static_cast<uint32_t>(prog.groups.size());
      prog.groups.push_back(groups_[id]);
    }
    prog.changes.push_back({prefix, len, false, in_program[id]});
  }
  rib_routes_->Set(static_cast<double>(rib_.size()));
  if (!prog.changes.empty()) {
    prog.version = ++fib_version_;
    prog.triggered_at = change_since_ < 0 ? Clock::Now() : change_since_;
    route_changes_->Add(static_cast<double>(prog.changes.size()));
    unacked_[prog.version] = prog.changes.size();
    nlohmann::json d = {{"version", prog.version}, {"changes", prog.changes.size()}, {"rib_routes", rib_.size()}};
    Emit("rib.changed", d.dump());
    to_data_.Send(std::move(prog));
  }
  change_since_ = -1;
}

void RouterControlPlane::ReloadFib() {
  FibProgram prog;
  prog.full = true;
  std::vector<std::pair<uint64_t, uint32_t>> routes;
  rib_.ForEach([&](uint64_t key, uint32_t g) { routes.emplace_back(key, g); });
  std::sort(routes.begin(), routes.end());
  for (size_t g = 0; g < groups_.size(); ++g) prog.groups.push_back(groups_[static_cast<uint32_t>(g)]);
  for (const auto& [key, g] : routes) prog.changes.push_back({uint32_t(key >> 8), uint8_t(key & 255), false, g});
  prog.version = ++fib_version_;
  prog.triggered_at = Clock::Now();
  unacked_.clear();
  unacked_[prog.version] = prog.changes.size();
  nlohmann::json d = {{"version", prog.version}, {"routes", prog.changes.size()}};
  Emit("fib.reload", d.dump());
  to_data_.Send(std::move(prog));
}

void RouterControlPlane::CrashShared() {
  cpu_.Flush();
  unacked_.clear();
  change_since_ = -1;
}

void RouterControlPlane::OnDataMessage(const DataToControl& m) {
  if (const auto* e = std::get_if<InterfaceEvent>(&m)) {
    InterfaceEvent ev = *e;
    NoteChange();
    cpu_.Submit(spec_.cpu_cost_message, [this, ev]() {
      if (ev.bfd) {
        Emit(ev.up ? "bfd.up" : "bfd.down", nlohmann::json({{"ifindex", ev.ifindex}}).dump());
        OnBfd(ev.ifindex, ev.up);
        return;
      }
      Emit(ev.up ? "interface.up" : "interface.down", nlohmann::json({{"ifindex", ev.ifindex}}).dump());
      OnCarrier(ev.ifindex, ev.up);
    });
  } else if (const auto* ack = std::get_if<FibAck>(&m)) {
    unacked_.erase(ack->version);
    convergence_->Observe(ToSeconds(Clock::Now() - ack->triggered_at));
  } else if (std::holds_alternative<FibReload>(m)) {
    cpu_.Submit(spec_.cpu_cost_message, [this]() { ReloadFib(); });
  }
}

void RouterControlPlane::OnStatusQuery(const StatusQuery& q) {
  // Answered by the OS's status path, not queued behind routing work: SNMP still reads the CPU load.
  ControlStatus s;
  s.id = q.id;
  s.cpu_utilization = last_util_;
  s.adjacencies_up = static_cast<uint32_t>(AdjacenciesUp());
  s.adjacencies_configured = static_cast<uint32_t>(AdjacenciesConfigured());
  s.rib_routes = rib_.size();
  s.peers = PeerStates();
  to_mgmt_.Send(s);
}

Health RouterControlPlane::MeasureHealth() {
  last_util_ = cpu_.TakeUtilization();
  double wait = cpu_.TakeMaxWait();
  util_->Set(last_util_);
  wait_max_->Set(wait);
  adjacencies_->Set(static_cast<double>(AdjacenciesUp()));
  size_t pending = 0;
  for (const auto& [_, n] : unacked_) pending += n;
  divergence_->Set(static_cast<double>(pending));
  // A route processor that is nearly always busy, or whose work waits, cannot make changes promptly.
  Health h = (last_util_ >= 0.9 || wait >= 0.5) ? Health::kDegraded : Health::kUp;
  return WithLifecycle(h);
}

}  // namespace planelab
