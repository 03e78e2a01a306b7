// ns-3 TCP with a hashed demultiplexer and Linux's receive-window behaviour (ns-3 header).
#pragma once
#include <ns3/ipv4-end-point.h>
#include <ns3/tcp-l4-protocol.h>
#include <ns3/tcp-socket-base.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace planelab {

class IndexedTcpSocket;

/// ns-3's TcpL4Protocol with a hash index of connected sockets in front of its demultiplexer:
/// Ipv4EndPointDemux scans every endpoint of the node for each segment, so a spine with thousands
/// of BGP sessions spent more time finding sockets than running TCP. Segments for an indexed
/// socket go straight to it; everything else (listeners, SYNs, sockets not indexed) takes ns-3's
/// own path, so behaviour is unchanged.
class IndexedTcpL4Protocol : public ns3::TcpL4Protocol {
 public:
  static ns3::TypeId GetTypeId();

  enum ns3::IpL4Protocol::RxStatus Receive(ns3::Ptr<ns3::Packet> p, const ns3::Ipv4Header& header,
                                           ns3::Ptr<ns3::Ipv4Interface> incoming) override;
  using ns3::TcpL4Protocol::Receive;

  void Remember(IndexedTcpSocket* socket);
  void Forget(IndexedTcpSocket* socket);
  size_t indexed() const { return index_.size(); }
  /// Segments delivered through the index rather than ns-3's scan.
  uint64_t indexed_segments() const { return indexed_segments_; }

 private:
  static uint64_t Key(uint32_t local_addr, uint16_t local_port, uint32_t peer_addr, uint16_t peer_port);
  std::unordered_map<uint64_t, IndexedTcpSocket*> index_;
  uint64_t indexed_segments_ = 0;
};

/// A TcpSocketBase that IndexedTcpL4Protocol can find by hash once connected, and that behaves as
/// Linux does where a long table transfer depends on it and ns-3 3.37 does not:
/// - a read that opens the receive window "significantly" announces it at once (RFC 1122
///   §4.2.3.3; Linux tcp_cleanup_rbuf: to at least twice what the sender was last offered);
///   ns-3 waits for the next segment, so a sender facing a closed window waits for its persist
///   timer;
/// - the zero-window probe interval starts again from its configured value once the window
///   opened (Linux resets its probe backoff); ns-3 doubles it on every probe, up to 60 s, for
///   the life of the socket.
/// Sockets accepted from an IndexedTcpSocket listener are IndexedTcpSockets too.
class IndexedTcpSocket : public ns3::TcpSocketBase {
 public:
  IndexedTcpSocket() = default;
  IndexedTcpSocket(const IndexedTcpSocket& other);
  ~IndexedTcpSocket() override;

  /// Puts the connected socket in its node's index (no-op on a node without IndexedTcpL4Protocol).
  void IndexConnection();
  /// The socket's endpoint while it has one: the index checks it before every use.
  ns3::Ipv4EndPoint* endpoint() const { return m_endPoint; }
  uint64_t index_key() const { return index_key_; }

  /// Appends up to `max_bytes` of received data to `out` and returns how many, one segment at a
  /// time: ns-3 assembles a larger read into one packet buffer, and a large buffer, once
  /// recycled, makes every later packet of the run allocate that size (ns-3's Buffer free list
  /// keeps only buffers of the largest size seen).
  uint32_t RecvInto(std::vector<uint8_t>* out, uint32_t max_bytes);
  /// Hands up to `size` bytes to TCP in segment-sized packets, for the same reason; returns how
  /// many it took (fewer if the send buffer filled).
  uint32_t SendBytes(const uint8_t* data, uint32_t size);

  ns3::Ptr<ns3::Packet> Recv(uint32_t max_size, uint32_t flags) override;
  using ns3::TcpSocketBase::Recv;
  int Send(ns3::Ptr<ns3::Packet> p, uint32_t flags) override;
  using ns3::TcpSocketBase::Send;

 protected:
  ns3::Ptr<ns3::TcpSocketBase> Fork() override;

 private:
  friend class IndexedTcpL4Protocol;
  /// The window announcement of Recv and RecvInto: `before` is the window before the read.
  void AnnounceOpenedWindow(uint32_t before);
  ns3::Ptr<IndexedTcpL4Protocol> indexed_by_;
  uint64_t index_key_ = 0;
  ns3::Time probe_interval_;  // the configured persist timeout, for the reset after a probe backoff
};

/// A new IndexedTcpSocket on `node`, set up as TcpL4Protocol::CreateSocket sets up its own
/// sockets (the node's RTT estimator, congestion control and recovery types).
ns3::Ptr<IndexedTcpSocket> CreateIndexedTcpSocket(const ns3::Ptr<ns3::Node>& node);

}  // namespace planelab
