// The per-plane story printed at the end of a run, with the triage answer of the reference texts.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "sim/scenario/scenario.h"

namespace planelab {

/// Renders a summary (planelab.summary/1) as a story for people.
std::string RenderStory(const Scenario& sc, const nlohmann::ordered_json& summary);

}  // namespace planelab
