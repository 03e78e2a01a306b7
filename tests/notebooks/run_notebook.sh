#!/usr/bin/env bash
# Runs scenarios, then executes a notebook on their run folders with Debian's Jupyter (not pyenv's python).
# Usage: run_notebook.sh PLANELAB NOTEBOOK WORKDIR SCENARIO [SCENARIO...]
# Each scenario runs into WORKDIR/<file name without .json>; the notebook gets PLANELAB_RUNS=WORKDIR
# and PLANELAB_RUN=the first scenario's run folder.
set -euo pipefail
planelab="$1"; notebook="$2"; work="$3"; shift 3
rm -rf "$work"; mkdir -p "$work"
first=""
for scenario in "$@"; do
  run="$work/$(basename "$scenario" .json)"
  "$planelab" run "$scenario" --quiet --out "$run"
  [ -n "$first" ] || first="$run"
done
export PATH="/usr/bin:/bin:$PATH"
unset PYTHONPATH PYTHONHOME || true
PLANELAB_RUN="$first" PLANELAB_RUNS="$work" PLANELAB_NOTEBOOK_OUT="$work" \
  /usr/bin/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 \
  --output "$work/executed.ipynb" "$notebook"
test -s "$work/executed.ipynb"
