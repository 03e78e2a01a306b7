#!/usr/bin/env bash
# Sweeps a study (resuming whatever is already in its folder), then executes a notebook on its results with
# Debian's Jupyter. Usage: run_study_notebook.sh PLANELAB NOTEBOOK STUDY_FILE STUDY_DIR
# The notebook gets PLANELAB_STUDY and PLANELAB_NOTEBOOK_OUT (the study folder) and must write a PNG there;
# the notebook's own folder must not change.
set -euo pipefail
planelab="$1"; notebook="$(realpath "$2")"; study="$3"; dir="$4"
rc=0
"$planelab" sweep "$study" -j2 --out "$dir" || rc=$?
[ $rc -le 1 ] || { echo "run_study_notebook.sh: the sweep failed (exit $rc)" >&2; exit 1; }
dir="$(realpath "$dir")"
export PATH="/usr/bin:/bin:$PATH"
unset PYTHONPATH PYTHONHOME || true
before="$(ls -lA --time-style=+%s "$(dirname "$notebook")")"
rm -f "$dir/executed.ipynb" "$dir"/*.png
PLANELAB_STUDY="$dir" PLANELAB_NOTEBOOK_OUT="$dir" \
  /usr/bin/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 \
  --output-dir "$dir" --output executed.ipynb "$notebook"
test -s "$dir/executed.ipynb"
after="$(ls -lA --time-style=+%s "$(dirname "$notebook")")"
if [ "$before" != "$after" ]; then
  echo "run_study_notebook.sh: executing $notebook changed its folder:" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
ls "$dir"/*.png >/dev/null
