#!/usr/bin/env bash
# planelab compare end to end: the same seed twice is equivalent (exit 0); a fault's `until` changed is a
# difference whose first diverging event names the device and plane (exit 1); folders that are not runs,
# and runs of different scenarios, are refused (exit 2).
set -uo pipefail
planelab="$1"; src="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
sc="$src/scenarios/basics/link-failure-reroute.json"
sed 's/"until": "40s"/"until": "30s"/' "$sc" > "$work/changed.json"
grep -q '"until": "30s"' "$work/changed.json" || fail "could not make the changed scenario"
"$planelab" run "$sc" --quiet --out "$work/a" || fail "run a"
"$planelab" run "$sc" --quiet --out "$work/a2" || fail "run a2"
"$planelab" run "$work/changed.json" --quiet --out "$work/b"; [ $? -le 1 ] || fail "run b"
"$planelab" run "$src/scenarios/incidents/dead-asic.json" --quiet --out "$work/other"; [ $? -le 1 ] || fail "run other"

out=$("$planelab" compare "$work/a" "$work/a2"); rc=$?
[ $rc -eq 0 ] || fail "same seed twice: exit $rc, expected 0: $out"
echo "$out" | grep -q '^equivalent' || fail "same seed twice not called equivalent: $out"

out=$("$planelab" compare "$work/a" "$work/b"); rc=$?
echo "$out"
[ $rc -eq 1 ] || fail "changed until: exit $rc, expected 1"
echo "$out" | grep -q '^first diverging event: at t=20s, r1-r2 data fault.start' || fail "first diverging event not named (t=20s, r1-r2 data)"
json=$("$planelab" compare "$work/a" "$work/b" --json); rc=$?
[ $rc -eq 1 ] || fail "--json: exit $rc"
python3 - "$json" <<'PY' || fail "--json report"
import json, sys
j = json.loads(sys.argv[1])
assert j["equivalent"] is False
f = j["first_diverging_event"]
assert f["a"]["device"] == "r1-r2" and f["a"]["plane"] == "data" and f["b"]["detail"] != f["a"]["detail"], f
assert len(f["context"]) == 3, f
assert j["health"], "no health differences"
PY

mkdir -p "$work/empty"
out=$("$planelab" compare "$work/a" "$work/empty" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "not a run: exit $rc"
echo "$out" | grep -q 'not a run folder' || fail "not a run: $out"
out=$("$planelab" compare "$work/a" "$work/other" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "different scenarios: exit $rc"
echo "$out" | grep -q 'different scenarios' || fail "different scenarios: $out"
cp -r "$work/a" "$work/truncated"
truncate -s 8192 "$work/truncated/run.sqlite"
out=$("$planelab" compare "$work/a" "$work/truncated" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "truncated store: exit $rc: $out"
echo "$out"
# --set: the same change made by an override is the same run as the edited file.
"$planelab" run "$sc" --set /faults/0/until=30s --quiet --out "$work/set"; [ $? -le 1 ] || fail "run --set"
grep -q '"until": "30s"' "$work/set/scenario.json" || fail "--set not recorded in scenario.json"
out=$("$planelab" compare "$work/b" "$work/set"); rc=$?
[ $rc -eq 0 ] || fail "--set run differs from the edited file's run: $out"
for bad in /faults/9/until=30s /nope/x=1 /faults/0/until=banana faults=1; do
  out=$("$planelab" run "$sc" --set "$bad" --quiet --out "$work/bad" 2>&1); rc=$?
  [ $rc -eq 2 ] || fail "--set $bad: exit $rc, expected 2"
  [ ! -e "$work/bad" ] || fail "--set $bad: something ran"
  echo "$out" | head -1
done
echo "PASS"
