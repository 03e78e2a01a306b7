#include "models/sdn_controller/mgmt/northbound_core.h"

namespace planelab::sdn {

CallOutcome Admit(ApiMode mode, SimTime slow_latency) {
  CallOutcome o;
  switch (mode) {
    case ApiMode::kUp: o.reaches_backend = true; break;
    case ApiMode::kSlow:
      o.reaches_backend = true;
      o.extra_delay = slow_latency;
      break;
    case ApiMode::kDown: o.reaches_backend = false; break;
  }
  return o;
}

void Dashboard::Refreshed(SimTime now, Summary s) {
  refreshed_ = now;
  last_ = std::move(s);
}

void Dashboard::CallEnded(bool ok, SimTime latency) {
  any_call_ = true;
  last_ok_ = ok;
  last_latency_ = latency;
}

void Dashboard::Reset() {
  refreshed_ = -1;
  last_ = Summary();
  any_call_ = false;
  last_ok_ = true;
  last_latency_ = 0;
}

double Dashboard::Age(SimTime now) const { return refreshed_ < 0 ? -1 : ToSeconds(now - refreshed_); }

Health Dashboard::Reported(const std::string& device, Plane plane, SimTime now) const {
  if (device == self_ && plane == Plane::kManagement) {
    if (!any_call_) return Health::kUnknown;
    if (!last_ok_) return Health::kDown;
    return last_latency_ > slow_after_ ? Health::kDegraded : Health::kUp;
  }
  if (!Fresh(now) || plane != Plane::kControl) return Health::kUnknown;
  auto d = last_.devices.find(device);
  if (d != last_.devices.end()) return d->second ? Health::kUp : Health::kDown;
  auto n = last_.nodes.find(device);
  if (n != last_.nodes.end()) {
    if (!n->second) return Health::kDown;
    return last_.has_leader ? Health::kUp : Health::kDegraded;
  }
  return Health::kUnknown;
}

}  // namespace planelab::sdn
