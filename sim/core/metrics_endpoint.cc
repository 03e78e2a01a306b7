#include "sim/core/metrics_endpoint.h"

#include <ns3/inet-socket-address.h>
#include <ns3/packet.h>
#include <ns3/socket.h>
#include <ns3/tcp-socket-factory.h>

#include <map>
#include <vector>

#include "sim/core/metrics.h"
#include "sim/core/network_ns3.h"
#include "sim/util/prometheus_text.h"

namespace planelab {

using namespace ns3;

std::string ExpositionName(const std::string& metric) {
  std::string n = metric;
  for (char& c : n) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':')) c = '_';
  }
  if (n.empty() || std::isdigit(static_cast<unsigned char>(n[0]))) n = "_" + n;
  return n;
}

struct MetricsEndpoint::Impl {
  const MetricRegistry& metrics;
  std::string device;
  Ptr<Socket> listener;
  struct Conn {
    prom::HttpMessageReader reader;
    std::string out;  // bytes not yet taken by TCP's send buffer
  };
  std::map<Socket*, std::pair<Ptr<Socket>, Conn>> conns;
  uint64_t served = 0;

  Impl(const MetricRegistry& m, std::string d) : metrics(m), device(std::move(d)) {}

  std::string Exposition() const {
    std::vector<prom::ExpositionSample> samples;
    metrics.Read(device, [&samples](const SeriesInfo& s, double v) {
      samples.push_back({ExpositionName(s.metric), s.kind == "counter" ? "counter" : "gauge", s.help, "plane", s.plane, v});
    });
    return prom::EncodeExposition(samples);
  }

  void Flush(Socket* s) {
    auto it = conns.find(s);
    if (it == conns.end()) return;
    std::string& out = it->second.second.out;
    while (!out.empty()) {
      uint32_t room = s->GetTxAvailable();
      if (room == 0) return;  // the send callback brings us back
      uint32_t n = std::min<uint32_t>(room, static_cast<uint32_t>(out.size()));
      int sent = s->Send(reinterpret_cast<const uint8_t*>(out.data()), n, 0);
      if (sent <= 0) return;
      out.erase(0, static_cast<size_t>(sent));
    }
  }

  void Receive(Ptr<Socket> s) {
    auto it = conns.find(PeekPointer(s));
    if (it == conns.end()) return;
    while (Ptr<Packet> p = s->Recv()) {
      std::string bytes(p->GetSize(), '\0');
      p->CopyData(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size());
      Conn& c = it->second.second;
      size_t at = 0;
      while (at < bytes.size() || c.reader.complete()) {
        if (!c.reader.complete()) {
          // Feed one byte at a time past a request's end, so pipelined requests are each answered.
          if (!c.reader.Feed(bytes.data() + at, 1)) {
            Drop(s);
            return;
          }
          ++at;
          continue;
        }
        const std::string& line = c.reader.start_line();
        if (line.rfind("GET /metrics ", 0) == 0) {
          c.out += prom::HttpOkResponse(Exposition());
          ++served;
        } else {
          c.out += "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        }
        c.reader = prom::HttpMessageReader();
      }
      Flush(PeekPointer(s));
    }
  }

  void Drop(Ptr<Socket> s) {
    s->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
    s->SetSendCallback(MakeNullCallback<void, Ptr<Socket>, uint32_t>());
    s->Close();
    conns.erase(PeekPointer(s));
  }
};

MetricsEndpoint::MetricsEndpoint(Network& net, const MetricRegistry& metrics, const std::string& device,
                                 uint16_t port)
    : impl_(new Impl(metrics, device)) {
  Impl* impl = impl_.get();
  impl->listener = Socket::CreateSocket(NodeOf(net, device), TcpSocketFactory::GetTypeId());
  impl->listener->Bind(InetSocketAddress(Ipv4Address::GetAny(), port));
  impl->listener->Listen();
  impl->listener->SetAcceptCallback(
      MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
      MakeBoundCallback(+[](Impl* self, Ptr<Socket> s, const Address&) {
        self->conns[PeekPointer(s)] = {s, Impl::Conn()};
        s->SetRecvCallback(MakeBoundCallback(+[](Impl* me, Ptr<Socket> c) { me->Receive(c); }, self));
        s->SetSendCallback(MakeBoundCallback(+[](Impl* me, Ptr<Socket> c, uint32_t) { me->Flush(PeekPointer(c)); }, self));
        // The scraper closing its side ends the connection here too.
        s->SetCloseCallbacks(MakeBoundCallback(+[](Impl* me, Ptr<Socket> c) { me->Drop(c); }, self),
                             MakeBoundCallback(+[](Impl* me, Ptr<Socket> c) { me->Drop(c); }, self));
      }, impl));
}

MetricsEndpoint::~MetricsEndpoint() {
  // The process dies: its listener and every open connection go (the peers see a reset or silence).
  impl_->listener->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                                     MakeNullCallback<void, Ptr<Socket>, const Address&>());
  impl_->listener->Close();
  std::vector<Ptr<Socket>> open;
  for (auto& [_, c] : impl_->conns) open.push_back(c.first);
  for (auto& s : open) {
    s->SetCloseCallbacks(MakeNullCallback<void, Ptr<Socket>>(), MakeNullCallback<void, Ptr<Socket>>());
    impl_->Drop(s);
  }
}

uint64_t MetricsEndpoint::served() const { return impl_->served; }

}  // namespace planelab

namespace planelab {

std::unique_ptr<MetricsEndpoint> OpenMetricsEndpoint(Network& net, const MetricRegistry& metrics,
                                                     const std::string& device, uint16_t port) {
  if (net.OobLinkOf(device).empty()) return nullptr;
  return std::make_unique<MetricsEndpoint>(net, metrics, device, port);
}

}  // namespace planelab
