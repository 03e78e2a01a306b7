// Binding a connected TCP socket's callbacks to the object that owns the connection (ns-3 header).
#pragma once
#include <ns3/callback.h>
#include <ns3/ptr.h>
#include <ns3/socket.h>

#include <cstdint>

namespace planelab {

/// Routes a stream socket's data-arrived, closed (normally or by error) and send-room callbacks to the owner's
/// `kRead`, `kClosed` and `kWrite` members, so the connection classes (OpenFlow, the mesh's TLS streams) bind them
/// alike.
template <class Owner, void (Owner::*kRead)(), void (Owner::*kClosed)(), void (Owner::*kWrite)()>
void BindStreamCallbacks(ns3::Socket& s, Owner* owner) {
  s.SetRecvCallback(ns3::MakeBoundCallback(+[](Owner* o, ns3::Ptr<ns3::Socket>) { (o->*kRead)(); }, owner));
  auto closed = ns3::MakeBoundCallback(+[](Owner* o, ns3::Ptr<ns3::Socket>) { (o->*kClosed)(); }, owner);
  s.SetCloseCallbacks(closed, closed);
  s.SetSendCallback(ns3::MakeBoundCallback(+[](Owner* o, ns3::Ptr<ns3::Socket>, uint32_t) { (o->*kWrite)(); }, owner));
}

/// Silences what BindStreamCallbacks bound: nothing reaches the owner afterwards, so it may be dropped from inside
/// one of its own callbacks.
inline void UnbindStreamCallbacks(ns3::Socket& s) {
  s.SetRecvCallback(ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>>());
  s.SetCloseCallbacks(ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>>(),
                      ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>>());
  s.SetSendCallback(ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>, uint32_t>());
}

}  // namespace planelab
