#!/usr/bin/env bash
# planelab sweep on a real one-node Slurm cluster, made for the test in a temporary folder: munged, slurmctld
# and slurmd run as this test's own processes (no systemd, nothing under /etc), with a private munge key, socket
# and slurm.conf. The tiny study (4 runs) goes through scripts/slurm/submit.sh (plan, job array with %2, merge
# job after it), is submitted again (every task skipped), and then through scripts/parallel/sweep.sh; each
# time results.sqlite must hold the rows of a local `planelab sweep -j2` of the same study, every column, and
# results.csv must be the same bytes: no column legitimately differs (run_dir is relative to the study folder,
# and the results hold no wall-clock times or host names). Exit 77 (skipped) when Slurm, munge or GNU parallel
# is not installed (scripts/install-deps.sh installs them) or when not root (slurmd runs jobs as root here).
set -uo pipefail
planelab="$(realpath "$1")"; src="$(realpath "$2")"; work="$3"
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
start=$SECONDS

for cmd in munged slurmctld slurmd sbatch sinfo squeue scontrol scancel parallel python3; do
  command -v "$cmd" >/dev/null || skip "$cmd is not installed (scripts/install-deps.sh: slurm-wlm munge parallel)"
done
[ "$(id -u)" -eq 0 ] || skip "not root: this test's slurmd runs as root (SlurmdUser=root) to start job steps"

rm -rf "$work"; mkdir -p "$work"
work="$(realpath "$work")"
# munged refuses a socket in a folder not searchable by all, and a key readable by others.
chmod 755 "$work"
mkdir -p "$work/munge" "$work/munge-key" "$work/slurm/state" "$work/slurm/spool" "$work/slurm/log"
chmod 755 "$work/munge"; chmod 700 "$work/munge-key"
dd if=/dev/urandom of="$work/munge-key/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge-key/munge.key"
socket="$work/munge/munge.sock"

pids=()
cleanup() {
  # Jobs first (their steps are children of slurmd), then the daemons, each by the pid we started.
  [ -f "$work/slurm/slurm.conf" ] && scancel --full --quiet --user="$(id -un)" >/dev/null 2>&1
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[$i]}" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "${pids[$i]}" 2>/dev/null || break; sleep 0.1; done
    kill -9 "${pids[$i]}" 2>/dev/null
    wait "${pids[$i]}" 2>/dev/null
  done
}
trap cleanup EXIT
logs() {
  for f in "$work"/munge/munged.log "$work"/slurm/log/*.log "$work"/*.out; do
    [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
  done
}

munged -F --key-file="$work/munge-key/munge.key" --socket="$socket" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed" > "$work/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || { logs; fail "munged did not create its socket $socket"; }

# Two free ports, so a Slurm already on this machine (6817/6818) is left alone.
read -r ctld_port slurmd_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
node="$(hostname -s)"
cpus="$(nproc)"
export SLURM_CONF="$work/slurm/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=planelabtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$work/slurm/state
SlurmdSpoolDir=$work/slurm/spool
SlurmctldPidFile=$work/slurm/slurmctld.pid
SlurmdPidFile=$work/slurm/slurmd.pid
SlurmctldLogFile=$work/slurm/log/slurmctld.log
SlurmdLogFile=$work/slurm/log/slurmd.log
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -i -f "$SLURM_CONF" > "$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N "$node" -f "$SLURM_CONF" > "$work/slurmd.out" 2>&1 &
pids+=($!)

# The reference while the daemons start: a local sweep of the same study.
study="$src/tests/cli/studies/tiny.json"
"$planelab" sweep "$study" -j2 --out "$work/local" > "$work/local.txt" || { cat "$work/local.txt"; fail "local sweep: exit $?"; }

for _ in $(seq 1 300); do
  [ "$(sinfo -h -N -o %t 2>/dev/null)" = "idle" ] && break
  sleep 0.1
done
[ "$(sinfo -h -N -o %t 2>/dev/null)" = "idle" ] || { logs; sinfo; fail "the node did not become idle"; }
echo "cluster up after $((SECONDS - start)) s (with the local sweep)"

same_results() {  # same_results DIR: results.sqlite and results.csv of DIR equal the local sweep's
  cmp "$work/local/results.csv" "$1/results.csv" || fail "$1/results.csv differs from the local sweep's"
  python3 - "$work/local/results.sqlite" "$1/results.sqlite" <<'PY' || fail "$1/results.sqlite differs from the local sweep's"
import sqlite3, sys
def rows(path, sql):
    db = sqlite3.connect(path)
    cur = db.execute(sql)
    return [d[0] for d in cur.description], cur.fetchall()
for sql in ("SELECT * FROM runs ORDER BY point, seed", "SELECT * FROM study ORDER BY key"):
    a, b = rows(sys.argv[1], sql), rows(sys.argv[2], sql)
    assert a[0] == b[0], ("columns", a[0], b[0])
    assert a[1] == b[1], ("rows", a[1], b[1])
cols, runs = rows(sys.argv[2], "SELECT * FROM runs")
assert len(runs) == 4 and all(r[cols.index("status")] == "complete" for r in runs), runs
PY
}

# wait_job ID: until the job ended (bounded); fails unless it COMPLETED.
wait_job() {
  local state=""
  for _ in $(seq 1 900); do
    state=$(scontrol show job "$1" -o 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
    case "$state" in
      COMPLETED) return 0 ;;
      FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE) break ;;
    esac
    sleep 0.2
  done
  squeue; logs
  for f in "$2"/slurm/*.out; do echo "--- $f"; cat "$f"; done
  fail "job $1 ended as ${state:-unknown} (or not within 180 s)"
}

submit() {  # submit OUT: submit.sh with throttle 2; waits for the merge job
  PLANELAB="$planelab" "$src/scripts/slurm/submit.sh" "$study" "$1" 2 > "$work/submit.txt" 2>&1 || { cat "$work/submit.txt"; fail "submit.sh: exit $?"; }
  cat "$work/submit.txt"
  merge_id=$(awk '$1 == "merge" && $2 == "job" {sub(":", "", $3); print $3}' "$work/submit.txt")
  [ -n "$merge_id" ] || fail "submit.sh printed no merge job"
  wait_job "$merge_id" "$1"
}

t0=$SECONDS
submit "$work/cluster"
echo "slurm: plan, 4 tasks at %2 and the merge in $((SECONDS - t0)) s"
same_results "$work/cluster"
for k in 0 1 2 3; do
  grep -q '"status": "complete"' "$work/cluster/tasks/$k.json" || fail "tasks/$k.json: $(cat "$work/cluster/tasks/$k.json")"
done
ls "$work/cluster"/*.tmp-* "$work/cluster"/*/*.tmp-* 2>/dev/null && fail "temporary files left behind"

# Submitted again: every task is already complete and skipped; the merge gives the same results.
t0=$SECONDS
submit "$work/cluster"
[ "$(cat "$work/cluster"/slurm/task-*.out | grep -c 'already complete, skipped')" -eq 4 ] || fail "resubmitted tasks were not skipped: $(cat "$work/cluster"/slurm/task-*.out)"
same_results "$work/cluster"
echo "slurm: resubmitted (all skipped) in $((SECONDS - t0)) s"

# GNU parallel: the same steps on this machine.
t0=$SECONDS
PLANELAB="$planelab" "$src/scripts/parallel/sweep.sh" "$study" "$work/parallel" 2 > "$work/parallel.txt" 2>&1 || { cat "$work/parallel.txt"; fail "parallel/sweep.sh: exit $?"; }
cat "$work/parallel.txt"
same_results "$work/parallel"
echo "parallel: 4 tasks at -j 2 and the merge in $((SECONDS - t0)) s"
echo "PASS in $((SECONDS - start)) s"
