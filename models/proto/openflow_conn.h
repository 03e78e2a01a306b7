// One OpenFlow 1.3 connection over ns-3 TCP (port 6653), used by the switch's agent and the SDN controller: the
// byte stream, framing, and the inactivity probe both ends run (ns-3 header).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "models/proto/openflow13.h"
#include "sim/util/units.h"

#include <ns3/ptr.h>
#include <ns3/socket.h>

namespace planelab {

/// A TCP connection carrying OpenFlow messages. The owner gives it a connected or accepted socket and gets
/// decoded messages and the close; it writes messages, keeping what TCP's buffer cannot take yet.
class OfConn {
 public:
  using OnMessage = std::function<void(const of13::Message&)>;
  using OnClose = std::function<void()>;
  OfConn(ns3::Ptr<ns3::Socket> socket, OnMessage on_message, OnClose on_close);
  ~OfConn();
  OfConn(const OfConn&) = delete;
  OfConn& operator=(const OfConn&) = delete;

  void Send(const of13::Message& m);
  /// Closes the socket; no callback follows.
  void Close();
  bool open() const { return open_; }
  /// A firewall on this end: while muted nothing is read (echoes go unanswered) and nothing is sent.
  void SetMuted(bool muted) { muted_ = muted; }
  /// When the last message arrived (its creation counts as one).
  SimTime last_rx() const { return last_rx_; }
  uint64_t messages_received() const { return received_; }

  /// Open vSwitch's rconn probe (ovs-vswitchd.conf.db, Controller inactivity_probe): after `probe` without a
  /// message, send an ECHO_REQUEST stamped with the time; after another `probe` without one, the connection is
  /// dead. Returns false when it is; call it at least every second.
  bool Keepalive(SimTime now, SimTime probe);
  /// An ECHO_REPLY's round trip, from the stamp it echoes; -1 if it carries none.
  static SimTime EchoRtt(const of13::Message& reply, SimTime now);

 private:
  void Read();
  void Write();
  /// The peer closed or the connection failed: closes our side and tells the owner.
  void PeerClosed();
  ns3::Ptr<ns3::Socket> sock_;
  OnMessage on_message_;
  OnClose on_close_;
  of13::StreamParser parser_;
  std::vector<uint8_t> backlog_;
  bool open_ = true;
  bool echo_out_ = false;
  bool muted_ = false;
  SimTime last_rx_ = 0;
  uint64_t received_ = 0;
  uint32_t next_xid_ = 1;
};

}  // namespace planelab
