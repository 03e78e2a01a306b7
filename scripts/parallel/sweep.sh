#!/usr/bin/env bash
# The Slurm recipe with GNU parallel: plan a study, run its tasks JOBS at a time, merge. The same steps as
# scripts/slurm/submit.sh, so a study folder can be started with one and finished with the other. To spread
# the tasks over machines that share OUT, pass parallel's own options in PARALLEL, e.g.
# PARALLEL="-S node1,node2 --workdir ." (every machine needs the same PlaneLab at the same path).
# Exit: the merge's (0 every run complete and every expectation held, 1 not, 2 bad input).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 STUDY OUT [JOBS]   (JOBS default: the number of cores)" >&2
  exit 2
fi
command -v parallel >/dev/null || { echo "error: GNU parallel not found: apt-get install parallel" >&2; exit 2; }
planelab="${PLANELAB:-}"
if [ -z "$planelab" ]; then
  planelab="$(command -v planelab || true)"
  [ -n "$planelab" ] || planelab="$here/../../build/sim/cli/planelab"
fi
[ -x "$planelab" ] || { echo "error: $planelab: no planelab binary: put planelab on PATH or set PLANELAB" >&2; exit 2; }
planelab="$(realpath "$planelab")"
study="$(realpath "$1")"
out="$(realpath -m "$2")"
jobs="${3:-$(nproc)}"

"$planelab" sweep "$study" --plan --out "$out" >/dev/null || exit $?
n=$(( $(wc -l < "$out/tasks.tsv") - 1 ))
# A failed task does not stop the others (--halt never); the merge names it.
seq 0 $((n - 1)) | parallel --will-cite --halt never -j "$jobs" "$planelab" sweep "$study" --task {} --out "$out"
"$planelab" sweep "$study" --merge --out "$out"
