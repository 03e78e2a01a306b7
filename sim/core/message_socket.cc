#include "sim/core/message_socket.h"

#include <ns3/inet-socket-address.h>
#include <ns3/packet.h>
#include <ns3/socket.h>
#include <ns3/udp-socket-factory.h>

#include <algorithm>
#include <deque>
#include <unordered_map>

#include "sim/core/clock.h"
#include "sim/core/network_ns3.h"

namespace planelab {

using namespace ns3;

namespace {

// Messages in flight, by the id carried in the datagram. A datagram lost on the way leaves its entry
// behind; entries older than any plausible delivery are swept so long runs stay flat in memory.
struct InFlight {
  std::unordered_map<uint64_t, std::shared_ptr<const void>> by_id;
  std::deque<std::pair<SimTime, uint64_t>> order;
  uint64_t next_id = 1;
  void Sweep(SimTime now) {
    while (!order.empty() && order.front().first < now - 60 * kSec) {
      by_id.erase(order.front().second);
      order.pop_front();
    }
  }
};
InFlight& Table() {
  static InFlight t;
  return t;
}

constexpr uint32_t kMaxDatagram = 65000;

}  // namespace

struct MessageSocket::Impl {
  Ptr<Socket> sock;
};

MessageSocket::MessageSocket(Network& net, const std::string& device, uint16_t port) : impl_(new Impl) {
  Ptr<Node> node = NodeOf(net, device);
  impl_->sock = Socket::CreateSocket(node, UdpSocketFactory::GetTypeId());
  impl_->sock->Bind(InetSocketAddress(Ipv4Address::GetAny(), port));
  Address local;
  impl_->sock->GetSockName(local);
  port_ = InetSocketAddress::ConvertFrom(local).GetPort();
  addr_ = net.ServiceAddress(device);
  impl_->sock->SetRecvCallback(MakeBoundCallback(+[](MessageSocket* self, Ptr<Socket> s) {
    Address from;
    while (Ptr<Packet> p = s->RecvFrom(from)) {
      if (p->GetSize() < 8) continue;
      uint8_t b[8];
      p->CopyData(b, 8);
      uint64_t id = 0;
      for (int i = 0; i < 8; ++i) id = (id << 8) | b[i];
      auto& t = Table();
      auto it = t.by_id.find(id);
      if (it == t.by_id.end()) continue;
      std::shared_ptr<const void> msg = std::move(it->second);
      t.by_id.erase(it);
      InetSocketAddress a = InetSocketAddress::ConvertFrom(from);
      if (self->handler_) self->handler_(a.GetIpv4().Get(), a.GetPort(), std::move(msg));
    }
  }, this));
}

MessageSocket::~MessageSocket() {
  if (impl_->sock) {
    impl_->sock->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
    impl_->sock->Close();
  }
}

void MessageSocket::Send(uint32_t to_addr, uint16_t to_port, uint32_t bytes, std::shared_ptr<const void> msg) {
  auto& t = Table();
  SimTime now = Clock::Now();
  t.Sweep(now);
  uint64_t id = t.next_id++;
  t.by_id.emplace(id, std::move(msg));
  t.order.emplace_back(now, id);
  uint32_t size = std::clamp<uint32_t>(bytes, 16, kMaxDatagram);
  uint8_t head[8];
  for (int i = 0; i < 8; ++i) head[i] = static_cast<uint8_t>(id >> (56 - 8 * i));
  // The id, then zero padding that ns-3 keeps as a virtual area: the wire size without copying the bytes.
  Ptr<Packet> p = Create<Packet>(head, 8);
  p->AddAtEnd(Create<Packet>(size - 8));
  impl_->sock->SendTo(p, 0, InetSocketAddress(Ipv4Address(to_addr), to_port));
}

size_t MessagesInFlight() { return Table().by_id.size(); }

void ResetMessagesInFlight() {
  Table().by_id.clear();
  Table().order.clear();
}

}  // namespace planelab
