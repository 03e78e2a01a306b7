#!/usr/bin/env bash
# Runs a study on a Slurm cluster: plans it, submits its tasks as one job array (at most THROTTLE running at a
# time) and a merge job that writes results.sqlite/results.csv once every task succeeded. Submitting again
# resumes: completed tasks are skipped. OUT must be on a filesystem every node mounts at the same path, and
# every node must run the same PlaneLab (PLANELAB, default planelab on PATH, else this checkout's build).
# sbatch's own variables apply to both jobs (SBATCH_PARTITION, SBATCH_ACCOUNT, SBATCH_TIMELIMIT, ...).
# Prints "array job <id>" and "merge job <id>". docs/experiments.md, "Running a study on a cluster (Slurm)".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 STUDY OUT [THROTTLE]   (e.g. $0 studies/etcd-fsync.json /shared/studies/etcd 16)" >&2
  exit 2
fi
throttle="${3:-}"
if [ -n "$throttle" ] && ! [[ "$throttle" =~ ^[1-9][0-9]*$ ]]; then
  echo "error: THROTTLE \"$throttle\": give a whole number from 1, the most tasks running at a time" >&2
  exit 2
fi
for cmd in sbatch scontrol; do
  command -v "$cmd" >/dev/null || { echo "error: $cmd not found: run this on a Slurm login node (slurm-client)" >&2; exit 2; }
done
planelab="${PLANELAB:-}"
if [ -z "$planelab" ]; then
  planelab="$(command -v planelab || true)"
  [ -n "$planelab" ] || planelab="$here/../../build/sim/cli/planelab"
fi
[ -x "$planelab" ] || { echo "error: $planelab: no planelab binary: put planelab on PATH or set PLANELAB" >&2; exit 2; }
# Absolute paths: the jobs run on other nodes, maybe from another folder.
planelab="$(realpath "$planelab")"
study="$(realpath "$1")"
out="$(realpath -m "$2")"

"$planelab" sweep "$study" --plan --out "$out"
n=$(( $(wc -l < "$out/tasks.tsv") - 1 ))
# Slurm refuses array indices at or above MaxArraySize (1001 unless configured): beyond, shards instead.
max=$(scontrol show config | awk '$1 == "MaxArraySize" {print $3}')
max="${max:-1001}"
shards=()
elements=$n
if [ "$n" -gt "$max" ]; then
  elements=$max
  shards=("$max")
fi
mkdir -p "$out/slurm"
export PLANELAB="$planelab"
array_id=$(sbatch --parsable --array="0-$((elements - 1))${throttle:+%$throttle}" --job-name="planelab-$(basename "$out")" \
  --output="$out/slurm/task-%A_%a.out" "$here/sweep.sbatch" "$study" "$out" "${shards[@]}")
array_id="${array_id%%;*}"
# afterok: the merge runs when every task succeeded (a task exits 0 when its run completed, whatever its
# expectations said). If one fails, Slurm cancels the merge (kill-on-invalid-dep) rather than keeping it
# pending forever; submit again to rerun only what did not complete, or merge by hand to see what is missing.
merge_cmd="$(printf '%q ' "$planelab" sweep "$study" --merge --out "$out")"
merge_id=$(sbatch --parsable --dependency="afterok:$array_id" --kill-on-invalid-dep=yes --job-name="planelab-merge" \
  --ntasks=1 --cpus-per-task=1 --output="$out/slurm/merge-%j.out" --wrap="$merge_cmd")
merge_id="${merge_id%%;*}"
echo "array job $array_id: $n tasks as --array=0-$((elements - 1))${throttle:+%$throttle}${shards:+ (in $max shards)}"
echo "merge job $merge_id: after the array succeeds; results in $out/results.sqlite, logs in $out/slurm/"
