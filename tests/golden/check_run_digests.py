#!/usr/bin/python3
"""Every shipped scenario's run.sqlite and summary.json, byte for byte: compares the sha256 of the
runs the scenario.* tests just made with tests/golden/run-digests.txt, and names each that changed.

  check_run_digests.py DIGESTS RUNS_DIR [--rewrite]

A refactoring must leave every digest alone; a change of behaviour rewrites the file
(PLANELAB_REWRITE=1 or --rewrite) and says in its commit which scenarios changed and why.
The bytes are those of this build on this kind of machine: glibc picks its libm code by CPU
(FMA or not), so on another CPU or glibc the check is skipped (exit 77), never failed.
"""
import hashlib
import os
import platform
import sys


def machine():
    flags = set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        pass
    isa = ",".join(x for x in ("fma", "avx2", "avx512f") if x in flags) or "none"
    return "%s glibc-%s %s" % (platform.machine(), platform.libc_ver()[1], isa)


def digests(runs):
    out = {}
    for name in sorted(os.listdir(runs)):
        for f in ("run.sqlite", "summary.json"):
            p = os.path.join(runs, name, f)
            if os.path.isfile(p) and not name.startswith(("notebook", "snmp", "golden")):
                with open(p, "rb") as h:
                    out["%s %s" % (name, f)] = hashlib.sha256(h.read()).hexdigest()
    return out


def main():
    args = [a for a in sys.argv[1:] if a != "--rewrite"]
    rewrite = "--rewrite" in sys.argv or os.environ.get("PLANELAB_REWRITE") == "1"
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    path, runs = args
    got = {k: v for k, v in digests(runs).items() if k.startswith("scenario.")}
    # The scale scenarios run beside the suite (label "scale"), not before this check.
    got = {k[len("scenario."):]: v for k, v in got.items() if not k.startswith("scenario.scale.")}
    if rewrite:
        with open(path, "w") as f:
            f.write("# machine: %s\n" % machine())
            for k in sorted(got):
                f.write("%s %s\n" % (k, got[k]))
        print("rewrote %s: %d files" % (path, len(got)))
        return 0
    expected, recorded_on = {}, ""
    with open(path) as f:
        for line in f:
            if line.startswith("# machine: "):
                recorded_on = line[len("# machine: "):].strip()
            elif line.strip() and not line.startswith("#"):
                name, file, digest = line.split()
                expected["%s %s" % (name, file)] = digest
    if recorded_on != machine():
        print("SKIP: digests recorded on '%s', this is '%s'" % (recorded_on, machine()))
        return 77
    changed = [k for k in sorted(expected) if k in got and got[k] != expected[k]]
    missing = [k for k in sorted(expected) if k not in got]
    for k in changed:
        print("changed: %s" % k)
    for k in missing:
        print("not run: %s (run the scenario.* tests first)" % k)
    if changed or missing:
        print("%d of %d outputs differ from %s. If intended, rewrite with PLANELAB_REWRITE=1 and say why in the commit."
              % (len(changed) + len(missing), len(expected), path))
        return 1
    print("%d outputs of %d scenarios byte-identical" % (len(expected), len(expected) // 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
