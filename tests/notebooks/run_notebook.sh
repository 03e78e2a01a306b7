#!/usr/bin/env bash
# Runs scenarios, then executes a notebook on their run folders with Debian's Jupyter (not pyenv's python).
# Usage: run_notebook.sh PLANELAB NOTEBOOK WORKDIR SCENARIO [SCENARIO...]
# Each scenario runs into WORKDIR/<file name without .json>. The notebook is executed as a user would
# from the folder above WORKDIR: PLANELAB_RUNS, PLANELAB_RUN (the first scenario's run) and
# PLANELAB_NOTEBOOK_OUT are given as paths relative to it, and the test fails if the notebook's own
# folder gains or loses a file (notebooks write only where asked). `ls -A`: the listing leaves out . and ..,
# whose times change with whatever else happens in the repository meanwhile.
set -euo pipefail
planelab="$1"; notebook="$(realpath "$2")"; work="$3"; shift 3
rm -rf "$work"; mkdir -p "$work"
work="$(realpath "$work")"
first=""
for scenario in "$@"; do
  run="$work/$(basename "$scenario" .json)"
  "$planelab" run "$scenario" --quiet --out "$run"
  [ -n "$first" ] || first="$(basename "$run")"
done
export PATH="/usr/bin:/bin:$PATH"
unset PYTHONPATH PYTHONHOME || true
before="$(ls -lA --time-style=+%s "$(dirname "$notebook")")"
cd "$(dirname "$work")"
rel="$(basename "$work")"
PLANELAB_RUN="$rel/$first" PLANELAB_RUNS="$rel" PLANELAB_NOTEBOOK_OUT="$rel" \
  /usr/bin/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 \
  --output-dir "$rel" --output executed.ipynb "$notebook"
test -s "$work/executed.ipynb"
after="$(ls -lA --time-style=+%s "$(dirname "$notebook")")"
if [ "$before" != "$after" ]; then
  echo "run_notebook.sh: executing $notebook changed its folder:" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
ls "$work"/*.png >/dev/null
