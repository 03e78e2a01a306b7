#!/usr/bin/env bash
# Runs every shipped scenario (or those given) and prints one line per output file:
# "<scenario> <file> <sha256>". Two such lists from two commits show which run stores changed.
#   scripts/run-digests.sh BUILD_DIR OUT_DIR [scenario.json ...]
set -euo pipefail
bin="$1/sim/cli/planelab"; out="$2"; shift 2
src="$(cd "$(dirname "$0")/.." && pwd)"
if [ $# -eq 0 ]; then
  mapfile -t files < <(cd "$src" && find scenarios -name '*.json' ! -name scenario.schema.json ! -path 'scenarios/scale/*' | sort)
else
  files=("$@")
fi
mkdir -p "$out"
for f in "${files[@]}"; do
  name="${f#scenarios/}"; name="${name%.json}"; name="${name//\//.}"
  "$bin" run "$src/$f" --quiet --force --out "$out/$name" >/dev/null 2>&1 || true
  for o in run.sqlite summary.json; do
    if [ -f "$out/$name/$o" ]; then
      printf '%s %s %s\n' "$name" "$o" "$(sha256sum < "$out/$name/$o" | cut -c1-64)"
    else
      printf '%s %s missing\n' "$name" "$o"
    fi
  done
done
