#!/usr/bin/env bash
# Runs a scenario, then executes a notebook on its run folder with Debian's Jupyter (not pyenv's python).
# Usage: run_notebook.sh PLANELAB SCENARIO NOTEBOOK WORKDIR
set -euo pipefail
planelab="$1"; scenario="$2"; notebook="$3"; work="$4"
rm -rf "$work"; mkdir -p "$work"
"$planelab" run "$scenario" --quiet --out "$work/run"
export PATH="/usr/bin:/bin:$PATH"
unset PYTHONPATH PYTHONHOME || true
PLANELAB_RUN="$work/run" PLANELAB_NOTEBOOK_OUT="$work" \
  /usr/bin/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 \
  --output "$work/executed.ipynb" "$notebook"
test -s "$work/executed.ipynb"
