#include "models/client/api_client.h"

#include <algorithm>

#include "sim/core/clock.h"
#include "sim/core/message_socket.h"
#include "sim/core/network.h"

namespace planelab {

namespace {
// The API server sends a bookmark at least this often; a watch silent for three of them is started over.
constexpr SimTime kWatchSilence = 45 * kSec;
constexpr SimTime kWatchRetry = 1 * kSec;
constexpr SimTime kWatchSetupTimeout = 5 * kSec;
}  // namespace

ApiClient::ApiClient(Network& net, const std::string& device, const std::string& api_server, double qps,
                     double burst, std::function<bool()> alive)
    : net_(net), qps_(qps), burst_(burst), tokens_(burst), alive_(std::move(alive)), valid_(new bool(true)) {
  sock_.reset(new MessageSocket(net, device, 0));
  server_addr_ = net.ServiceAddress(api_server);
  refilled_ = Clock::Now();
  device_ = device;
  jitter_state_ = 0x9E3779B97F4A7C15ULL ^ (uint64_t(sock_->address()) << 16) ^ sock_->port();
  std::weak_ptr<bool> valid = valid_;
  sock_->OnReceive([this, valid](uint32_t, uint16_t, std::shared_ptr<const void> msg) {
    if (valid.expired() || !alive_()) return;
    const auto& r = *std::static_pointer_cast<const ApiResponse>(msg);
    auto it = pending_.find(r.id);
    if (it == pending_.end()) return;  // answered after our timeout
    Done done = std::move(it->second);
    pending_.erase(it);
    done(r);
  });
}

ApiClient::~ApiClient() { *valid_ = false; }

double ApiClient::Jitter() {
  // A small deterministic generator per client (xorshift), seeded from the client's socket port and address.
  jitter_state_ ^= jitter_state_ << 13;
  jitter_state_ ^= jitter_state_ >> 7;
  jitter_state_ ^= jitter_state_ << 17;
  return static_cast<double>(jitter_state_ % 1000000) / 1000000.0;
}

void ApiClient::Call(ApiRequest req, SimTime timeout, Done done) {
  queue_.push_back({std::move(req), timeout, std::move(done)});
  Pump();
}

void ApiClient::Pump() {
  SimTime now = Clock::Now();
  tokens_ = std::min(burst_, tokens_ + qps_ * ToSeconds(now - refilled_));
  refilled_ = now;
  while (!queue_.empty() && tokens_ >= 1.0) {
    tokens_ -= 1.0;
    Waiting w = std::move(queue_.front());
    queue_.pop_front();
    Issue(std::move(w));
  }
  if (!queue_.empty() && !pump_armed_) {
    pump_armed_ = true;
    SimTime wait = static_cast<SimTime>((1.0 - tokens_) / qps_ * 1e9) + 1;
    std::weak_ptr<bool> valid = valid_;
    Clock::After(wait, [this, valid]() {
      if (valid.expired()) return;
      pump_armed_ = false;
      if (alive_()) Pump();
    });
  }
}

void ApiClient::Issue(Waiting w) {
  if (w.req.verb == Verb::kWatch) {
    // Sent from the watch's own socket, so the stream's batches come back to it.
    for (auto& [wid, ws] : watches_) {
      if (ws.stream != w.req.watch_id) continue;
      auto msg = std::make_shared<ApiRequest>(std::move(w.req));
      ws.sock->Send(server_addr_, kApiServerPort, msg->Bytes(), msg);
    }
    return;
  }
  uint64_t id = next_id_++;
  w.req.id = id;
  pending_[id] = std::move(w.done);
  auto msg = std::make_shared<ApiRequest>(std::move(w.req));
  sock_->Send(server_addr_, kApiServerPort, msg->Bytes(), msg);
  std::weak_ptr<bool> valid = valid_;
  Clock::After(w.timeout, [this, valid, id]() {
    if (valid.expired()) return;
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    Done done = std::move(it->second);
    pending_.erase(it);
    if (!alive_()) return;
    ApiResponse r;
    r.id = id;
    r.code = 504;
    done(r);
  });
}

void ApiClient::Watch(ObjectKind kind, const std::string& filter, OnEvents on_events) {
  uint64_t id = next_watch_++;
  WatchState& w = watches_[id];
  w.kind = kind;
  w.filter = filter;
  w.on_events = std::move(on_events);
  w.sock.reset(new MessageSocket(net_, device_, 0));
  std::weak_ptr<bool> valid = valid_;
  w.sock->OnReceive([this, valid, id](uint32_t, uint16_t, std::shared_ptr<const void> msg) {
    if (valid.expired() || !alive_()) return;
    OnBatch(id, *std::static_pointer_cast<const ApiWatchBatch>(msg));
  });
  StartWatch(id);
  if (!watch_check_armed_) {
    watch_check_armed_ = true;
    Clock::After(kWatchSilence / 3, [this, valid]() { if (!valid.expired()) CheckWatches(); });
  }
}

void ApiClient::StartWatch(uint64_t watch) {
  WatchState& w = watches_.at(watch);
  w.stream = next_id_++;
  w.seq = 0;
  w.established = false;
  w.last_heard = Clock::Now();
  ApiRequest req;
  req.verb = Verb::kWatch;
  req.kind = w.kind;
  req.node_filter = w.filter;
  req.watch_id = w.stream;
  // A watch is a request too: it waits for the rate limiter like any other.
  queue_.push_back({std::move(req), 0, nullptr});
  Pump();
  // No answer to the watch request in time (lost on the way, or the server is gone): ask again.
  uint64_t stream = w.stream;
  std::weak_ptr<bool> valid = valid_;
  // Retries are jittered, as client-go's reflectors back off, so many clients do not retry in lockstep.
  SimTime jitter = static_cast<SimTime>(static_cast<double>(kWatchSetupTimeout) * Jitter());
  Clock::After(kWatchSetupTimeout + jitter, [this, valid, watch, stream]() {
    if (valid.expired() || !alive_()) return;
    auto it = watches_.find(watch);
    if (it != watches_.end() && it->second.stream == stream && !it->second.established) StartWatch(watch);
  });
}

void ApiClient::OnBatch(uint64_t watch, const ApiWatchBatch& b) {
  auto it = watches_.find(watch);
  if (it == watches_.end()) return;
  WatchState& w = it->second;
  if (b.watch_id != w.stream) return;
  if (b.seq == 0) {
    if (b.code != 200) {
      // Refused (429) or failed: try again shortly, as a reflector backs off.
      std::weak_ptr<bool> valid = valid_;
      SimTime jitter = static_cast<SimTime>(static_cast<double>(kWatchRetry) * Jitter());
      Clock::After(kWatchRetry + jitter, [this, valid, watch]() { if (!valid.expired() && alive_()) StartWatch(watch); });
      w.stream = 0;
      return;
    }
    w.seq = 0;
    w.established = true;
    w.last_heard = Clock::Now();
    w.on_events(b.events, true);
    return;
  }
  if (b.seq != w.seq + 1) {
    StartWatch(watch);  // a batch went missing: list and watch again
    return;
  }
  w.seq = b.seq;
  w.last_heard = Clock::Now();
  if (!b.events.empty()) w.on_events(b.events, false);
}

void ApiClient::CheckWatches() {
  std::weak_ptr<bool> valid = valid_;
  Clock::After(kWatchSilence / 3, [this, valid]() { if (!valid.expired()) CheckWatches(); });
  if (!alive_()) return;
  SimTime now = Clock::Now();
  for (auto& [id, w] : watches_) {
    if (now - w.last_heard > kWatchSilence) StartWatch(id);
  }
}

}  // namespace planelab
