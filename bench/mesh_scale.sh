#!/usr/bin/env bash
# A service mesh on clusters of N worker nodes with 30 pods per node (deployments of 150 replicas), an Envoy
# sidecar in every pod: N x 30 sidecars, plus the client's. Three minutes of simulated time with 50 requests/s of
# service traffic through the client's sidecar and one routing change (a VirtualService shifting app0 50/50 to
# app1) at 60 s. Reports wall time, kernel events per second, peak memory (/usr/bin/time), the proxies istiod
# serves, the time of the start-up connection storm (every proxy connected and ACKed its first push), and the
# routing change's push time to all proxies (pilot_xds_push_time) and its convergence (pilot_proxy_convergence_time).
# istiod is then down from 90 s to 120 s: the time until every proxy is connected again after it returns
# (reconnect_s) and the p99 time from a proxy's reconnection to its ACK of the full push (storm_push_s).
# Usage: bench/mesh_scale.sh [N ...]   (default: 50 100 500; DURATION=3m to change the simulated span)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${PLANELAB_BIN:-$here/build/sim/cli/planelab}"
[ -x "$bin" ] || { echo "build first: scripts/build.sh" >&2; exit 2; }
duration="${DURATION:-4m}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(50 100 500)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf "%6s %9s %9s %12s %9s %8s %12s %12s %12s %12s\n" nodes sidecars wall_s events_per_s peak_MiB proxies push_all_s converge_s reconnect_s storm_push_s
for n in "${sizes[@]}"; do
  /usr/bin/python3 - "$n" "$duration" > "$work/m$n.json" <<'PY'
import json, sys
n, dur = int(sys.argv[1]), sys.argv[2]
total = n * 30
k = max(2, total // 150)
deps = [{"name": f"app{i}", "replicas": total // k} for i in range(k)]
print(json.dumps({
  "name": f"mesh-{n}", "duration": dur, "sample_interval": "1s", "topology": {},
  "management": {"enabled": False},
  "cluster": {"nodes": n, "max_pods": 110, "deployments": deps,
              "service_clients": [{"service": "app0", "rate": "50pps", "timeout": "1s", "start": "10s"}]},
  "mesh": {"virtual_services": [
      {"at": "60s", "host": "app0", "routes": [{"deployment": "app0", "weight": 50}, {"deployment": "app1", "weight": 50}]}]},
  "faults": [{"at": "90s", "until": "120s", "target": "istiod", "kind": "istiod-down"}],
  "expectations": [{"id": "raft-safe", "device": "etcd-1", "plane": "control", "metric": "safety_violations",
                    "stat": "max", "op": "==", "bound": 0}]}))
PY
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" run "$work/m$n.json" --out "$work/run$n" --quiet > "$work/out.txt" || true
  read -r wall rss < "$work/time"
  db="$work/run$n/run.sqlite"
  events=$(sqlite3 "$db" "select value from meta where key='kernel_events'")
  q() { sqlite3 "$db" "select coalesce(max(m.value),0) from series s join samples m on m.series=s.id where s.device='istiod' and s.metric='$1' and m.t_s $2"; }
  proxies=$(q pilot_xds "<= 90")
  push=$(q pilot_xds_push_time_p99 "> 60 and m.t_s <= 90")
  conv=$(q pilot_proxy_convergence_time_p99 "> 60 and m.t_s <= 90")
  back=$(sqlite3 "$db" "select coalesce(min(m.t_s),-1) from series s join samples m on m.series=s.id where s.device='istiod' and s.metric='pilot_xds' and m.t_s > 120 and m.value >= $proxies")
  storm=$(q pilot_xds_connect_push_time_p99 "> 120")
  /usr/bin/python3 -c "
n,wall,rss,ev=$n,$wall,$rss,$events
back=$back
print('%6d %9d %9.1f %12.0f %9.0f %8d %12.3f %12.3f %12s %12.3f' % (n, n*30, wall, ev/wall, rss/1024, $proxies, $push, $conv,
      ('%.1f' % (back - 120)) if back >= 0 else 'never', $storm))"
done
