#!/usr/bin/env bash
# Cold start of link-state routing at scale, side by side with ns-3's own GlobalRouting on the same topology.
# PlaneLab: `planelab run` of a generated topology (OSPFv2 control planes, no hosts, no management network, 1 s
# samples) for DURATION simulated seconds; CPU time (user + system) and peak memory of the whole run, and the
# simulated time at which the last route changed (summary.json's cold-start convergence). ns-3:
# bench/global_routing_baseline.cc builds the same nodes, links and /30 subnets and times PopulateRoutingTables().
# The speed-up compares CPU seconds, which other work on the machine disturbs far less than wall time.
#
# Usage: bench/linkstate_scale.sh [grid|leaf-spine] [ROUTERS...]   (default: grid 100 500 1000 2000 5000)
# Env:   SPINES (leaf-spine, default 8), DURATION (default 30), GR_MAX (largest size GlobalRouting runs at, default
#        2000; above it the figure recorded once in bench/recorded/global-routing.jsonl is quoted with its date),
#        DYNAMIC_FLOODING (1: RFC 9667 dynamic flooding, routing.link_state.dynamic_flooding),
#        MTU (the links' IP MTU, default 1500; 9000: a backbone's jumbo frames, so each update carries six times the LSAs),
#        PLANELAB_BIN (default build/sim/cli/planelab), MIMALLOC_LARGE_OS_PAGES=1 (the heap on transparent huge
#        pages: about 15 % less CPU at 5,000 routers, see docs/link-state.md). Each size runs alone; nothing else
#        should run meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
topo=grid
if [ "${1:-}" = grid ] || [ "${1:-}" = leaf-spine ]; then topo=$1; shift; fi
bin=${PLANELAB_BIN:-build/sim/cli/planelab}
gr=build/bench/global_routing_baseline
[ -x "$bin" ] && [ -x "$gr" ] || scripts/build.sh -DPLANELAB_BUILD_BENCH=ON >/dev/null
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 500 1000 2000 5000)
spines=${SPINES:-8}
duration=${DURATION:-30}
gr_max=${GR_MAX:-2000}
ls_extra=""
mtu=${MTU:-1500}
[ "${DYNAMIC_FLOODING:-0}" = 1 ] && ls_extra=', "link_state": {"dynamic_flooding": true}'
recorded=bench/recorded/global-routing.jsonl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf "%-10s %7s | %8s %10s %11s %8s | %8s %10s %s\n" topology routers pl_cpu_s pl_peak_MiB converged_s KiB/rtr \
  gr_cpu_s gr_peak_MiB "speed-up"
for n in "${sizes[@]}"; do
  if [ "$topo" = grid ]; then
    gen="{\"kind\": \"grid\", \"routers\": $n, \"hosts_per_router\": 0, \"link\": {\"rate\": \"10Gbps\", \"delay\": \"10us\", \"mtu\": $mtu}}"
    gr_args=(grid "$n")
  else
    gen="{\"kind\": \"leaf-spine\", \"spines\": $spines, \"leaves\": $((n - spines)), \"hosts_per_leaf\": 0, \"link\": {\"rate\": \"10Gbps\", \"delay\": \"10us\", \"mtu\": $mtu}}"
    gr_args=(leaf-spine "$spines" $((n - spines)))
  fi
  cat >"$work/s.json" <<JSON
{"name": "bench-$topo-$n", "duration": "${duration}s", "sample_interval": "1s",
 "topology": {"generate": [$gen]},
 "management": {"enabled": false},
 "routing": {"protocol": "link-state"$ls_extra}}
JSON
  status=0
  /usr/bin/time -f "%U %S %M" -o "$work/time" "$bin" run "$work/s.json" --out "$work/run-$n" --quiet || status=$?
  if [ "$status" -gt 1 ]; then
    echo "$topo $n: planelab run failed (exit status $status)"
    continue
  fi
  read -r pl_user pl_sys pl_rss <"$work/time"
  pl_cpu=$(/usr/bin/python3 -c "print($pl_user + $pl_sys)")
  conv=$(/usr/bin/python3 -c "
import json; c = json.load(open('$work/run-$n/summary.json'))['convergence']
v = c[0]['converged_after_s'] if c else None
print('none' if v is None else f'{v:.3f}')")
  rm -rf "$work/run-$n"
  gr_json=""
  if [ "$n" -le "$gr_max" ]; then
    gr_json=$("$gr" "${gr_args[@]}")
  elif [ -f "$recorded" ]; then
    gr_json=$(grep "\"topology\": \"$topo\", \"routers\": $n," "$recorded" | tail -1 || true)
  fi
  /usr/bin/python3 - "$topo" "$n" "$pl_cpu" "$pl_rss" "$conv" "$gr_json" <<'PY'
import json, sys
topo, n, wall, rss, conv, grj = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
gw = gm = "-"; ratio = ""
if grj:
    g = json.loads(grj)
    t = g["build_cpu_s"] + g["populate_cpu_s"]
    gw, gm = f"{t:8.1f}", f"{g['peak_mib']:10.0f}"
    ratio = f"{t / wall:8.1f}x" + (f"  (GlobalRouting recorded {g['date']})" if "date" in g else "")
print(f"{topo:<10s} {n:7d} | {wall:8.1f} {rss/1024:10.0f} {conv:>11s} {rss/n:8.0f} | {gw:>8s} {gm:>10s} {ratio}")
PY
done
