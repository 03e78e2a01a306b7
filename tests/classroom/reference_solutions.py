#!/usr/bin/python3
"""The exercise pack, end to end, as a class would use it (docs/classroom.md).

  reference_solutions.py PLANELAB WORKDIR [EXERCISE-ID...]

For every drill in exercises/: bundles for a small roster (`planelab exercise make --class`), then, for each
student, the drill's reference solution - which reads only what `planelab console` prints from the student's
bundle, exactly as a student would - writes answers.json through the console (`answer`, `submit`), and
`planelab exercise grade` must give 100 %. Also checked: variants are a function of the student id (the same id
twice gives the same bytes, different ids differ), no bundle holds the truth (no actual health, no fault
events, no truth series, no scenario text, no summary), each wrong answer gets its feedback, the class
gradebook, and the console's answers agree with the run store at the asked time (timed out, stale, CPU).
Run from the source folder.
"""
import csv
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys

PLANELAB = None
WORK = None
ROSTER = ["ada", "grace", "linus"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def console(bundle, *commands):
    """Each command's output, in order (one console process: the bundle is read once)."""
    args = [PLANELAB, "console", bundle]
    for c in commands:
        args += ["--cmd", c]
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("console %s: exit %d: %s" % (commands, out.returncode, out.stderr))
    parts = re.split(r"^(?=\[t=\d+s\] )", out.stdout, flags=re.M)
    return [p for p in parts if p.strip()]


def first_time(bundle, command, pred, times):
    """The first time in `times` at which `command @ t` prints something `pred` accepts."""
    outs = console(bundle, *["%s @ %ss" % (command, t) for t in times])
    for t, o in zip(times, outs):
        if pred(o):
            return t
    return None


def ping_lost(o):
    m = re.search(r"(\d+) received", o)
    return m is not None and int(m.group(1)) <= 2


def cpu5(o):
    m = re.search(r"five seconds: (\d+)%", o)
    return int(m.group(1)) if m else -1


def duration_of(bundle):
    db = sqlite3.connect(os.path.join(bundle, "bundle.sqlite"))
    d = float(db.execute("SELECT value FROM meta WHERE key = 'duration_s'").fetchone()[0])
    db.close()
    return int(d)


def routers(bundle):
    db = sqlite3.connect(os.path.join(bundle, "bundle.sqlite"))
    r = [x for (x,) in db.execute("SELECT id FROM devices WHERE kind = 'router' ORDER BY id")]
    db.close()
    return r


# ---- The reference solutions: one per drill, from console output only. -------------------------------------

def solve_net01(b):
    end = duration_of(b)
    start = first_time(b, "ping h1 h3", ping_lost, range(0, end))
    tr = console(b, "traceroute h1 h3 @ %ds" % (start + 5))[0]
    hop = re.search(r"^\s*\d+\s+\* \* \*", tr, flags=re.M)
    # The first silent hop: the router after the last one that answered.
    answered = re.findall(r"^\s*\d+\s+(r\d+)\s", tr, flags=re.M)
    path = ["r1", "r2", "r3"]
    device = path[len(answered)] if hop else "?"
    return {"plane": "traffic", "device": device, "start": "%ds" % start, "cause": "asic-dead"}


def solve_net02(b):
    busy = {r: cpu5(console(b, "show processes cpu %s @ 30s" % r)[0]) for r in routers(b)}
    device = max(busy, key=busy.get)
    start = first_time(b, "show processes cpu " + device, lambda o: cpu5(o) >= 50, range(0, 30))
    # The five-second average lags the load by up to a few seconds.
    return {"plane": "changes", "device": device, "start": "%ds" % max(0, start - 2), "cause": "cpu-melt"}


def solve_net03(b):
    end = duration_of(b)
    timed_out = lambda o: "Connection timed out" in o
    start = first_time(b, "show interfaces r1", timed_out, range(0, end))
    stop = first_time(b, "show interfaces r1", lambda o: not timed_out(o), range(start, end))
    return {"plane": "seeing", "what": "oob", "start": "%ds" % start, "end": "%ds" % stop}


def flapping_session(b, at):
    pairs = {}
    for r in routers(b):
        log = console(b, "show logging %s @ %ds" % (r, at))[0]
        for peer in re.findall(r"neighbor (r\d+) Down", log):
            pairs[tuple(sorted((r, peer)))] = pairs.get(tuple(sorted((r, peer))), 0) + 1
    a, c = max(pairs, key=pairs.get)
    return "%s-%s" % (a, c)


def first_bgp_down(b, at):
    times = []
    for r in routers(b):
        log = console(b, "show logging %s @ %ds" % (r, at))[0]
        for hh, mm, ss in re.findall(r"^\*(\d+):(\d+):(\d+)\.\d+: %BGP-5-ADJCHANGE: neighbor r\d+ Down", log, flags=re.M):
            times.append(int(hh) * 3600 + int(mm) * 60 + int(ss))
    return min(times)


def solve_net04(b):
    # The log buffer keeps the last 12 messages: read it early in the flapping to find the first Down.
    start = first_bgp_down(b, 60)
    return {"plane": "changes", "session": flapping_session(b, 170), "start": "%ds" % start, "cause": "bgp-flap"}


def solve_net05(b):
    summary = console(b, "show ip bgp summary r2 @ 170s")[0]
    damped = int(re.search(r"(\d+) suppressed by dampening", summary).group(1))
    unreachable = ping_lost(console(b, "ping h1 h5 @ 170s")[0])
    cause = "damping" if damped > 0 and "Established" in summary and unreachable else "bgp-flap"
    return {"plane": "changes", "cause": cause, "session": flapping_session(b, 100), "start": "%ds" % first_bgp_down(b, 60)}


def solve_net06(b):
    end = duration_of(b)
    start = first_time(b, "show interfaces r1", lambda o: " is down," in o, range(0, end))
    if start is None:
        start = first_time(b, "show interfaces r2", lambda o: " is down," in o, range(0, end))
    device = None
    for r in routers(b):
        if "differ from the RIB" in console(b, "show ip route %s @ %ds" % (r, start + 3))[0]:
            device = r
    return {"plane": "changes", "device": device, "start": "%ds" % start, "cause": "fib-stall"}


def took_ms(o):
    return [float(x) for x in re.findall(r"took = ([\d.]+)ms", o)]


def solve_k8s01(b):
    start = first_time(b, "etcdctl endpoint health", lambda o: any(x >= 100 for x in took_ms(o)) or "unhealthy" in o,
                       range(0, duration_of(b), 2))
    return {"plane": "changes", "component": "etcd-disk", "start": "%ds" % start}


def solve_k8s02(b):
    down = lambda o: re.findall(r"endpoint https://(etcd-\d):2379 \(context deadline", o)
    start = first_time(b, "etcdctl endpoint status", lambda o: len(down(o)) >= 2, range(0, duration_of(b)))
    members = " ".join(sorted(down(console(b, "etcdctl endpoint status @ %ds" % (start + 10))[0])))
    return {"plane": "changes", "members": members, "start": "%ds" % start}


def solve_k8s03(b):
    db = sqlite3.connect(os.path.join(b, "bundle.sqlite"))
    nodes = [x for (x,) in db.execute("SELECT id FROM devices WHERE kind = 'node' ORDER BY id")]
    db.close()
    # Refused connections show up at some time: find when users see failures, then whose pods refuse.
    t = first_time(b, "curl", lambda o: "fail right now" in o or "curl: (" in o, range(0, duration_of(b)))
    bad = [n for n in nodes if "Connection refused" in console(b, "curl %s @ %ds" % (n, t + 5))[0]]
    node = bad[0] if bad else "?"
    start = first_time(b, "curl " + node, lambda o: "Connection refused" in o, range(0, duration_of(b)))
    return {"plane": "traffic", "device": node, "start": "%ds" % start, "cause": "cni"}


def solve_k8s04(b):
    failing = lambda o: "fail right now" in o or "curl: (" in o
    t = first_time(b, "curl", failing, range(0, duration_of(b), 60))
    launches_fail = first_time(b, "cloud status", lambda o: re.search(r"[1-9]\d* failed", o) is not None, range(0, t, 300))
    cause = "launches" if launches_fail is not None else "load"
    return {"plane": "changes", "cause": cause, "when": "%ds" % t}


def solve_warmup(b):
    mid = duration_of(b) // 2
    if ping_lost(console(b, "ping h1 h3 @ %ds" % mid)[0]):
        return {"plane": "traffic"}
    for r in routers(b):
        if "Connection timed out" in console(b, "show interfaces %s @ %ds" % (r, mid))[0]:
            return {"plane": "seeing"}
    return {"plane": "changes"}


SOLVERS = {"net-01": solve_net01, "net-02": solve_net02, "net-03": solve_net03, "net-04": solve_net04,
           "net-05": solve_net05, "net-06": solve_net06, "k8s-01": solve_k8s01, "k8s-02": solve_k8s02,
           "k8s-03": solve_k8s03, "k8s-04": solve_k8s04, "warmup": solve_warmup}

# Strings that would give an incident away if a bundle held them outside its questions.
TRUTH_MARKERS = ["fault.start", "fault.end", "asic.dead", "asic-dead", "control-cpu-saturation", "mgmt-oob-down",
                 "bgp-session-flap", "fib-programming-stall", "fib.stalled", "disk-pressure", "store-member-crash",
                 "cni-broken", "provisioning-api-degraded", "extra_fsync_latency"]


def check_no_leak(ex_id, bundle, run):
    files = sorted(os.listdir(bundle))
    check(files == ["README.txt", "bundle.sqlite"], "%s: bundle files %s" % (bundle, files))
    db = sqlite3.connect(os.path.join(bundle, "bundle.sqlite"))
    actual = db.execute("SELECT DISTINCT actual FROM health").fetchall()
    check(actual == [("hidden",)], "%s: actual health in the bundle: %s" % (bundle, actual))
    planes = db.execute("SELECT DISTINCT plane, metric FROM series").fetchall()
    check(all(p == "management" and m != "oob_reachable" for p, m in planes), "%s: truth series %s" % (bundle, planes))
    kinds = [k for (k,) in db.execute("SELECT DISTINCT kind FROM events")]
    check(not any(k.startswith(("fault.", "asic.", "fib.", "connection.")) or k == "lifecycle" for k in kinds),
          "%s: truth events %s" % (bundle, kinds))
    meta = dict(db.execute("SELECT key, value FROM meta"))
    check(meta.get("scenario_hash") == "" and "not included" in meta.get("scenario_path", ""), "%s: scenario in meta" % bundle)
    # Everything but the questions, as text: no fault kind, no scenario name, no scenario text.
    text = []
    for table in ("meta", "devices", "links", "series", "events", "console_answers", "helpdesk"):
        for row in db.execute("SELECT * FROM %s" % table):
            text.append(" ".join(str(x) for x in row))
    text.append(open(os.path.join(bundle, "README.txt")).read().split("Questions:")[0])
    blob = "\n".join(text)
    scenario_name = json.load(open(os.path.join(run, "summary.json")))["scenario"]
    for marker in TRUTH_MARKERS + [scenario_name, '"faults"', '"expectations"']:
        check(marker not in blob, "%s (%s): the bundle holds %r" % (bundle, ex_id, marker))
    db.close()


def check_console_matches_store(bundle, run):
    """The console at time t against the run store at t: SSH timing out, CPU, and the dashboard's reported state."""
    rs = sqlite3.connect(os.path.join(run, "run.sqlite"))
    end = int(float(rs.execute("SELECT value FROM meta WHERE key = 'duration_s'").fetchone()[0]))
    rts = [r for (r,) in rs.execute("SELECT id FROM devices WHERE kind = 'router' ORDER BY id")]
    times = list(range(0, end + 1, max(1, end // 12)))
    for r in rts[:2]:
        outs = console(bundle, *["show processes cpu %s @ %ds" % (r, t) for t in times])
        for t, o in zip(times, outs):
            row = rs.execute("SELECT actual FROM health WHERE device = ? AND plane = 'management' AND t_s <= ? "
                             "ORDER BY t_s DESC LIMIT 1", (r, t + 1e-9)).fetchone()
            down = row is not None and row[0] == "down"
            check(down == ("Connection timed out" in o), "%s: SSH to %s at %ds: store says management %s, console %r"
                  % (bundle, r, t, row, o[:80]))
            if not down:
                got = cpu5(o)
                samples = rs.execute("SELECT value FROM samples WHERE series = (SELECT id FROM series WHERE device = ? "
                                     "AND metric = 'cpu_utilization') AND t_s > ? AND t_s <= ?", (r, t - 5, t + 1e-9)).fetchall()
                vals = [v for (v,) in samples if v is not None]
                if vals:
                    want = round(100 * sum(vals) / len(vals))
                    check(abs(got - want) <= 1, "%s: cpu of %s at %ds: console %d%%, store %d%%" % (bundle, r, t, got, want))
    outs = console(bundle, *["show dashboard @ %ds" % t for t in times])
    for t, o in zip(times, outs):
        for r in rts:
            row = rs.execute("SELECT reported FROM health WHERE device = ? AND plane = 'data' AND t_s <= ? ORDER BY t_s DESC "
                             "LIMIT 1", (r, t + 1e-9)).fetchone()
            m = re.search(r"^%s\s+(\S+)" % re.escape(r), o, flags=re.M)
            if row:
                check(m is not None and m.group(1) == row[0], "%s: dashboard %s at %ds: console %s, store %s"
                      % (bundle, r, t, m.group(1) if m else None, row[0]))
    rs.close()


def run(args, **kw):
    return subprocess.run([PLANELAB] + args, capture_output=True, text=True, **kw)


def main():
    global PLANELAB, WORK
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    PLANELAB, WORK = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    only = sys.argv[3:]
    subprocess.run(["rm", "-rf", WORK])
    os.makedirs(WORK)
    roster = os.path.join(WORK, "roster.txt")
    with open(roster, "w") as f:
        f.write("# the test class\n" + "\n".join(ROSTER) + "\n")
    exercises = sorted(f[:-5] for f in os.listdir("exercises") if f.endswith(".json") and f != "exercise.schema.json")
    check(len(exercises) >= 11, "the pack has %d exercises, want >= 11" % len(exercises))
    for ex_id in exercises:
        if only and ex_id not in only:
            continue
        ex = json.load(open("exercises/%s.json" % ex_id))
        check(len(ex["vary"]) >= 2, "%s: %d randomised parts, want >= 2" % (ex_id, len(ex["vary"])))
        out = os.path.join(WORK, ex_id)
        r = run(["exercise", "make", "exercises/%s.json" % ex_id, "--class", roster, "--out", out, "-j2"])
        check(r.returncode == 0, "%s: make: exit %d: %s" % (ex_id, r.returncode, r.stderr))
        if r.returncode != 0:
            continue
        variants = set()
        for s in ROSTER:
            bundle = os.path.join(out, "bundles", s)
            key = json.load(open(os.path.join(out, "keys", s + ".key.json")))
            variants.add(json.dumps(key["variant"], sort_keys=True))
            check_no_leak(ex_id, bundle, os.path.join(out, "runs", s))
            try:
                answers = SOLVERS[ex_id](bundle)
            except Exception as e:  # a solver that cannot read its bundle is a failure, with the reason
                check(False, "%s/%s: the reference solution failed: %r" % (ex_id, s, e))
                continue
            cmds = ["answer %s %s" % (k, v) for k, v in answers.items()] + ["submit"]
            console(bundle, *cmds)
            g = run(["exercise", "grade", os.path.join(out, "keys", s + ".key.json"), os.path.join(bundle, "answers.json")])
            ok = g.returncode == 0 and re.search(r"\((\d+) %\)", g.stdout) and re.search(r"\((\d+) %\)", g.stdout).group(1) == "100"
            check(ok, "%s/%s (variant %s): the reference solution scores %s\n%s%s" % (ex_id, s, key["variant"],
                  g.stdout.splitlines()[0] if g.stdout else "-", g.stdout, g.stderr))
            print("%s/%s %s: %s" % (ex_id, s, json.dumps(key["variant"]), g.stdout.splitlines()[0] if g.stdout else g.stderr))
        check(len(variants) >= 2 or ex_id == "k8s-04", "%s: %d variants for %d students" % (ex_id, len(variants), len(ROSTER)))
        # The class gradebook.
        answers_dir = os.path.join(out, "collected")
        os.makedirs(answers_dir)
        for s in ROSTER:
            if os.path.exists(os.path.join(out, "bundles", s, "answers.json")):
                os.link(os.path.join(out, "bundles", s, "answers.json"), os.path.join(answers_dir, s + ".json"))
        book = os.path.join(out, "gradebook.csv")
        g = run(["exercise", "grade", os.path.join(out, "keys"), answers_dir, "--csv", book])
        check(g.returncode == 0, "%s: class grading: exit %d %s" % (ex_id, g.returncode, g.stderr))
        rows = list(csv.DictReader(open(book))) if os.path.exists(book) else []
        check(len(rows) == len(ROSTER) and all(r["percent"] == "100" for r in rows), "%s: gradebook %s" % (ex_id, rows))
        if ex_id in ("net-01", "net-03", "net-02"):
            check_console_matches_store(os.path.join(out, "bundles", ROSTER[0]), os.path.join(out, "runs", ROSTER[0]))
    # Same id, same variant, same bytes; a wrong answer gets its feedback.
    if not only or "net-01" in only:
        again = os.path.join(WORK, "net-01-again")
        run(["exercise", "make", "exercises/net-01.json", "--student", ROSTER[0], "--out", again])
        digest = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()
        for f in ("bundles/%s/bundle.sqlite" % ROSTER[0], "keys/%s.key.json" % ROSTER[0]):
            check(digest(os.path.join(WORK, "net-01", f)) == digest(os.path.join(again, f)), "net-01: %s differs for the same id" % f)
        key = os.path.join(WORK, "net-01", "keys", ROSTER[0] + ".key.json")
        wrong = os.path.join(WORK, "wrong.json")
        json.dump({"exercise": "net-01", "student": ROSTER[0], "answers": {"plane": "seeing", "cause": "cpu-melt"}}, open(wrong, "w"))
        g = run(["exercise", "grade", key, wrong])
        check(g.returncode == 0 and "the SNMP agent runs on the route processor" in g.stdout and "show processes cpu stayed low" in g.stdout
              and "no answer" in g.stdout, "wrong answers' feedback:\n" + g.stdout + g.stderr)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
