// The host device kind as the catalogue knows it: its help and its data plane's metric table. Pure: no ns-3.
#pragma once
#include "sim/scenario/kind_catalog.h"

namespace planelab {

DeviceKindDecl HostKind();

}  // namespace planelab
