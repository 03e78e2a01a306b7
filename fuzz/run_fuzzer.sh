#!/usr/bin/env bash
# Runs the scenario-parser fuzzer (build/fuzz/fuzz/scenario_fuzzer) for a bounded time, seeded with fuzz/corpus and
# the scenario dictionary. Fails on any crash, sanitizer report, leak, uncaught exception, an input slower than 60 s
# (about 10 s without sanitizers) or one that needs more than 3 GB; the reproducer is kept in WORKDIR/artifacts.
# Inputs slower than 10 s are kept there too (slow-unit-*) and counted, not failed.
# Inputs are at most 16 KB (-max_len, ten times a shipped scenario; a later -max_len overrides it): longer values
# are refused before the schema's patterns see them, which the unit tests and tests/scenarios/broken/ cover.
# Exit 77 (skipped) when the fuzzer is not built: scripts/build.sh builds it when clang is installed.
#
# Usage: fuzz/run_fuzzer.sh FUZZER WORKDIR [SECONDS] [more libFuzzer flags...]
#   e.g. fuzz/run_fuzzer.sh build/fuzz/fuzz/scenario_fuzzer build/fuzz-work 120
#        fuzz/run_fuzzer.sh build/fuzz/fuzz/scenario_fuzzer /tmp/long 0 -runs=10000000
set -euo pipefail
fuzzer=$1
work=$2
seconds=${3:-120}
shift $(($# < 3 ? $# : 3))
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -x "$fuzzer" ]; then
  echo "fuzz: $fuzzer is not built; scripts/build.sh builds it into build/fuzz when clang is installed" >&2
  exit 77
fi
mkdir -p "$work/corpus" "$work/artifacts"
rm -f "$work/artifacts/"*
# New inputs go to the first folder (in the build tree): the repository's corpus is only read.
status=0
"$fuzzer" "$work/corpus" "$here/corpus" -dict="$here/scenario.dict" -max_total_time="$seconds" -timeout=60 \
  -rss_limit_mb=3072 -max_len=16384 -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$@" >"$work/fuzz.log" 2>&1 || status=$?
# libFuzzer also keeps inputs slower than 10 s (slow-unit-*): on a loaded machine (or a paused process) a legal input
# gets there, so they are listed, not failed; an input slower than -timeout (60 s) is a timeout-* artifact and fails.
slow=$(ls "$work/artifacts" | grep '^slow-unit-' || true)
if [ -n "$slow" ]; then
  echo "fuzz: inputs slower than 10 s (kept in $work/artifacts; re-run one alone to time it): $(echo $slow | wc -w)"
fi
failing=$(ls "$work/artifacts" | grep -v '^slow-unit-' || true)
if [ "$status" -ne 0 ] || [ -n "$failing" ]; then
  # The report: from its first line (a sanitizer's, libFuzzer's, or an uncaught exception's) on.
  first=$(grep -n -m1 -E '==[0-9]+==ERROR|runtime error|ERROR: libFuzzer|terminate called|ALARM|out-of-memory' \
          "$work/fuzz.log" | cut -d: -f1 || true)
  if [ -n "$first" ]; then sed -n "$((first > 5 ? first - 5 : 1)),$((first + 60))p" "$work/fuzz.log"; else tail -n 60 "$work/fuzz.log"; fi
  echo "fuzz: FAILED (exit $status); reproducers: $(echo $failing | tr '\n' ' ')"
  echo "fuzz: replay one with: $fuzzer <file>; add it to tests/scenarios/broken/ once fixed"
  exit 1
fi
grep -E '^(#[0-9]+.*DONE|stat::)' "$work/fuzz.log" || tail -n 5 "$work/fuzz.log"
echo "fuzz: no crash"
