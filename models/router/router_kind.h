// The router device kind as the catalogue knows it: its help and its planes' metric tables. Pure: no ns-3.
#pragma once
#include "sim/scenario/kind_catalog.h"

namespace planelab {

DeviceKindDecl RouterKind();

}  // namespace planelab
