// The operators' monitoring station: polls every agent over the OOB network and shows what it last saw.
#pragma once
#include "sim/core/device.h"

namespace planelab {

/// Registers the "monitor" kind (the station named in scenario.management).
void RegisterMonitorKind(DeviceRegistry& registry);

}  // namespace planelab
