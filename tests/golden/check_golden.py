#!/usr/bin/python3
"""Expected outputs, SimGrid's .tesh idea: run a scenario, compare its summary.json and its event
list with the committed ones, and show where they differ. A change that stays inside a scenario's
expectations is still seen here.

  check_golden.py PLANELAB SCENARIO GOLDEN_DIR OUT_DIR [--rewrite]

With --rewrite (or PLANELAB_REWRITE=1) the committed files are replaced by this run's; review the
diff before committing it. Numbers are compared to 9 significant digits, so the last bit of a libm
result on another CPU is not a regression; everything else must match exactly.
"""
import json
import math
import os
import sqlite3
import subprocess
import sys

REL_TOL = 1e-9


def event_lines(run_dir):
    db = sqlite3.connect(os.path.join(run_dir, "run.sqlite"))
    rows = db.execute("SELECT t_s, device, plane, kind, detail FROM events ORDER BY seq").fetchall()
    db.close()
    return ["%s\t%s\t%s\t%s\t%s" % (repr(t), d, p, k, x) for t, d, p, k, x in rows]


def same_number(a, b):
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)


def json_diff(a, b, path=""):
    """The first place two JSON values differ, as (pointer, expected, got), or None."""
    if isinstance(a, bool) or isinstance(b, bool) or not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        if type(a) != type(b):
            return (path or "/", a, b)
    else:
        return None if same_number(a, b) else (path or "/", a, b)
    if isinstance(a, dict):
        if list(a.keys()) != list(b.keys()):
            return (path + " (keys)", list(a.keys()), list(b.keys()))
        for k in a:
            d = json_diff(a[k], b[k], path + "/" + k)
            if d:
                return d
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = json_diff(x, y, "%s/%d" % (path, i))
            if d:
                return d
        return None if len(a) == len(b) else (path + " (length)", len(a), len(b))
    return None if a == b else (path or "/", a, b)


def same_event(a, b):
    ta, ra = a.split("\t", 1)
    tb, rb = b.split("\t", 1)
    return ra == rb and same_number(float(ta), float(tb))


def main():
    args = [a for a in sys.argv[1:] if a != "--rewrite"]
    rewrite = "--rewrite" in sys.argv or os.environ.get("PLANELAB_REWRITE") == "1"
    if len(args) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    planelab, scenario, golden_dir, out = args
    name = os.path.splitext(os.path.basename(scenario))[0]
    run = subprocess.run([planelab, "run", scenario, "--quiet", "--force", "--out", out],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if run.returncode not in (0, 1):
        print("planelab run %s exited %d: %s" % (scenario, run.returncode, run.stderr), file=sys.stderr)
        return 1
    with open(os.path.join(out, "summary.json")) as f:
        summary_text = f.read()
    events = event_lines(out)
    summary_golden = os.path.join(golden_dir, name + ".summary.json")
    events_golden = os.path.join(golden_dir, name + ".events.tsv")
    if rewrite:
        with open(summary_golden, "w") as f:
            f.write(summary_text)
        with open(events_golden, "w") as f:
            f.write("".join(line + "\n" for line in events))
        print("rewrote %s and %s (%d events)" % (summary_golden, events_golden, len(events)))
        return 0
    failed = False
    if not os.path.exists(summary_golden) or not os.path.exists(events_golden):
        print("no expected outputs for %s in %s; record them with PLANELAB_REWRITE=1" % (name, golden_dir))
        return 1
    with open(summary_golden) as f:
        d = json_diff(json.load(f), json.loads(summary_text))
    if d:
        failed = True
        print("summary.json differs at %s:\n  expected %s\n  got      %s" % (d[0], json.dumps(d[1])[:300], json.dumps(d[2])[:300]))
    with open(events_golden) as f:
        expected = f.read().splitlines()
    for i in range(max(len(expected), len(events))):
        a = expected[i] if i < len(expected) else "(no event)"
        b = events[i] if i < len(events) else "(no event)"
        if a == b or (i < len(expected) and i < len(events) and same_event(a, b)):
            continue
        failed = True
        print("event %d of %d differs (t_s, device, plane, kind, detail):\n  expected %s\n  got      %s"
              % (i + 1, len(expected), a, b))
        for j in range(i + 1, min(i + 4, len(events))):
            print("  then     %s" % events[j])
        break
    if failed:
        print("If the change is intended, rewrite: PLANELAB_REWRITE=1 ctest -R golden.%s, and commit the diff" % name)
        return 1
    print("%s: summary.json and %d events as expected" % (name, len(events)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
