#!/usr/bin/env bash
# Cold start of eBGP leaf-spine fabrics (RFC 7938): every leaf must learn every other leaf's prefix
# with full ECMP. Prints, per size: wall time and CPU time (user + system) of the run, simulated time
# at which the last leaf held a full table, kernel events/s, peak memory (total and per router).
#
# Usage: bench/bgp_fabric.sh [ROUTERS...]        (default: 100 1000 5000)
# Env:   SPINES (default 4 up to 1,000 routers, 8 above), DURATION in seconds (default 6; 16 above 2,000),
#        CPU_COST (route-processor time per BGP message, default the scenario default 200us),
#        PLANELAB_BIN (default build/sim/cli/planelab).
# Each size runs alone; nothing else should run on the machine while it does.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PLANELAB_BIN:-build/sim/cli/planelab}
[ -x "$bin" ] || scripts/build.sh >/dev/null
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000 5000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf "%8s %7s %7s %9s %9s %13s %12s %10s %10s %11s\n" \
  routers spines leaves wall_s cpu_s converged_at_s events events/s peak_MiB KiB/router
for n in "${sizes[@]}"; do
  spines=${SPINES:-$([ "$n" -gt 1000 ] && echo 8 || echo 4)}
  duration=${DURATION:-$([ "$n" -gt 2000 ] && echo 16 || echo 6)}
  leaves=$((n - spines))
  cpu=""
  [ -n "${CPU_COST:-}" ] && cpu=", \"cpu_cost_message\": \"$CPU_COST\""
  # Data-center timers as in scenarios/scale/clos-1000-bgp.json (keepalive 3 s, hold 9 s, MRAI 0).
  cat >"$work/s.json" <<JSON
{"name": "bench-clos-$n", "duration": "${duration}s", "sample_interval": "500ms",
 "topology": {"generate": [{"kind": "leaf-spine", "spines": $spines, "leaves": $leaves, "hosts_per_leaf": 1,
                            "link": {"rate": "10Gbps", "delay": "10us"}}]},
 "management": {"enabled": false},
 "routing": {"protocol": "bgp"$cpu, "bgp": {"keepalive": "3s", "hold_time": "9s", "connect_retry": "10s", "mrai_ebgp": "0s"}},
 "expectations": [{"id": "converged", "group": "leaves", "plane": "control", "metric": "rib_routes",
                   "from": "$((duration - 1))s", "to": "${duration}s", "stat": "min", "op": ">=", "bound": $((leaves - 1))}]}
JSON
  # Exit status 1 only says the fabric had not converged by the end: the figures still count.
  status=0
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$bin" run "$work/s.json" --out "$work/run-$n" --quiet || status=$?
  if [ "$status" -gt 1 ]; then
    echo "$n routers: planelab run failed (exit status $status)"
    continue
  fi
  read -r wall rss user sys <"$work/time"
  db="$work/run-$n/run.sqlite"
  events=$(sqlite3 "$db" "select value from meta where key='kernel_events'")
  # The first sample at which every leaf held routes to all other leaves.
  conv=$(sqlite3 "$db" "select min(t_s) from (select t_s, min(value) m from metric_samples
           where metric='rib_routes' and device like 'leaf%' group by t_s) where m >= $((leaves - 1))")
  [ -n "$conv" ] || conv="not_by_${duration}"
  /usr/bin/python3 -c "
w,r,e,n,s,l,c,u=$wall,$rss,$events,$n,$spines,$leaves,'$conv',$user+$sys
print(f'{n:8d} {s:7d} {l:7d} {w:9.1f} {u:9.1f} {c:>13s} {e:12d} {e/max(w,1e-9):10.0f} {r/1024:10.0f} {r/n:11.0f}')"
  rm -rf "$work/run-$n"
done
