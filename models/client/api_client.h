// A client of the API server as client-go is: requests with a timeout behind a client-side rate limiter
// (QPS and burst), and watches that list, stream, and start over when the stream breaks or goes quiet.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "models/proto/cluster_api.h"

namespace planelab {

class Network;
class MessageSocket;

/// Owned by one plane actor; every callback runs only while that actor's `alive` flag holds.
class ApiClient {
 public:
  using Done = std::function<void(const ApiResponse&)>;
  /// A watch's events; `relist` is true when `events` is a full fresh list (the cache is to be replaced).
  using OnEvents = std::function<void(const std::vector<ApiWatchBatch::Event>& events, bool relist)>;
  /// client-go's defaults are 5 QPS / burst 10; components raise them (kube-controller-manager 20/30,
  /// kube-scheduler 50/100, kubelet 50/100).
  ApiClient(Network& net, const std::string& device, const std::string& api_server, double qps, double burst,
            std::function<bool()> alive);
  ~ApiClient();
  /// Sends `req`; `done` gets the answer, or code 504 when `timeout` passes first (client-side timeout).
  void Call(ApiRequest req, SimTime timeout, Done done);
  /// Lists and watches `kind` (with the server-side filter `filter`) for as long as the owner lives.
  void Watch(ObjectKind kind, const std::string& filter, OnEvents on_events);
  /// Requests waiting for the rate limiter.
  size_t throttled() const { return queue_.size(); }
  size_t in_flight() const { return pending_.size(); }

 private:
  struct Waiting {
    ApiRequest req;
    SimTime timeout;
    Done done;
  };
  struct WatchState {
    ObjectKind kind;
    std::string filter;
    OnEvents on_events;
    std::unique_ptr<MessageSocket> sock;  // one stream, one socket (as HTTP/2 gives each watch a stream)
    uint64_t stream = 0;                   // the current stream's id; batches of older streams are ignored
    uint64_t seq = 0;
    SimTime last_heard = 0;
    bool established = false;
  };
  void OnBatch(uint64_t watch, const ApiWatchBatch& b);
  void Pump();
  void Issue(Waiting w);
  void StartWatch(uint64_t watch_id);
  void CheckWatches();
  double Jitter();  // in [0, 1)

  Network& net_;
  std::unique_ptr<MessageSocket> sock_;
  uint32_t server_addr_ = 0;
  double qps_, burst_, tokens_;
  SimTime refilled_ = 0;
  bool pump_armed_ = false;
  std::function<bool()> alive_;
  std::shared_ptr<bool> valid_;
  std::deque<Waiting> queue_;
  std::map<uint64_t, Done> pending_;
  std::map<uint64_t, WatchState> watches_;
  uint64_t next_watch_ = 1;
  bool watch_check_armed_ = false;
  std::string device_;
  uint64_t jitter_state_ = 1;
  uint64_t next_id_ = 1;
};

}  // namespace planelab
