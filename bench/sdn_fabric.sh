#!/usr/bin/env bash
# Reactive SDN fabrics under a 3-controller cluster (models/switch, models/sdn_controller): leaf-spine fabrics of
# N switches, one host on every few leaves, host pairs starting UDP flows between 8 s and 17.5 s, so every flow is
# set up by packet-ins. Prints, per size: wall time, kernel events, events/s, peak memory, and the flow-setup
# latency (packet-in -> the switch's barrier reply for the flow-mod; controllers' flow_setup_latency) p50 and p99
# over the run.
#
# Usage: bench/sdn_fabric.sh [SWITCHES...]      (default: 100 1000)
# Env:   SPINES (default 4 up to 200 switches, 8 above), HOSTS (default 40 up to 200 switches, 200 above),
#        PLANELAB_BIN (default build/sim/cli/planelab).
# The control network's queues are 5000 packets deep: with the 100-packet default, a thousand switches'
# synchronized echo probes overflow the controllers' links and channels drop (an incast the fabric would see).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PLANELAB_BIN:-build/sim/cli/planelab}
[ -x "$bin" ] || scripts/build.sh >/dev/null
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf "%9s %7s %7s %6s %9s %10s %9s %10s %14s %14s\n" \
  switches spines leaves hosts wall_s events events/s peak_MiB setup_p50_ms setup_p99_ms
for n in "${sizes[@]}"; do
  spines=${SPINES:-$([ "$n" -gt 200 ] && echo 8 || echo 4)}
  hosts=${HOSTS:-$([ "$n" -gt 200 ] && echo 200 || echo 40)}
  python3 - "$spines" "$((n - spines))" "$hosts" "$work/s.json" <<'PY'
import json, sys
spines, leaves, hosts, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
devs = [{"id": "ctl", "kind": "router"}] + [{"id": f"c{i}", "kind": "sdn-controller"} for i in (1, 2, 3)]
devs += [{"id": f"spine{i}", "kind": "switch"} for i in range(1, spines + 1)]
devs += [{"id": f"leaf{i}", "kind": "switch"} for i in range(1, leaves + 1)]
links = [{"a": f"c{i}", "b": "ctl"} for i in (1, 2, 3)]
links += [{"a": f"spine{i}", "b": "ctl"} for i in range(1, spines + 1)]
links += [{"a": f"leaf{i}", "b": "ctl"} for i in range(1, leaves + 1)]
links += [{"a": f"leaf{l}", "b": f"spine{s}"} for l in range(1, leaves + 1) for s in range(1, spines + 1)]
step = max(1, leaves // hosts)
for h in range(1, hosts + 1):
    devs.append({"id": f"h{h}", "kind": "host"})
    links.append({"a": f"h{h}", "b": f"leaf{1 + ((h - 1) * step) % leaves}"})
wl = [{"id": f"w{k}", "protocol": "udp", "client": f"h{k + 1}", "server": f"h{k + 1 + hosts // 2}", "rate": "20pps",
       "timeout": "500ms", "start": f"{8 + (k % 20) * 0.5}s"} for k in range(hosts // 2)]
json.dump({"schema": "planelab.scenario/1", "name": f"bench-sdn-{spines + leaves}", "seed": 1, "duration": "40s",
           "topology": {"link_defaults": {"rate": "10Gbps", "delay": "50us", "queue": {"kind": "fifo", "size": "5000p"}},
                        "devices": devs, "links": links},
           "management": {"enabled": False}, "switch": {"fail_mode": "secure"},
           "sdn_controller": {"forwarding": "reactive"}, "workloads": wl,
           "expectations": [{"id": "served", "device": "h1", "plane": "data", "metric": "loss_ratio", "from": "20s",
                             "to": "40s", "stat": "max", "op": "<=", "bound": 0.01}]}, open(out, "w"))
PY
  /usr/bin/time -v "$bin" run "$work/s.json" --force --out "$work/run" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
  events=$(grep -oE '^[0-9]+ kernel events' "$work/log" | cut -d' ' -f1)
  wall=$(grep -oE 'events in [0-9.]+s wall' "$work/log" | grep -oE '[0-9.]+')
  rss=$(grep 'Maximum resident' "$work/log" | grep -oE '[0-9]+$')
  read -r p50 p99 < <(sqlite3 -separator ' ' "$work/run/run.sqlite" \
    "select printf('%.3f', 1000*avg(case when x.metric='flow_setup_latency_p50' then s.value end)),
            printf('%.3f', 1000*max(case when x.metric='flow_setup_latency_p99' then s.value end))
     from samples s join series x on x.id = s.series
     where x.metric in ('flow_setup_latency_p50', 'flow_setup_latency_p99') and s.value is not null")
  printf "%9d %7d %7d %6d %9.1f %10d %9.0f %10.0f %14s %14s\n" "$n" "$spines" "$((n - spines))" "$hosts" "$wall" \
    "$events" "$(echo "$events / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$p50" "$p99"
done
