// The model families PlaneLab ships. Adding a family: create its folder (config struct and section, device
// kinds with their planes, each plane's metric table, schema fragment) and add one line to BuiltinModels() in
// models.cc.
#pragma once
#include "sim/core/model_registry.h"

namespace planelab {

/// Every built-in family's device kinds (factories and catalogue) and scenario sections, registered once.
const ModelRegistry& BuiltinModels();

/// The families' registration functions, each defined in its own folder.
void RegisterRouterFamily(ModelRegistry& registry);   // models/router: router kind, "routing" section
void RegisterHostFamily(ModelRegistry& registry);     // models/host: host kind
void RegisterMonitorFamily(ModelRegistry& registry);  // models/monitor: the monitoring station
void RegisterClusterFamily(ModelRegistry& registry);  // models/cluster: the orchestrated cluster's kinds, "cluster"

}  // namespace planelab
