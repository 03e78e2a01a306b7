// The session FSM as a table (RFC 4271 §8.2.2): every state x event cell is defined, the cells
// keep the invariants the speaker relies on, and the ones RFC 4271 spells out say what it says.
#include <gtest/gtest.h>

#include <climits>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/router/control/bgp/bgp_speaker.h"

namespace planelab::bgp {
namespace {

using S = SessionState;
using E = FsmEvent;
using A = FsmAction;

std::vector<S> AllStates() {
  std::vector<S> v;
  for (size_t i = 0; i < kSessionStates; ++i) v.push_back(static_cast<S>(i));
  return v;
}
std::vector<E> AllEvents() {
  std::vector<E> v;
  for (size_t i = 0; i < kFsmEvents; ++i) v.push_back(static_cast<E>(i));
  return v;
}
bool Releases(A a) {
  return a == A::kDrop || a == A::kClose || a == A::kNotifyFsmError || a == A::kNotifyHoldExpired ||
         a == A::kNotifyCease || a == A::kNotifyError;
}
std::string Cell(S s, E e) { return std::string(ToString(s)) + " x " + ToString(e); }

TEST(BgpFsm, EveryStateEventPairHasADefinedEntry) {
  std::set<std::string> names;
  for (S s : AllStates()) {
    for (E e : AllEvents()) {
      const FsmTransition& t = FsmLookup(s, e);
      EXPECT_NE(t.action, A::kUndefined) << Cell(s, e);
      EXPECT_LT(static_cast<size_t>(t.next), kSessionStates) << Cell(s, e);
      EXPECT_STRNE(ToString(t.action), "?") << Cell(s, e);
      names.insert(Cell(s, e));
    }
  }
  EXPECT_EQ(names.size(), kSessionStates * kFsmEvents);  // the names tell cells apart: no "?" left
  EXPECT_EQ(kSessionStates * kFsmEvents, 90u);
}

TEST(BgpFsm, ReleasingASessionLeadsToIdleAndNothingElseDoes) {
  for (S s : AllStates()) {
    for (E e : AllEvents()) {
      const FsmTransition& t = FsmLookup(s, e);
      if (Releases(t.action)) {
        EXPECT_EQ(t.next, S::kIdle) << Cell(s, e) << ": " << ToString(t.action);
      } else if (t.next == S::kIdle) {
        EXPECT_EQ(s, S::kIdle) << Cell(s, e) << ": reaches Idle without releasing the session";
      }
      // OpenSent, OpenConfirm and Established run the hold timer: they are left only forward or
      // by releasing (which stops it), never sideways to Connect or Active.
      if (s >= S::kOpenSent && t.next < S::kOpenSent) {
        EXPECT_TRUE(Releases(t.action)) << Cell(s, e);
      }
    }
  }
}

TEST(BgpFsm, TimersActOnlyInTheStatesThatRunThem) {
  for (S s : AllStates()) {
    bool hold_runs = s == S::kOpenSent || s == S::kOpenConfirm || s == S::kEstablished;
    EXPECT_EQ(FsmLookup(s, E::kHoldTimerExpires).action, hold_runs ? A::kNotifyHoldExpired : A::kNone) << ToString(s);
    bool keepalive_runs = s == S::kOpenConfirm || s == S::kEstablished;
    EXPECT_EQ(FsmLookup(s, E::kKeepaliveTimerExpires).action, keepalive_runs ? A::kSendKeepalive : A::kNone)
        << ToString(s);
    A retry = s == S::kIdle ? A::kConnect : s == S::kConnect ? A::kReconnect : A::kNone;
    EXPECT_EQ(FsmLookup(s, E::kConnectRetryTimerExpires).action, retry) << ToString(s);
  }
}

TEST(BgpFsm, CellsThatRfc4271SpellsOut) {
  struct Expect {
    S state;
    E event;
    A action;
    S next;
  };
  const std::vector<Expect> rfc = {
      // Idle: ManualStart opens the connection (active) or listens (passive).
      {S::kIdle, E::kManualStart, A::kConnect, S::kConnect},
      {S::kIdle, E::kPassiveStart, A::kNone, S::kActive},
      // Connect / Active: the TCP connection completes, OPEN goes out.
      {S::kConnect, E::kTcpConnectionUp, A::kSendOpen, S::kOpenSent},
      {S::kActive, E::kTcpConnectionUp, A::kSendOpen, S::kOpenSent},
      {S::kConnect, E::kConnectRetryTimerExpires, A::kReconnect, S::kConnect},
      {S::kConnect, E::kTcpConnectionFails, A::kDrop, S::kIdle},
      // OpenSent: a valid OPEN -> OpenConfirm; a bad one -> its OPEN Message Error; anything else
      // -> Finite State Machine Error.
      {S::kOpenSent, E::kBgpOpen, A::kAcceptOpen, S::kOpenConfirm},
      {S::kOpenSent, E::kBgpOpenMsgErr, A::kNotifyError, S::kIdle},
      {S::kOpenSent, E::kBgpHeaderErr, A::kNotifyError, S::kIdle},
      {S::kOpenSent, E::kKeepAliveMsg, A::kNotifyFsmError, S::kIdle},
      {S::kOpenSent, E::kUpdateMsg, A::kNotifyFsmError, S::kIdle},
      {S::kOpenSent, E::kUpdateMsgErr, A::kNotifyFsmError, S::kIdle},
      {S::kOpenSent, E::kHoldTimerExpires, A::kNotifyHoldExpired, S::kIdle},
      {S::kOpenSent, E::kNotifMsg, A::kClose, S::kIdle},
      // OpenConfirm: KEEPALIVE -> Established.
      {S::kOpenConfirm, E::kKeepAliveMsg, A::kEstablish, S::kEstablished},
      {S::kOpenConfirm, E::kKeepaliveTimerExpires, A::kSendKeepalive, S::kOpenConfirm},
      {S::kOpenConfirm, E::kBgpHeaderErr, A::kNotifyError, S::kIdle},
      {S::kOpenConfirm, E::kBgpOpenMsgErr, A::kNotifyError, S::kIdle},
      {S::kOpenConfirm, E::kUpdateMsg, A::kNotifyFsmError, S::kIdle},
      // Established: KEEPALIVE and UPDATE restart the hold timer; a bad UPDATE gets its UPDATE
      // Message Error; an OPEN (good or bad) is a Finite State Machine Error.
      {S::kEstablished, E::kKeepAliveMsg, A::kRestartHold, S::kEstablished},
      {S::kEstablished, E::kUpdateMsg, A::kProcessUpdate, S::kEstablished},
      {S::kEstablished, E::kUpdateMsgErr, A::kNotifyError, S::kIdle},
      {S::kEstablished, E::kBgpOpen, A::kNotifyFsmError, S::kIdle},
      {S::kEstablished, E::kBgpOpenMsgErr, A::kNotifyFsmError, S::kIdle},
      {S::kEstablished, E::kBgpHeaderErr, A::kNotifyError, S::kIdle},
      {S::kEstablished, E::kNotifMsg, A::kClose, S::kIdle},
      {S::kEstablished, E::kTcpConnectionFails, A::kDrop, S::kIdle},
      {S::kEstablished, E::kAdminReset, A::kNotifyCease, S::kIdle},
      {S::kEstablished, E::kHoldTimerExpires, A::kNotifyHoldExpired, S::kIdle},
  };
  for (const auto& x : rfc) {
    const FsmTransition& t = FsmLookup(x.state, x.event);
    EXPECT_EQ(t.action, x.action) << Cell(x.state, x.event) << ": " << ToString(t.action);
    EXPECT_EQ(t.next, x.next) << Cell(x.state, x.event) << ": " << ToString(t.next);
  }
}

/// One speaker and its single neighbour's messages, played by hand through the table.
class OneSession : public ::testing::Test {
 protected:
  void SetUp() override {
    SpeakerConfig c;
    c.local_as = 65001;
    c.router_id = 1;
    c.timer_jitter = c.mrai_jitter = false;
    PeerConfig p{0x0a000002, 0x0a000001, 1, 65002, true};
    sp_.reset(new BgpSpeaker(c, {p}, {{0xc0a80100, 24}}));
  }
  Message Open(uint32_t as = 65002, uint16_t hold = 90, uint32_t id = 2) {
    Message m;
    m.type = MessageType::kOpen;
    m.open = {as, hold, id};
    return m;
  }
  Message Keepalive() {
    Message m;
    m.type = MessageType::kKeepalive;
    return m;
  }
  /// The messages sent in `out`, decoded.
  static std::vector<Message> Sent(const std::vector<Action>& out) {
    std::vector<Message> msgs;
    for (const auto& a : out) {
      if (a.kind != Action::Kind::kSend) continue;
      ForEachMessage(a.bytes.data(), a.bytes.size(), [&](const uint8_t* d, size_t n) {
        Message m;
        EXPECT_TRUE(Decode(d, n, &m));
        msgs.push_back(m);
      });
    }
    return msgs;
  }
  static bool Closes(const std::vector<Action>& out) {
    return !out.empty() && out.back().kind == Action::Kind::kClose;
  }
  void Establish() {
    std::vector<Action> out;
    sp_->Start(0, &out);
    ASSERT_EQ(sp_->state(0), S::kConnect);
    sp_->OnTcpUp(0, 0, &out);
    ASSERT_EQ(sp_->state(0), S::kOpenSent);
    sp_->OnMessage(0, 0, Open(), &out);
    ASSERT_EQ(sp_->state(0), S::kOpenConfirm);
    sp_->OnMessage(0, 0, Keepalive(), &out);
    ASSERT_EQ(sp_->state(0), S::kEstablished);
  }
  std::unique_ptr<BgpSpeaker> sp_;
};

TEST_F(OneSession, HandshakeKeepsTheNeighboursBgpIdentifier) {
  Establish();
  EXPECT_EQ(sp_->peer_bgp_id(0), 2u);
  std::vector<Action> out;
  sp_->OnTcpDown(1 * kSec, 0, &out);
  EXPECT_EQ(sp_->state(0), S::kIdle);  // the active side waits for ConnectRetryTime
  EXPECT_EQ(sp_->peer_bgp_id(0), 0u);
  EXPECT_EQ(sp_->counters().session_drops, 1u);
  sp_->Tick(121 * kSec, &out);
  EXPECT_EQ(sp_->state(0), S::kConnect);
}

TEST_F(OneSession, OpenChecksSendTheirOwnNotifications) {
  struct Case {
    Message open;
    uint8_t subcode;
  } cases[] = {{Open(65003), err::kBadPeerAs}, {Open(65002, 2), err::kUnacceptableHoldTime}};
  for (const auto& c : cases) {
    SetUp();
    std::vector<Action> out;
    sp_->Start(0, &out);
    sp_->OnTcpUp(0, 0, &out);
    out.clear();
    sp_->OnMessage(0, 0, c.open, &out);
    auto sent = Sent(out);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].type, MessageType::kNotification);
    EXPECT_EQ(sent[0].notification.code, err::kOpenMessage);
    EXPECT_EQ(sent[0].notification.subcode, c.subcode);
    EXPECT_TRUE(Closes(out));
    EXPECT_EQ(sp_->state(0), S::kIdle);
  }
}

TEST_F(OneSession, UnexpectedMessagesAreFiniteStateMachineErrors) {
  Establish();
  std::vector<Action> out;
  sp_->OnMessage(1 * kSec, 0, Open(), &out);  // an OPEN in Established
  auto sent = Sent(out);
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.back().type, MessageType::kNotification);
  EXPECT_EQ(sent.back().notification.code, err::kFsm);
  EXPECT_TRUE(Closes(out));
  EXPECT_EQ(sp_->state(0), S::kIdle);
  EXPECT_EQ(sp_->counters().session_drops, 1u);
}

TEST_F(OneSession, AdminResetSendsCeaseOnlyWhenThereIsASession) {
  std::vector<Action> out;
  sp_->Start(0, &out);
  out.clear();
  sp_->ResetSession(0, 0, &out);  // Connect: nothing to reset
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(sp_->state(0), S::kConnect);
  SetUp();
  Establish();
  sp_->ResetSession(1 * kSec, 0, &out);
  auto sent = Sent(out);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].notification.code, err::kCease);
  EXPECT_EQ(sent[0].notification.subcode, err::kAdministrativeReset);
  EXPECT_TRUE(Closes(out));
}

TEST(BgpFsm, PassiveSessionListensAgainAtOnceAfterARelease) {
  SpeakerConfig c;
  c.local_as = 65001;
  c.router_id = 1;
  PeerConfig p{0x0a000002, 0x0a000001, 1, 65002, false};
  BgpSpeaker sp(c, {p}, {});
  std::vector<Action> out;
  sp.Start(0, &out);
  EXPECT_EQ(sp.state(0), S::kActive);
  EXPECT_TRUE(out.empty());  // no connection attempt: the neighbour connects
  sp.OnTcpUp(0, 0, &out);
  EXPECT_EQ(sp.state(0), S::kOpenSent);
  sp.OnTcpDown(0, 0, &out);
  EXPECT_EQ(sp.state(0), S::kActive);
  EXPECT_EQ(sp.NextDeadline(), LLONG_MAX);  // no timer: it waits for the neighbour
}

}  // namespace
}  // namespace planelab::bgp
