#include "models/switch/switch_section.h"

#include "models/switch/switch_schema.h"

namespace planelab {

namespace {

void ParseSwitch(SectionContext& c) {
  SwitchSpec& s = c.scenario.families.Mutable<SwitchSpec>();
  s.fail_mode = c.value.value("fail_mode", s.fail_mode);
  c.ReadDuration("/inactivity_probe", &s.inactivity_probe, 100 * kMs);
  c.ReadDuration("/max_backoff", &s.max_backoff, 1 * kSec);
  c.ReadDuration("/flow_program_delay", &s.flow_program_delay);
  s.table_capacity = c.value.value("table_capacity", s.table_capacity);
  if (s.table_capacity == 0) c.Problem("/table_capacity", "a flow table holds at least one entry");
}

}  // namespace

ScenarioSection SwitchSection() {
  ScenarioSection s;
  s.key = "switch";
  s.help = "the OpenFlow switches: fail mode, inactivity probe, reconnect backoff, flow-table capacity";
  s.stage = ScenarioSection::Stage::kSettings;
  s.schema = kSwitchSchemaText;
  s.parse = ParseSwitch;
  return s;
}

}  // namespace planelab
