#include "models/proto/openflow_conn.h"

#include <ns3/socket.h>
#include <ns3/tcp-socket-factory.h>

#include "sim/core/clock.h"
#include "sim/core/indexed_tcp.h"
#include "sim/core/stream_callbacks.h"

namespace planelab {

using ns3::Ptr;

OfConn::OfConn(Ptr<ns3::Socket> socket, OnMessage on_message, OnClose on_close)
    : sock_(std::move(socket)), on_message_(std::move(on_message)), on_close_(std::move(on_close)) {
  last_rx_ = Clock::Now();
  if (auto idx = ns3::DynamicCast<IndexedTcpSocket>(sock_)) idx->IndexConnection();
  BindStreamCallbacks<OfConn, &OfConn::Read, &OfConn::PeerClosed, &OfConn::Write>(*sock_, this);
}

OfConn::~OfConn() { Close(); }

void OfConn::PeerClosed() {
  if (!open_) return;
  Close();
  if (on_close_) on_close_();
}

void OfConn::Close() {
  if (!sock_) return;
  open_ = false;
  UnbindStreamCallbacks(*sock_);
  sock_->Close();
  sock_ = nullptr;
  backlog_.clear();
}

void OfConn::Send(const of13::Message& m) {
  if (!open_ || muted_) return;
  of13::Encode(m, &backlog_);
  Write();
}

void OfConn::Write() {
  if (!open_ || backlog_.empty()) return;
  uint32_t room = sock_->GetTxAvailable();
  uint32_t n = std::min<uint32_t>(room, static_cast<uint32_t>(backlog_.size()));
  if (n == 0) return;
  int sent = sock_->Send(ns3::Create<ns3::Packet>(backlog_.data(), n), 0);
  if (sent > 0) backlog_.erase(backlog_.begin(), backlog_.begin() + sent);
}

void OfConn::Read() {
  while (open_) {
    Ptr<ns3::Packet> p = sock_->Recv();
    if (!p || p->GetSize() == 0) break;
    std::vector<uint8_t> b(p->GetSize());
    p->CopyData(b.data(), b.size());
    if (muted_) continue;  // dropped at the firewall
    last_rx_ = Clock::Now();
    std::vector<of13::Message> msgs;
    bool ok = parser_.Feed(b.data(), b.size(), [&](const uint8_t* d, size_t n) {
      of13::Message m;
      if (of13::Decode(d, n, &m)) msgs.push_back(std::move(m));
    });
    for (const auto& m : msgs) {
      ++received_;
      if (m.type == of13::Type::kEchoReply) echo_out_ = false;
      if (m.type == of13::Type::kEchoRequest) {
        // OF §6.3.2: echo requests are answered at once, whatever the role.
        of13::Message r;
        r.type = of13::Type::kEchoReply;
        r.xid = m.xid;
        r.data = m.data;
        Send(r);
      }
      if (!open_) return;
      on_message_(m);
      if (!open_) return;
    }
    if (!ok) {
      Close();
      if (on_close_) on_close_();
      return;
    }
  }
}

bool OfConn::Keepalive(SimTime now, SimTime probe) {
  if (!open_) return false;
  SimTime idle = now - last_rx_;
  if (idle >= 2 * probe) return false;
  if (idle >= probe && !echo_out_) {
    of13::Message e;
    e.type = of13::Type::kEchoRequest;
    e.xid = 0x80000000u | next_xid_++;
    for (int k = 7; k >= 0; --k) e.data.push_back(static_cast<uint8_t>(static_cast<uint64_t>(now) >> (8 * k)));
    echo_out_ = true;
    Send(e);
  }
  return true;
}

SimTime OfConn::EchoRtt(const of13::Message& reply, SimTime now) {
  if (reply.data.size() != 8) return -1;
  uint64_t t = 0;
  for (uint8_t b : reply.data) t = t << 8 | b;
  return now - static_cast<SimTime>(t);
}

}  // namespace planelab
