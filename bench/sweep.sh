#!/usr/bin/env bash
# The experiment tools' costs:
#  1. sweep throughput, -j2 against -j1, on a study of N runs (default tests/cli/studies/tiny.json with
#     seeds 1..8: 16 runs of link-failure-reroute);
#  2. the sweep machinery's overhead per run against the same runs done by bare `planelab run` in a loop;
#  3. `planelab compare` on two copies of a run folder (default: a fresh run of scenarios/scale/clos-1000-bgp.json
#     if COMPARE_RUN is not given; that run takes minutes).
# Usage: bench/sweep.sh            Env: PLANELAB_BIN, SEEDS (default 1..8), COMPARE_RUN (a run folder)
# Nothing else should run on the machine while it does.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${PLANELAB_BIN:-build/sim/cli/planelab}")
seeds=${SEEDS:-1..8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|\"seeds\": \"1..2\"|\"seeds\": \"$seeds\"|; s|\"../../../scenarios/|\"$PWD/scenarios/|" \
  tests/cli/studies/tiny.json > "$work/study.json"
runs=$("$bin" sweep "$work/study.json" --check | sed -E 's/.*= ([0-9]+) runs.*/\1/')
now() { date +%s.%N; }
t0=$(now); "$bin" sweep "$work/study.json" -j1 --out "$work/j1" >/dev/null || true; t1=$(now)
"$bin" sweep "$work/study.json" -j2 --out "$work/j2" >/dev/null || true; t2=$(now)
# Bare runs: the same points and seeds, one `planelab run` after another.
for p in "$work"/j1/points/*.json; do
  for s in $(seq ${seeds%..*} ${seeds#*..}); do
    "$bin" run "$p" --seed "$s" --quiet --out "$work/bare/$(basename "$p" .json)-s$s" || true
  done
done
t3=$(now)
python3 - "$runs" "$t0" "$t1" "$t2" "$t3" <<'PY'
import sys
runs, t0, t1, t2, t3 = int(sys.argv[1]), *map(float, sys.argv[2:])
j1, j2, bare = t1 - t0, t2 - t1, t3 - t2
print(f"runs={runs}  sweep -j1: {j1:.2f}s  sweep -j2: {j2:.2f}s  speed-up {j1 / j2:.2f}x (target >= 1.9x)")
print(f"bare planelab run loop: {bare:.2f}s; sweep -j1 overhead per run {100 * (j1 - bare) / bare:+.1f}% (target < 5%)")
PY
if [ -n "${COMPARE_RUN:-}" ]; then
  cp -r "$COMPARE_RUN" "$work/ca"; cp -r "$COMPARE_RUN" "$work/cb"
  t4=$(now); "$bin" compare "$work/ca" "$work/cb" >/dev/null || true; t5=$(now)
  python3 -c "print(f'compare on $(basename "$COMPARE_RUN") ($(du -sh "$COMPARE_RUN/run.sqlite" | cut -f1) store): {$t5 - $t4:.2f}s (target < 5s)')"
fi
