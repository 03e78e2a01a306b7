// IndexedTcpL4Protocol and IndexedTcpSocket on a real two-node ns-3 network: bytes reach the
// right socket through the index, and a slow reader's window updates keep a sender going.
#include <gtest/gtest.h>
#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "sim/core/indexed_tcp.h"

using namespace ns3;
using planelab::CreateIndexedTcpSocket;
using planelab::IndexedTcpL4Protocol;
using planelab::IndexedTcpSocket;

namespace {

constexpr uint16_t kPort = 179;

/// Two nodes on a 10 Gb/s, 10 us link, with IndexedTcpL4Protocol as their TCP.
struct TwoNodes {
  NodeContainer nodes;
  Ipv4Address a, b;
  TwoNodes() {
    nodes.Create(2);
    InternetStackHelper stack;
    stack.SetIpv6StackInstall(false);
    stack.SetTcp("planelab::IndexedTcpL4Protocol");
    stack.Install(nodes);
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue("10Gbps"));
    p2p.SetChannelAttribute("Delay", StringValue("10us"));
    NetDeviceContainer devs = p2p.Install(nodes);
    Ipv4AddressHelper addr("10.0.0.0", "255.255.255.252");
    Ipv4InterfaceContainer ifs = addr.Assign(devs);
    a = ifs.GetAddress(0);
    b = ifs.GetAddress(1);
  }
  Ptr<IndexedTcpL4Protocol> tcp(int i) { return nodes.Get(i)->GetObject<IndexedTcpL4Protocol>(); }
};

/// The byte at offset `i` of connection `c`: every connection sends its own sequence.
uint8_t Pattern(size_t c, size_t i) { return static_cast<uint8_t>((c * 31 + i * 7) & 0xff); }

struct Sink {
  Ptr<Socket> sock;
  uint16_t peer_port = 0;
  std::vector<uint8_t> got;
};

/// Accepts on node 1 and reads everything at once; returns the sinks in accept order.
std::shared_ptr<std::vector<std::shared_ptr<Sink>>> ListenAndDrain(TwoNodes& net, Ptr<Socket> listener) {
  auto sinks = std::make_shared<std::vector<std::shared_ptr<Sink>>>();
  listener->Bind(InetSocketAddress(Ipv4Address::GetAny(), kPort));
  listener->Listen();
  listener->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                              Callback<void, Ptr<Socket>, const Address&>(
                                  std::function<void(Ptr<Socket>, const Address&)>([sinks](Ptr<Socket> s, const Address& from) {
                                    auto sink = std::make_shared<Sink>();
                                    sink->sock = s;
                                    sink->peer_port = InetSocketAddress::ConvertFrom(from).GetPort();
                                    sinks->push_back(sink);
                                    Ptr<IndexedTcpSocket> indexed = DynamicCast<IndexedTcpSocket>(s);
                                    if (indexed) indexed->IndexConnection();
                                    Sink* raw = sink.get();
                                    s->SetRecvCallback(Callback<void, Ptr<Socket>>(std::function<void(Ptr<Socket>)>([raw](Ptr<Socket> r) {
                                      while (Ptr<Packet> p = r->Recv()) {
                                        if (p->GetSize() == 0) break;
                                        size_t at = raw->got.size();
                                        raw->got.resize(at + p->GetSize());
                                        p->CopyData(raw->got.data() + at, p->GetSize());
                                      }
                                    })));
                                  })));
  return sinks;
}

TEST(IndexedTcp, ManyConnectionsBetweenTwoNodesEachGetTheirOwnBytes) {
  TwoNodes net;
  Ptr<IndexedTcpSocket> listener = CreateIndexedTcpSocket(net.nodes.Get(1));
  auto sinks = ListenAndDrain(net, listener);
  constexpr size_t kConnections = 40, kBytes = 20000;
  std::vector<Ptr<IndexedTcpSocket>> senders;
  for (size_t c = 0; c < kConnections; ++c) {
    Ptr<IndexedTcpSocket> s = CreateIndexedTcpSocket(net.nodes.Get(0));
    s->Bind(InetSocketAddress(net.a, 0));
    s->SetConnectCallback(Callback<void, Ptr<Socket>>(std::function<void(Ptr<Socket>)>([c](Ptr<Socket> sock) {
                            DynamicCast<IndexedTcpSocket>(sock)->IndexConnection();
                            std::vector<uint8_t> bytes(kBytes);
                            for (size_t i = 0; i < kBytes; ++i) bytes[i] = Pattern(c, i);
                            sock->Send(Create<Packet>(bytes.data(), bytes.size()));
                          })),
                          MakeNullCallback<void, Ptr<Socket>>());
    // Nodes are initialised when the simulation starts: connect from inside it.
    Ipv4Address to = net.b;
    Simulator::Schedule(MilliSeconds(1), [s, to]() { s->Connect(InetSocketAddress(to, kPort)); });
    senders.push_back(s);
  }
  Simulator::Stop(Seconds(2));
  Simulator::Run();
  EXPECT_EQ(net.tcp(0)->indexed(), kConnections);
  EXPECT_EQ(net.tcp(1)->indexed(), kConnections);
  // 40 x 20,000 bytes are at least 560 segments and as many ACKs, nearly all through the index
  // (the handshakes take ns-3's scan).
  EXPECT_GT(net.tcp(1)->indexed_segments(), 500u);
  EXPECT_GT(net.tcp(0)->indexed_segments(), 250u);
  ASSERT_EQ(sinks->size(), kConnections);
  // Each sink holds exactly the sequence of the sender at its peer port.
  std::map<uint16_t, size_t> sender_of_port;
  for (size_t c = 0; c < kConnections; ++c) {
    Address local;
    senders[c]->GetSockName(local);
    sender_of_port[InetSocketAddress::ConvertFrom(local).GetPort()] = c;
  }
  for (const auto& sink : *sinks) {
    ASSERT_EQ(sender_of_port.count(sink->peer_port), 1u);
    size_t c = sender_of_port[sink->peer_port];
    const auto& got = sink->got;
    ASSERT_EQ(got.size(), kBytes) << "connection " << c;
    size_t wrong = 0;
    for (size_t i = 0; i < kBytes; ++i) wrong += got[i] != Pattern(c, i);
    EXPECT_EQ(wrong, 0u) << "connection " << c;
  }
  // Closed sockets leave the index when they go.
  senders.clear();
  sinks->clear();
  Simulator::Destroy();
}

/// Sends 1 MiB through a 64 KiB receive window that the receiver drains 16 KiB every 50 ms, and
/// returns the simulated time at which the receiver had it all (or -1).
double SlowReaderTransferSeconds(bool indexed_sockets) {
  TwoNodes net;
  constexpr uint32_t kTotal = 1 << 20, kWindow = 65536, kRead = 16384;
  auto make = [&](int node) -> Ptr<Socket> {
    Ptr<Socket> s = indexed_sockets ? Ptr<Socket>(CreateIndexedTcpSocket(net.nodes.Get(node)))
                                    : Socket::CreateSocket(net.nodes.Get(node), TcpSocketFactory::GetTypeId());
    s->SetAttribute("RcvBufSize", UintegerValue(kWindow));
    s->SetAttribute("SndBufSize", UintegerValue(kTotal));
    s->SetAttribute("PersistTimeout", TimeValue(MilliSeconds(200)));
    return s;
  };
  Ptr<Socket> listener = make(1);
  listener->Bind(InetSocketAddress(Ipv4Address::GetAny(), kPort));
  listener->Listen();
  auto accepted = std::make_shared<Ptr<Socket>>();
  listener->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                              Callback<void, Ptr<Socket>, const Address&>(
                                  std::function<void(Ptr<Socket>, const Address&)>([accepted](Ptr<Socket> s, const Address&) {
                                    *accepted = s;
                                  })));
  auto received = std::make_shared<uint32_t>(0);
  auto done_at = std::make_shared<double>(-1);
  std::function<void()> reader = [&, accepted, received, done_at]() {
    if (*accepted) {
      if (Ptr<Packet> p = (*accepted)->Recv(kRead, 0)) *received += p->GetSize();
    }
    if (*received >= kTotal) {
      *done_at = Simulator::Now().GetSeconds();
      return;
    }
    Simulator::Schedule(MilliSeconds(50), reader);
  };
  Simulator::Schedule(MilliSeconds(50), reader);
  Ptr<Socket> sender = make(0);
  sender->Bind(InetSocketAddress(net.a, 0));
  sender->SetConnectCallback(Callback<void, Ptr<Socket>>(std::function<void(Ptr<Socket>)>([](Ptr<Socket> s) {
                               std::vector<uint8_t> bytes(kTotal, 0x5a);
                               s->Send(Create<Packet>(bytes.data(), bytes.size()));
                             })),
                             MakeNullCallback<void, Ptr<Socket>>());
  Ipv4Address to = net.b;
  Simulator::Schedule(MilliSeconds(1), [sender, to]() { sender->Connect(InetSocketAddress(to, kPort)); });
  Simulator::Stop(Seconds(30));
  Simulator::Run();
  double t = *done_at;
  Simulator::Destroy();
  return t;
}

TEST(IndexedTcp, AReadThatOpensTheWindowResumesTheSenderAtOnce) {
  // 64 reads of 16 KiB, one per 50 ms: the reader sets the pace, as a busy route processor does.
  double indexed = SlowReaderTransferSeconds(true);
  ASSERT_GT(indexed, 0);
  EXPECT_NEAR(indexed, 64 * 0.05, 0.06);
  // ns-3's own sockets only learn of the open window from a zero-window probe, whose interval
  // doubles on every probe: the same transfer takes several times longer.
  double plain = SlowReaderTransferSeconds(false);
  std::printf("1 MiB through a 16 KiB/50 ms reader: %.3f s with window updates, %.3f s with ns-3's sockets\n", indexed, plain);
  EXPECT_TRUE(plain < 0 || plain > 2 * indexed) << "plain ns-3 took " << plain << " s";
}

}  // namespace
