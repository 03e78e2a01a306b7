#!/usr/bin/env bash
# Runs the benchmarks and prints events/s and the ratios the closing notes quote.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh -DPLANELAB_BUILD_BENCH=ON >/dev/null
out=$(mktemp)
build/bench/planelab_bench --benchmark_format=json --benchmark_repetitions="${REPS:-3}" \
  --benchmark_report_aggregates_only=true >"$out"
/usr/bin/python3 - "$out" <<'PY'
import json, sys
runs = [b for b in json.load(open(sys.argv[1]))["benchmarks"] if b.get("aggregate_name") == "median"]
rate = {b["run_name"]: b["items_per_second"] for b in runs}
for name, r in rate.items():
    print(f"{name:45s} {r/1e6:8.2f} M events/s")
raw_map = rate.get("BM_RawNs3Schedule/0"); raw_pq = rate.get("BM_RawNs3Schedule/1")
actor = rate.get("BM_PlaneActorTimers")
off = rate.get("BM_PacketWorkload/0/iterations:3"); on = rate.get("BM_PacketWorkload/1/iterations:3")
if raw_map and raw_pq: print(f"PriorityQueueScheduler / MapScheduler (raw ns-3):      {raw_pq/raw_map:.2f}x")
if raw_pq and actor:   print(f"PlaneLab actor timers / raw ns-3 Schedule (same queue): {actor/raw_pq:.2f}x")
raw_pkt = [b for b in runs if b["run_name"].startswith("BM_RawNs3PacketWorkload")]
pl_pkt = [b for b in runs if b["run_name"].startswith("BM_PlaneLabPacketWorkload")]
if raw_pkt and pl_pkt:
    r, p = raw_pkt[0], pl_pkt[0]
    print(f"same UDP traffic, simulated s per wall s: raw ns-3 {r['sim_s_per_wall_s']:.1f}, PlaneLab {p['sim_s_per_wall_s']:.1f}"
          f" -> PlaneLab / raw = {p['sim_s_per_wall_s']/r['sim_s_per_wall_s']:.2f}x")
if off and on:         print(f"packet workload, recorder on / off:                    {on/off:.2f}x")
PY
rm -f "$out"
