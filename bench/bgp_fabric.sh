#!/usr/bin/env bash
# Cold-start convergence of eBGP leaf-spine fabrics (RFC 7938) at several sizes: wall time, kernel
# events/s, peak memory per router. Usage: bench/bgp_fabric.sh [ROUTERS...]   (default: 100 250 500 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/sim/cli/planelab ] || scripts/build.sh >/dev/null
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 250 500 1000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf "%8s %7s %7s %10s %12s %10s %12s %14s\n" routers spines leaves wall_s events events/s peak_MiB KiB/router
for n in "${sizes[@]}"; do
  spines=4
  [ "$n" -gt 1000 ] && spines=8
  leaves=$((n - spines))
  cat >"$work/s.json" <<JSON
{"name": "bench-clos-$n", "duration": "3s", "sample_interval": "1s",
 "topology": {"generate": [{"kind": "leaf-spine", "spines": $spines, "leaves": $leaves, "hosts_per_leaf": 1,
                            "link": {"rate": "10Gbps", "delay": "10us"}}]},
 "management": {"enabled": false},
 "routing": {"protocol": "bgp", "bgp": {"keepalive": "3s", "hold_time": "9s", "mrai_ebgp": "0s"}},
 "expectations": [{"id": "converged", "group": "leaves", "plane": "control", "metric": "rib_routes",
                   "from": "2s", "to": "3s", "stat": "min", "op": ">=", "bound": $((leaves - 1))}]}
JSON
  /usr/bin/time -f "%e %M" -o "$work/time" build/sim/cli/planelab run "$work/s.json" --out "$work/run-$n" --quiet || {
    echo "$n routers: did not converge (exit $?)"; continue; }
  read -r wall rss <"$work/time"
  events=$(sqlite3 "$work/run-$n/run.sqlite" "select value from meta where key='kernel_events'")
  /usr/bin/python3 -c "
w,r,e,n,s,l=$wall,$rss,$events,$n,$spines,$leaves
print(f'{n:8d} {s:7d} {l:7d} {w:10.1f} {e:12d} {e/max(w,1e-9):10.0f} {r/1024:12.0f} {r/n:14.0f}')"
  rm -rf "$work/run-$n"
done
