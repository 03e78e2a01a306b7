#!/usr/bin/env bash
# planelab sweep end to end on a tiny study (-j2): results.sqlite/results.csv, --report, resume after a
# partial sweep (a run deleted, a run damaged, an interrupted sweep), and bad studies (exit 2, nothing runs).
set -uo pipefail
planelab="$1"; src="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
study="$src/tests/cli/studies/tiny.json"
out="$work/tiny"

"$planelab" sweep "$study" -j2 --out "$out" > "$work/first.txt"; rc=$?
cat "$work/first.txt"
[ $rc -eq 0 ] || fail "first sweep: exit $rc"
grep -q "4 runs: 4 complete (4 ran now, 0 already done), 0 failed" "$work/first.txt" || fail "first sweep summary"
python3 - "$out" <<'PY' || fail "results"
import csv, sqlite3, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(out + "/results.csv")))
assert len(rows) == 4, rows
assert {r["until"] for r in rows} == {"30s", "40s"}
assert all(r["status"] == "complete" and r["r1_adjacencies"] for r in rows), rows
db = sqlite3.connect(out + "/results.sqlite")
assert db.execute("SELECT COUNT(*) FROM runs WHERE status = 'complete'").fetchone()[0] == 4
means = dict(db.execute("SELECT until, AVG(r1_adjacencies) FROM runs GROUP BY until").fetchall())
assert means["30s"] > means["40s"], means  # a longer outage: fewer adjacencies up on average
PY
cp "$out/results.csv" "$work/first.csv"

# Resume: nothing to do.
"$planelab" sweep "$study" -j2 --out "$out" > "$work/again.txt" || fail "resume: exit $?"
grep -q "(0 ran now, 4 already done)" "$work/again.txt" || fail "complete runs were not skipped: $(cat "$work/again.txt")"
# A deleted run and a damaged one (no manifest) are run again; the results are the same.
rm -rf "$out/runs/p000-s2"
rm -f "$out/runs/p001-s1/manifest.json"
"$planelab" sweep "$study" -j2 --out "$out" > "$work/partial.txt" || fail "partial resume: exit $?"
grep -q "(2 ran now, 2 already done)" "$work/partial.txt" || fail "partial resume: $(cat "$work/partial.txt")"
cmp "$work/first.csv" "$out/results.csv" || fail "results differ after resume"
# Interrupted: SIGINT while runs are under way keeps the completed ones; the next sweep finishes the rest.
rm -rf "$out/runs/"*
"$planelab" sweep "$study" -j1 --out "$out" > "$work/int.txt" 2>&1 &
pid=$!
for i in $(seq 1 200); do
  [ -f "$out/runs/p000-s1/manifest.json" ] && break
  sleep 0.05
done
kill -INT $pid
wait $pid; rc=$?
cat "$work/int.txt"
[ $rc -eq 130 ] || [ $rc -eq 0 ] || fail "interrupted sweep: exit $rc"
ls "$out/runs"
"$planelab" sweep "$study" -j2 --out "$out" --report > "$work/resumed.txt" || fail "resume after SIGINT: exit $?"
cat "$work/resumed.txt"
grep -q "4 runs: 4 complete" "$work/resumed.txt" || fail "resume after SIGINT did not complete"
grep -q "r1_adjacencies" "$work/resumed.txt" || fail "--report has no column"
grep -q "95% CI" "$work/resumed.txt" || fail "--report has no confidence interval"
cmp "$work/first.csv" "$out/results.csv" || fail "results differ after SIGINT and resume"

# Bad studies: a located error, exit 2, nothing made.
bad() {
  local name="$1" expect="$2" json="$3"
  printf '%s\n' "$json" > "$work/$name.json"
  msg=$("$planelab" sweep "$work/$name.json" --out "$work/out-$name" 2>&1); rc=$?
  [ $rc -eq 2 ] || fail "$name: exit $rc, expected 2: $msg"
  [ ! -e "$work/out-$name" ] || fail "$name: the study folder was made"
  echo "$msg" | grep -q -- "$expect" || fail "$name: expected \"$expect\" in: $msg"
  echo "$name: $(echo "$msg" | head -1 | cut -c1-200)"
}
S="\"scenarios\": [\"$src/scenarios/basics/link-failure-reroute.json\"]"
bad backwards-seeds 'runs backwards' "{\"name\": \"b\", $S, \"seeds\": \"5..1\"}"
bad empty-axis 'an empty axis' "{\"name\": \"b\", $S, \"seeds\": \"1..2\", \"axes\": [{\"pointer\": \"/faults/0/until\", \"values\": []}]}"
bad unknown-pointer 'no item 4 here' "{\"name\": \"b\", $S, \"seeds\": \"1..2\", \"axes\": [{\"pointer\": \"/faults/4/until\", \"values\": [\"1s\"]}]}"
bad refused-value 'not a duration' "{\"name\": \"b\", $S, \"seeds\": \"1..2\", \"axes\": [{\"pointer\": \"/faults/0/until\", \"values\": [\"30s\", \"soon\"]}]}"
bad too-many 'over 100,000' "{\"name\": \"b\", $S, \"seeds\": \"1..200000\"}"
bad unknown-key 'axis' "{\"name\": \"b\", $S, \"seeds\": \"1..2\", \"axis\": []}"
bad bad-column 'columns/0' "{\"name\": \"b\", $S, \"seeds\": \"1..2\", \"columns\": [{\"id\": \"x\", \"device\": \"r1\", \"plane\": \"data\", \"metric\": \"no_such_metric\"}]}"
# Hostile study files (issue 14): a 100,000-character name crashed std::regex (SIGSEGV); deep nesting, repeated
# keys, a huge number and a folder each get a located error instead.
long=$(head -c 100000 /dev/zero | tr '\0' a)
bad long-name 'a string of more than 1024 characters' "{\"name\": \"$long\", $S, \"seeds\": \"1..2\"}"
deep=$(printf '[%.0s' $(seq 1 100000))
bad deep-nesting 'nests deeper than 64 levels' "{\"name\": \"b\", $S, \"seeds\": \"1..2\", \"x\": $deep"
bad repeated-key 'given twice' "{\"name\": \"b\", \"name\": \"c\", $S, \"seeds\": \"1..2\"}"
bad huge-number 'no double can hold' "{\"name\": \"b\", $S, \"seeds\": [1e400]}"
bad empty-file 'the file is empty' ""
msg=$("$planelab" sweep "$src/studies" --out "$work/out-folder" 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$msg" | grep -q "is a folder" || fail "a folder as the study: exit $rc: $msg"
echo PASS
