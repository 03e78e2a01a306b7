// Typed messages carried by real ns-3 UDP datagrams between devices: the packet has the message's size
// on the wire and crosses links, queues and faults like any other; the receiver gets the message itself.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace planelab {

class Network;

/// A UDP endpoint of a device that sends and receives messages. Each port speaks one protocol, so the
/// receiver knows the message's type from the port it bound. Messages are shared and immutable.
class MessageSocket {
 public:
  using Handler = std::function<void(uint32_t from_addr, uint16_t from_port, std::shared_ptr<const void> msg)>;
  /// Binds UDP `port` (0: any) on `device`'s node.
  MessageSocket(Network& net, const std::string& device, uint16_t port);
  ~MessageSocket();
  MessageSocket(const MessageSocket&) = delete;
  MessageSocket& operator=(const MessageSocket&) = delete;
  /// Sends `msg` as a datagram of `bytes` (at least 16; IP fragments what exceeds the MTU).
  void Send(uint32_t to_addr, uint16_t to_port, uint32_t bytes, std::shared_ptr<const void> msg);
  void OnReceive(Handler h) { handler_ = std::move(h); }
  uint16_t port() const { return port_; }
  uint32_t address() const { return addr_; }

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  Handler handler_;
  uint16_t port_ = 0;
  uint32_t addr_ = 0;
};

/// Number of messages whose datagram was sent but has not (yet) arrived; lost ones are swept after 60 s.
size_t MessagesInFlight();
/// Forgets every message in flight: a new run in the same process starts from nothing.
void ResetMessagesInFlight();

}  // namespace planelab
