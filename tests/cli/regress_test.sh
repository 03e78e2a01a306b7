#!/usr/bin/env bash
# planelab regress end to end: two shipped scenarios against their committed goldens (exit 0); a deliberately
# changed scenario is named by device, plane and window, with the expectations it breaks (exit 1); --update
# records and then passes; --json; bad input (exit 2, nothing written) and a damaged golden (named, exit 1).
set -uo pipefail
planelab="$1"; src="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
cd "$src" || fail "no source folder"

"$planelab" regress scenarios/basics/link-failure-reroute.json scenarios/incidents/dead-asic.json -j2 \
  --out "$work/runs" > "$work/same.txt"; rc=$?
cat "$work/same.txt"
[ $rc -eq 0 ] || fail "the shipped goldens: exit $rc"
grep -q "2 scenarios: 2 same, 0 differ, 0 new, 0 failed" "$work/same.txt" || fail "verdict line"

# A deliberate model change: the link fails at 25 s instead of 20 s. Same folder/name, so the same golden.
mkdir -p "$work/changed/basics" "$work/goldens"
/usr/bin/python3 - "$work/changed/basics/link-failure-reroute.json" <<'PY'
import json, sys
d = json.load(open("scenarios/basics/link-failure-reroute.json"))
d["faults"][0]["at"] = "25s"
json.dump(d, open(sys.argv[1], "w"), indent=2)
PY
cp tests/regress/basics.link-failure-reroute.golden.json "$work/goldens/"
"$planelab" regress "$work/changed/basics/link-failure-reroute.json" --goldens "$work/goldens" \
  --out "$work/runs-changed" > "$work/changed.txt"; rc=$?
cat "$work/changed.txt"
[ $rc -eq 1 ] || fail "a changed scenario: exit $rc, expected 1"
for want in "DIFFERS  basics.link-failure-reroute (the scenario file changed" \
            "r1-r2 data in [18s, 24s): 1 event in A, 0 in B" \
            "B #42 t=25s r1-r2 data fault.start" \
            "r2 data actual: from 20s to 21s A=degraded B=up" \
            "/convergence/1/at_s: 20.0 -> 25.0" \
            "reconverges-fast: A passed" \
            "r1 control adjacencies_up: first in [18s, 24s)"; do
  grep -qF -- "$want" "$work/changed.txt" || fail "expected \"$want\" in the report"
done
# --json says the same for tools.
"$planelab" regress "$work/changed/basics/link-failure-reroute.json" --goldens "$work/goldens" \
  --out "$work/runs-changed" --json > "$work/changed.json"
/usr/bin/python3 - "$work/changed.json" <<'PY' || fail "--json"
import json, sys
j = json.load(open(sys.argv[1]))
s = j["scenarios"][0]
assert s["status"] == "differs", s["status"]
d = s["difference"]
assert any(w["device"] == "r1-r2" and w["from_s"] == 18 for w in d["event_windows"]), d["event_windows"][:3]
assert any(e["id"] == "reconverges-fast" and e["a_passed"] and not e["b_passed"] for e in d["expectations"])
PY
# --update records the change (and says what changed); then the changed scenario passes.
"$planelab" regress "$work/changed/basics/link-failure-reroute.json" --goldens "$work/goldens" \
  --out "$work/runs-changed" --update > "$work/update.txt"; rc=$?
[ $rc -eq 0 ] || fail "--update: exit $rc"
grep -q "golden rewritten. What changed:" "$work/update.txt" || fail "--update says what changed"
grep -q "1 golden written" "$work/update.txt" || fail "--update count"
"$planelab" regress "$work/changed/basics/link-failure-reroute.json" --goldens "$work/goldens" \
  --out "$work/runs-changed" > /dev/null || fail "after --update"

# A damaged golden is named, never read as a difference or a pass.
echo '{"format": "planelab.golden/1", "scenario": 3}' > "$work/goldens/basics.link-failure-reroute.golden.json"
msg=$("$planelab" regress "$work/changed/basics/link-failure-reroute.json" --goldens "$work/goldens" --out "$work/runs-changed" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "not a golden PlaneLab can read" <<< "$msg" || fail "damaged golden: exit $rc: $msg"

# Bad input: exit 2, nothing run.
bad() {
  local name="$1" expect="$2"; shift 2
  msg=$("$planelab" regress "$@" 2>&1); rc=$?
  [ $rc -eq 2 ] || fail "$name: exit $rc, expected 2: $msg"
  grep -q -- "$expect" <<< "$msg" || fail "$name: expected \"$expect\" in: $msg"
  echo "$name: $(echo "$msg" | head -1 | cut -c1-160)"
}
bad missing-scenario "no such scenario file" scenarios/basics/no-such.json --out "$work/never"
bad missing-goldens "no such folder of goldens" scenarios/basics/link-degrade.json --goldens "$work/nope" --out "$work/never"
bad missing-runs "no such folder" --runs "$work/nope"
bad jobs-zero "jobs" -j 0
[ ! -e "$work/never" ] || fail "a refused command made its output folder"
echo PASS
