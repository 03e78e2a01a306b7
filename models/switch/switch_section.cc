#include "models/switch/switch_section.h"

#include "models/switch/switch_schema.h"

#include <map>

namespace planelab {

namespace {

void ParseSwitch(SectionContext& c) {
  SwitchSpec& s = c.scenario.families.Mutable<SwitchSpec>();
  s.fail_mode = c.value.value("fail_mode", s.fail_mode);
  c.ReadDuration("/inactivity_probe", &s.inactivity_probe, 100 * kMs);
  c.ReadDuration("/max_backoff", &s.max_backoff, 1 * kSec);
  c.ReadDuration("/flow_program_delay", &s.flow_program_delay);
  s.table_capacity = c.value.value("table_capacity", s.table_capacity);
  s.control_network = c.value.value("control_network", s.control_network);
  if (c.value.contains("fail_modes")) {
    for (auto it = c.value["fail_modes"].begin(); it != c.value["fail_modes"].end(); ++it) {
      s.fail_modes[it.key()] = it.value().get<std::string>();
    }
  }
  if (s.table_capacity == 0) c.Problem("/table_capacity", "a flow table holds at least one entry");
}

/// Per-switch fail modes name switches.
void CheckSwitch(const Scenario& sc, Problems& problems) {
  const SwitchSpec& s = sc.families.Get<SwitchSpec>();
  for (const auto& [id, mode] : s.fail_modes) {
    bool found = false;
    for (const auto& d : sc.devices) found = found || (d.id == id && d.kind == "switch");
    if (!found) problems.Add("/switch/fail_modes/" + id, "\"" + id + "\" is not a device of kind \"switch\"");
  }
  // In-band: each controller reaches the fabric through a switch it is linked to.
  if (s.control_network == "in-band") {
    std::map<std::string, std::string> kind;
    for (const auto& d : sc.devices) kind[d.id] = d.kind;
    for (const auto& d : sc.devices) {
      if (d.kind != "sdn-controller") continue;
      bool on_switch = false;
      for (const auto& l : sc.links) {
        on_switch = on_switch || (l.a == d.id && kind[l.b] == "switch") || (l.b == d.id && kind[l.a] == "switch");
      }
      if (!on_switch) {
        problems.Add("/switch/control_network", "in-band control needs every controller linked to a switch, and \"" +
                                                    d.id + "\" is linked to none");
      }
    }
  }
}

}  // namespace

ScenarioSection SwitchSection() {
  ScenarioSection s;
  s.key = "switch";
  s.help = "the OpenFlow switches: fail mode, inactivity probe, reconnect backoff, flow-table capacity";
  s.stage = ScenarioSection::Stage::kSettings;
  s.schema = kSwitchSchemaText;
  s.parse = ParseSwitch;
  s.check = CheckSwitch;
  return s;
}

}  // namespace planelab
