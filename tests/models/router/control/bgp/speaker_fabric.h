// A test harness for BgpSpeaker: speakers wired by hand, messages carried as real bytes (encoded,
// split and decoded as on a TCP stream), time advanced in steps. Shared by the BGP core's tests.
#pragma once
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "models/router/control/bgp/bgp_speaker.h"

namespace planelab::bgp::bgptest {

inline uint32_t A(int a, int b, int c, int d) { return (uint32_t(a) << 24) | (b << 16) | (c << 8) | d; }

/// Speakers wired by hand: a session is (speaker, peer index) <-> (speaker, peer index).
class Fabric {
 public:
  struct End {
    int sp;
    size_t peer;
  };
  void AddSpeaker(int id, uint32_t as, std::vector<Prefix> originated, SpeakerConfig base = {}) {
    cfg_[id] = base;
    cfg_[id].local_as = as;
    cfg_[id].router_id = static_cast<uint32_t>(id);
    orig_[id] = originated;
  }
  void Session(int a, int b, int subnet) {
    PeerConfig pa{A(10, 0, subnet, 2), A(10, 0, subnet, 1), static_cast<uint32_t>(peers_[a].size() + 1), cfg_[b].local_as, true};
    PeerConfig pb{A(10, 0, subnet, 1), A(10, 0, subnet, 2), static_cast<uint32_t>(peers_[b].size() + 1), cfg_[a].local_as, false};
    wires_[{a, peers_[a].size()}] = {b, peers_[b].size()};
    wires_[{b, peers_[b].size()}] = {a, peers_[a].size()};
    peers_[a].push_back(pa);
    peers_[b].push_back(pb);
  }
  void Start() {
    for (auto& [id, c] : cfg_) sp_[id].reset(new BgpSpeaker(c, peers_[id], orig_[id]));
    for (auto& [id, s] : sp_) {
      std::vector<Action> out;
      s->Start(now_, &out);
      Apply(id, out);
    }
    Drain();
  }
  void Apply(int id, std::vector<Action>& out) {
    for (auto& a : out) {
      End other = wires_.at({id, a.peer});
      if (cut_.count({id, a.peer})) {
        if (a.kind == Action::Kind::kConnect) pending_.push_back({[this, id, p = a.peer]() {
          std::vector<Action> o;
          sp_[id]->OnTcpDown(now_, p, &o);
          Apply(id, o);
        }});
        continue;
      }
      if (a.kind == Action::Kind::kConnect) {
        pending_.push_back({[this, id, p = a.peer, other]() {
          std::vector<Action> o1, o2;
          sp_[id]->OnTcpUp(now_, p, &o1);
          sp_[other.sp]->OnTcpUp(now_, other.peer, &o2);
          Apply(id, o1);
          Apply(other.sp, o2);
        }});
      } else if (a.kind == Action::Kind::kSend) {
        // One write may carry several messages back to back, as on a TCP stream.
        ForEachMessage(a.bytes.data(), a.bytes.size(), [&](const uint8_t* data, size_t size) {
          pending_.push_back({[this, other, bytes = std::vector<uint8_t>(data, data + size)]() {
            Message m;
            ASSERT_TRUE(Decode(bytes.data(), bytes.size(), &m));
            ++delivered_;
            std::vector<Action> o;
            sp_[other.sp]->OnMessage(now_, other.peer, m, &o);
            Apply(other.sp, o);
          }});
        });
      } else {
        pending_.push_back({[this, other]() {
          std::vector<Action> o;
          sp_[other.sp]->OnTcpDown(now_, other.peer, &o);
          Apply(other.sp, o);
        }});
      }
    }
    out.clear();
  }
  void Drain() {
    while (!pending_.empty()) {
      auto f = pending_.front();
      pending_.pop_front();
      f.fn();
    }
  }
  /// Advances time in steps, running due timers.
  void Advance(SimTime dt, SimTime step = 1 * kSec) {
    SimTime end = now_ + dt;
    while (now_ < end) {
      now_ = std::min(end, now_ + step);
      for (auto& [id, s] : sp_) {
        std::vector<Action> out;
        s->Tick(now_, &out);
        Apply(id, out);
      }
      Drain();
    }
  }
  /// Silently loses everything on a session (no TCP close): only the hold timer can notice.
  void Blackhole(int a, size_t peer) {
    End b = wires_.at({a, peer});
    cut_.insert({a, peer});
    cut_.insert({b.sp, b.peer});
  }
  void Heal(int a, size_t peer) {
    End b = wires_.at({a, peer});
    cut_.erase({a, peer});
    cut_.erase({b.sp, b.peer});
  }
  void Reset(int a, size_t peer) {
    std::vector<Action> out;
    sp_[a]->ResetSession(now_, peer, &out);
    Apply(a, out);
    Drain();
  }
  /// The interface of one of `id`'s own prefixes goes down or comes back.
  bool Origin(int id, const Prefix& p, bool up) {
    std::vector<Action> out;
    bool changed = sp_[id]->SetOriginUp(now_, p, up, &out);
    Apply(id, out);
    Drain();
    return changed;
  }
  BgpSpeaker& sp(int id) { return *sp_[id]; }
  SimTime now() const { return now_; }
  uint64_t delivered() const { return delivered_; }

 private:
  struct Pending {
    std::function<void()> fn;
  };
  SimTime now_ = 0;
  uint64_t delivered_ = 0;
  std::map<int, SpeakerConfig> cfg_;
  std::map<int, std::vector<Prefix>> orig_;
  std::map<int, std::vector<PeerConfig>> peers_;
  std::map<std::pair<int, size_t>, End> wires_;
  std::set<std::pair<int, size_t>> cut_;
  std::map<int, std::unique_ptr<BgpSpeaker>> sp_;
  std::deque<Pending> pending_;
};

}  // namespace planelab::bgp::bgptest
