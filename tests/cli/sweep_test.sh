#!/usr/bin/env bash
# planelab sweep end to end on a tiny study (-j2): results.sqlite/results.csv, --report, resume after a
# partial sweep (a run deleted, a run damaged, an interrupted sweep), the cluster steps by hand (--plan, --task,
# --shard, --merge with missing and failed tasks), bad cluster flags, and bad studies (exit 2, nothing runs).
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

# A study on a cluster, by hand (tests/cli/slurm_test.sh does it under Slurm): --plan on the complete folder,
# --task and --shard skip complete runs, --merge writes what the local sweep wrote, and names missing and
# failed tasks (exit 1) instead of presenting them as complete.
"$planelab" sweep "$study" --plan --out "$out" > "$work/plan.txt" || fail "plan: exit $?"
grep -q "4 tasks (2 points x 2 seeds), numbered 0 to 3" "$work/plan.txt" || fail "plan: $(cat "$work/plan.txt")"
grep -q -- "--array=0-3%THROTTLE" "$work/plan.txt" || fail "plan prints no sbatch line: $(cat "$work/plan.txt")"
[ "$(wc -l < "$out/tasks.tsv")" -eq 5 ] || fail "tasks.tsv: $(cat "$out/tasks.tsv")"
"$planelab" sweep "$study" --plan --out "$out" | grep -q "again (same study)" || fail "planning again"
"$planelab" sweep "$study" --task 0 --out "$out" | grep -q "already complete, skipped" || fail "--task 0 ran a complete run"
grep -q '"status": "complete"' "$out/tasks/0.json" || fail "tasks/0.json: $(cat "$out/tasks/0.json")"
[ "$("$planelab" sweep "$study" --shard 1/2 --out "$out" | grep -c "already complete, skipped")" -eq 2 ] || fail "--shard 1/2"
"$planelab" sweep "$study" --merge --out "$out" > "$work/merge.txt" || fail "merge: exit $?"
cmp "$work/first.csv" "$out/results.csv" || fail "merged results differ from the local sweep's"
mv "$out/runs/p001-s2" "$work/p001-s2.kept"
"$planelab" sweep "$study" --merge --out "$out" > "$work/merge.txt" 2> "$work/merge.err"; rc=$?
[ $rc -eq 1 ] || fail "merge with a missing task: exit $rc"
grep -q "3 complete, 0 failed, 1 missing" "$work/merge.txt" || fail "merge summary: $(cat "$work/merge.txt")"
grep -q "missing tasks: 3 " "$work/merge.err" || fail "merge names no missing task: $(cat "$work/merge.err")"
grep -q "^p001,.*,2,missing," "$out/results.csv" || fail "the missing run's row: $(cat "$out/results.csv")"
printf '{"task": 3, "status": "failed", "exit_code": 3, "message": "internal error: disk full"}\n' > "$out/tasks/3.json"
"$planelab" sweep "$study" --merge --out "$out" > "$work/merge.txt" 2> "$work/merge.err"; rc=$?
[ $rc -eq 1 ] || fail "merge with a failed task: exit $rc"
grep -q "^p001,.*,2,failed,3,internal error: disk full," "$out/results.csv" || fail "the failed run's row: $(cat "$out/results.csv")"
"$planelab" sweep "$study" --task 3 --out "$out" | grep -q "task 3 (p001 seed 2): complete" || fail "--task 3 did not run it"
"$planelab" sweep "$study" --merge --out "$out" > "$work/merge.txt" || fail "merge after --task 3: exit $?"
cmp "$work/first.csv" "$out/results.csv" || fail "merged results differ after --task 3"
# Bad cluster flags: exit 2, a message naming the flag, nothing run.
badflag() {
  local expect="$1"; shift
  msg=$("$planelab" sweep "$@" 2>&1); rc=$?
  [ $rc -eq 2 ] || fail "sweep $*: exit $rc, expected 2: $msg"
  grep -q -- "$expect" <<< "$msg" || fail "sweep $*: expected \"$expect\" in: $msg"
  echo "sweep STUDY ${*:2}: $(echo "$msg" | head -1 | cut -c1-160)"
}
badflag '--task and --merge cannot be given together' "$study" --task 1 --merge --out "$out"
badflag '--plan and --task cannot be given together' "$study" --plan --task 1 --out "$out"
badflag '--task abc: give a task number' "$study" --task abc --out "$out"
badflag '--task 4: the plan in .* has 4 tasks, numbered 0 to 3' "$study" --task 4 --out "$out"
badflag '--shard 3/2: I must be below N' "$study" --shard 3/2 --out "$out"
badflag '--shard 1: give I/N' "$study" --shard 1 --out "$out"
badflag '--shard 0/0: N must be at least 1' "$study" --shard 0/0 --out "$out"
badflag '--report goes with a local sweep or --merge' "$study" --task 0 --report --out "$out"
badflag 'never planned.*--plan --out' "$study" --task 0 --out "$work/never-planned"
[ ! -e "$work/never-planned" ] || fail "--task on a folder never planned made it"
badflag 'never planned' "$study" --merge --out "$work/never-planned"
sed -e 's/"1..2"/"1..3"/' -e "s|\.\./\.\./\.\./scenarios|$src/scenarios|" "$study" > "$work/other.json"
msg=$("$planelab" sweep "$work/other.json" --plan --out "$out" 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "$out: the folder holds the plan of another study.*give another --out" <<< "$msg" ||
  fail "a different study planned into the folder: exit $rc: $msg"

# Bad studies: a located error, exit 2, nothing made.
bad() {
  local name="$1" expect="$2" json="$3"
  printf '%s\n' "$json" > "$work/$name.json"
  msg=$("$planelab" sweep "$work/$name.json" --out "$work/out-$name" 2>&1); rc=$?
  [ $rc -eq 2 ] || fail "$name: exit $rc, expected 2: $msg"
  [ ! -e "$work/out-$name" ] || fail "$name: the study folder was made"
  grep -q -- "$expect" <<< "$msg" || fail "$name: expected \"$expect\" in: $msg"
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
[ $rc -eq 2 ] && grep -q "is a folder" <<< "$msg" || fail "a folder as the study: exit $rc: $msg"
echo PASS
