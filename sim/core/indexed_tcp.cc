#include "sim/core/indexed_tcp.h"

#include <ns3/ipv4-header.h>
#include <ns3/ipv4-interface.h>
#include <ns3/node.h>
#include <ns3/object-factory.h>
#include <ns3/rtt-estimator.h>
#include <ns3/tcp-congestion-ops.h>
#include <ns3/tcp-header.h>
#include <ns3/tcp-recovery-ops.h>
#include <ns3/tcp-rx-buffer.h>

#include <algorithm>

namespace planelab {

using namespace ns3;

NS_OBJECT_ENSURE_REGISTERED(IndexedTcpL4Protocol);

TypeId IndexedTcpL4Protocol::GetTypeId() {
  static TypeId tid = TypeId("planelab::IndexedTcpL4Protocol")
                          .SetParent<TcpL4Protocol>()
                          .SetGroupName("PlaneLab")
                          .AddConstructor<IndexedTcpL4Protocol>();
  return tid;
}

uint64_t IndexedTcpL4Protocol::Key(uint32_t local_addr, uint16_t local_port, uint32_t peer_addr, uint16_t peer_port) {
  // Local and peer addresses are the two ends of one link of the fabric: the peer address and
  // both ports identify a connection on a node. The local address is mixed in for the rare case
  // of two connections that differ only in it.
  return (static_cast<uint64_t>(peer_addr) << 32 | static_cast<uint64_t>(local_port) << 16 | peer_port) ^
         (static_cast<uint64_t>(local_addr) * 0x9E3779B97F4A7C15ull);
}

void IndexedTcpL4Protocol::Remember(IndexedTcpSocket* s) {
  Ipv4EndPoint* ep = s->endpoint();
  if (!ep) return;
  Forget(s);
  uint64_t key = Key(ep->GetLocalAddress().Get(), ep->GetLocalPort(), ep->GetPeerAddress().Get(), ep->GetPeerPort());
  auto [it, inserted] = index_.emplace(key, s);
  if (!inserted) return;  // a clash: both keep ns-3's own lookup
  s->indexed_by_ = this;
  s->index_key_ = key;
}

void IndexedTcpL4Protocol::Forget(IndexedTcpSocket* s) {
  if (!s->indexed_by_) return;
  auto it = index_.find(s->index_key_);
  if (it != index_.end() && it->second == s) index_.erase(it);
  s->indexed_by_ = nullptr;
}

enum IpL4Protocol::RxStatus IndexedTcpL4Protocol::Receive(Ptr<Packet> p, const Ipv4Header& ip, Ptr<Ipv4Interface> incoming) {
  if (!index_.empty()) {
    TcpHeader tcp;
    p->PeekHeader(tcp);
    auto it = index_.find(Key(ip.GetDestination().Get(), tcp.GetDestinationPort(), ip.GetSource().Get(), tcp.GetSourcePort()));
    if (it != index_.end()) {
      Ipv4EndPoint* ep = it->second->endpoint();
      // The same tests as Ipv4EndPointDemux::Lookup's exact match; anything else (a closed socket,
      // receive shut down, a device binding) falls back to ns-3's scan.
      if (ep && ep->IsRxEnabled() && !ep->GetBoundNetDevice() && ep->GetLocalPort() == tcp.GetDestinationPort() &&
          ep->GetPeerPort() == tcp.GetSourcePort() && ep->GetLocalAddress() == ip.GetDestination() &&
          ep->GetPeerAddress() == ip.GetSource()) {
        // What TcpL4Protocol::Receive does before its lookup: checksum (off unless enabled) and
        // header checks.
        TcpHeader checked;
        enum IpL4Protocol::RxStatus status = PacketReceived(p, checked, ip.GetSource(), ip.GetDestination());
        if (status != IpL4Protocol::RX_OK) return status;
        ++indexed_segments_;
        ep->ForwardUp(p, ip, tcp.GetSourcePort(), incoming);
        return IpL4Protocol::RX_OK;
      }
      if (!ep) Forget(it->second);
    }
  }
  return TcpL4Protocol::Receive(p, ip, incoming);
}

IndexedTcpSocket::IndexedTcpSocket(const IndexedTcpSocket& other)
    : TcpSocketBase(other), probe_interval_(other.probe_interval_) {}

IndexedTcpSocket::~IndexedTcpSocket() {
  if (indexed_by_) indexed_by_->Forget(this);
}

void IndexedTcpSocket::IndexConnection() {
  if (probe_interval_.IsZero()) probe_interval_ = m_persistTimeout;
  Ptr<IndexedTcpL4Protocol> tcp = DynamicCast<IndexedTcpL4Protocol>(m_tcp);
  if (tcp) tcp->Remember(this);
}

void IndexedTcpSocket::AnnounceOpenedWindow(uint32_t before) {
  if (m_state != TcpSocket::ESTABLISHED || 2 * before > m_tcb->m_rxBuffer->MaxBufferSize()) return;
  uint32_t after = AdvertisedWindowSize(false);
  if (after >= 2 * before && after >= m_tcb->m_segmentSize) SendEmptyPacket(TcpHeader::ACK);
}

Ptr<Packet> IndexedTcpSocket::Recv(uint32_t max_size, uint32_t flags) {
  uint32_t before = AdvertisedWindowSize(false);
  Ptr<Packet> p = TcpSocketBase::Recv(max_size, flags);
  if (p && p->GetSize() > 0) AnnounceOpenedWindow(before);
  return p;
}

uint32_t IndexedTcpSocket::RecvInto(std::vector<uint8_t>* out, uint32_t max_bytes) {
  uint32_t before = AdvertisedWindowSize(false);
  uint32_t got = 0;
  while (got < max_bytes) {
    Ptr<Packet> p = TcpSocketBase::Recv(std::min(max_bytes - got, m_tcb->m_segmentSize), 0);
    if (!p || p->GetSize() == 0) break;
    size_t at = out->size();
    out->resize(at + p->GetSize());
    p->CopyData(out->data() + at, p->GetSize());
    got += p->GetSize();
  }
  if (got > 0) AnnounceOpenedWindow(before);
  return got;
}

uint32_t IndexedTcpSocket::SendBytes(const uint8_t* data, uint32_t size) {
  uint32_t sent = 0;
  while (sent < size) {
    uint32_t n = std::min({size - sent, m_tcb->m_segmentSize, GetTxAvailable()});
    if (n == 0 || Send(Create<Packet>(data + sent, n), 0) < 0) break;
    sent += n;
  }
  return sent;
}

int IndexedTcpSocket::Send(Ptr<Packet> p, uint32_t flags) {
  // The application writes when the send buffer has room: no probe is pending unless the
  // window is still closed, and an open window ends the probe backoff.
  if (!probe_interval_.IsZero() && !m_persistEvent.IsRunning()) m_persistTimeout = probe_interval_;
  return TcpSocketBase::Send(p, flags);
}

Ptr<TcpSocketBase> IndexedTcpSocket::Fork() { return CopyObject<IndexedTcpSocket>(this); }

Ptr<IndexedTcpSocket> CreateIndexedTcpSocket(const Ptr<Node>& node) {
  Ptr<TcpL4Protocol> tcp = node->GetObject<TcpL4Protocol>();
  TypeIdValue rtt_type, cc_type, recovery_type;
  tcp->GetAttribute("RttEstimatorType", rtt_type);
  tcp->GetAttribute("SocketType", cc_type);
  tcp->GetAttribute("RecoveryType", recovery_type);
  ObjectFactory rtt, cc, recovery;
  rtt.SetTypeId(rtt_type.Get());
  cc.SetTypeId(cc_type.Get());
  recovery.SetTypeId(recovery_type.Get());
  Ptr<IndexedTcpSocket> s = CreateObject<IndexedTcpSocket>();
  s->SetNode(node);
  s->SetTcp(tcp);
  s->SetRtt(rtt.Create<RttEstimator>());
  s->SetCongestionControlAlgorithm(cc.Create<TcpCongestionOps>());
  s->SetRecoveryAlgorithm(recovery.Create<TcpRecoveryOps>());
  tcp->AddSocket(s);
  return s;
}

}  // namespace planelab
