// What every shipped family declares without the kernel (sections, declarable kinds, kind entries).
#pragma once
#include "sim/scenario/model_catalog.h"

namespace planelab {

/// The built-in families' catalogue, registered once; pure, so the loader's tests and the fuzzer use it too.
const ModelCatalog& BuiltinCatalog();

}  // namespace planelab
