// The switch family's scenario section ("switch"): the OpenFlow switches' agent and table settings, with Open
// vSwitch's defaults, its parser and its schema fragment (switch.schema.json beside this file).
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "sim/scenario/scenario_section.h"
#include "sim/util/units.h"

namespace planelab {

/// Settings every switch of the scenario shares.
struct SwitchSpec {
  // ovs-vsctl(8), "Controller Failure Settings": "The default is standalone if the value is unset".
  std::string fail_mode = "standalone";
  // Per-switch fail modes, overriding `fail_mode` (ovs-vsctl set-fail-mode is per bridge).
  std::map<std::string, std::string> fail_modes;
  // ovs-vswitchd.conf.db(5), Controller table: inactivity_probe defaults to 5000 ms; a connection silent for
  // that long is probed, and dropped after as long again without an answer.
  SimTime inactivity_probe = 5 * kSec;
  // ovs-vswitchd.conf.db(5), Controller table: max_backoff defaults to 8000 ms (the reconnect backoff starts at
  // 1 s and doubles up to it).
  SimTime max_backoff = 8 * kSec;
  // Entries one flow table holds: PlaneLab's choice for a hardware switch's TCAM region (OVS's software table has
  // no limit by default); a full table answers OFPFMFC_TABLE_FULL (OF 1.3.5 §6.4).
  uint32_t table_capacity = 4096;
  // Time the forwarding hardware takes to apply one flow-mod (a TCAM write), before the next may start.
  SimTime flow_program_delay = 1 * kMs;
  // Where the OpenFlow channels run: "out-of-band", over a control network of its own (a switch's first link to
  // a router is its control port), or "in-band", over the data fabric itself (the controllers hang off switches).
  // ovs-vswitchd.conf.db(5), Controller `connection_mode`: in-band or out-of-band; unset, Open vSwitch uses
  // in-band (its DESIGN, "In-Band Control"; netplan's openvswitch docs: "The default is in-band"), with hidden
  // flows carrying the control traffic over the bridge's own ports. PlaneLab's default stays out-of-band, the
  // shipped fabrics' control network.
  std::string control_network = "out-of-band";
};

/// The fail mode of one switch.
inline const std::string& FailModeOf(const SwitchSpec& s, const std::string& sw) {
  auto it = s.fail_modes.find(sw);
  return it == s.fail_modes.end() ? s.fail_mode : it->second;
}

/// The "switch" section: parser and schema fragment.
ScenarioSection SwitchSection();

}  // namespace planelab
