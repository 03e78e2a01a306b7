// Messages between an SDN controller's planes: the management plane (the northbound REST API) passes operators'
// calls to the control plane (the cluster member) and gets its answers back.
#pragma once
#include <cstdint>
#include <string>

#include "models/sdn_controller/mgmt/northbound_core.h"
#include "models/sdn_controller/sdn_controller_section.h"

namespace planelab {

/// Management -> control: one REST call for the member to serve.
struct NorthboundRequest {
  enum class Kind { kSubmitIntent, kSummary } kind = Kind::kSummary;
  uint64_t id = 0;
  IntentSpec intent;  // kSubmitIntent: POST /onos/v1/intents
};

/// Control -> management: the member's answer (an HTTP status and, for a summary, what it knows).
struct NorthboundReply {
  uint64_t id = 0;
  int code = 200;  // 200 OK, 201 Created, 503 Service Unavailable (read-only: no quorum)
  std::string reason;
  sdn::Summary summary;
};

}  // namespace planelab
