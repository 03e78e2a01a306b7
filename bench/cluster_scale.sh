#!/usr/bin/env bash
# Orchestrated clusters of N worker nodes with 30 pods per node (deployments of 150 replicas), one hour of
# simulated time with one rollout at 10 minutes and 50 requests/s of service traffic. Reports wall time, kernel
# events per second, peak memory, and simulated seconds per wall second (>1 means faster than real time).
# Usage: bench/cluster_scale.sh [N ...]   (default: 100 1000 5000; DURATION=1h to change the simulated span)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${PLANELAB_BIN:-$here/build/sim/cli/planelab}"
[ -x "$bin" ] || { echo "build first: scripts/build.sh" >&2; exit 2; }
duration="${DURATION:-1h}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000 5000)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf "%8s %10s %12s %14s %12s %10s\n" nodes pods wall_s events_per_s peak_MiB sim/wall
for n in "${sizes[@]}"; do
  /usr/bin/python3 - "$n" "$duration" > "$work/c$n.json" <<'PY'
import json, sys
n, dur = int(sys.argv[1]), sys.argv[2]
total = n * 30
k = max(1, total // 150)
deps = [{"name": f"app{i}", "replicas": total // k} for i in range(k)]
print(json.dumps({
  "name": f"cluster-{n}", "duration": dur, "sample_interval": "10s", "topology": {},
  "management": {"enabled": False},
  "cluster": {"nodes": n, "max_pods": 110, "deployments": deps,
              "service_clients": [{"service": "app0", "rate": "50pps", "timeout": "1s", "start": "10s"}],
              "rollouts": [{"at": "10m", "deployment": "app0"}]},
  "expectations": [{"id": "raft-safe", "device": "etcd-1", "plane": "control", "metric": "safety_violations",
                    "stat": "max", "op": "==", "bound": 0}]}))
PY
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" run "$work/c$n.json" --out "$work/run$n" --quiet > "$work/out.txt" || true
  read -r wall rss < "$work/time"
  events=$(sqlite3 "$work/run$n/run.sqlite" "select value from meta where key='kernel_events'")
  simsec=$(sqlite3 "$work/run$n/run.sqlite" "select value from meta where key='duration_s'")
  /usr/bin/python3 -c "
n,wall,rss,ev,sim=$n,$wall,$rss,$events,$simsec
print('%8d %10d %12.1f %14.0f %12.0f %10.2f' % (n, n*30, wall, ev/wall, rss/1024, sim/wall))"
done
