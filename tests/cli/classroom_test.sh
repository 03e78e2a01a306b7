#!/usr/bin/env bash
# The classroom commands' bad input: a located error, exit 2, nothing made and nothing lost - broken exercise
# files, a template choice that makes an invalid scenario, bad rosters, an existing bundle, bad answers files,
# console commands that do not exist (the nearest is suggested) and times outside the run.
set -uo pipefail
planelab="$1"; src="$2"; work="$3"
rm -rf "$work"; mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
cd "$src" || fail "no source folder"
expect2() {  # NAME EXPECTED-TEXT ARGS...
  local name="$1" want="$2"; shift 2
  msg=$("$planelab" "$@" 2>&1); rc=$?
  [ $rc -eq 2 ] || fail "$name: exit $rc, expected 2: $msg"
  grep -qF -- "$want" <<< "$msg" || fail "$name: expected \"$want\" in: $msg"
  echo "$name: $(echo "$msg" | head -1 | cut -c1-180)"
}

# One good class of two to work on.
printf 'ada\n# a comment\n\ngrace\n' > "$work/roster.txt"
"$planelab" exercise make exercises/net-01.json --class "$work/roster.txt" --out "$work/class" > "$work/make.txt" || fail "make"
[ -f "$work/class/bundles/ada/bundle.sqlite" ] && [ -f "$work/class/keys/grace.key.json" ] || fail "bundle or key missing"

# A warm-up round: several incidents per student, each its own variant.
"$planelab" exercise make exercises/warmup.json --student ada --rounds 3 --out "$work/round" > /dev/null || fail "rounds"
[ -f "$work/round/bundles/ada.3/bundle.sqlite" ] && [ -f "$work/round/keys/ada.1.key.json" ] || fail "the round's bundles"
expect2 rounds-range 'rounds' exercise make exercises/warmup.json --student ada --rounds 50 --out "$work/never"

# Exercise files.
/usr/bin/python3 - "$work/bad-choice.json" "$src" <<'PY'
import json, sys
d = json.load(open("exercises/net-01.json"))
d["vary"][0]["choices"][2]["set"]["/faults/0/target"] = "r9"   # the choice labelled r3 now names no device
d["scenario"] = sys.argv[2] + "/scenarios/incidents/dead-asic.json"
json.dump(d, open(sys.argv[1], "w"), indent=2)
PY
expect2 bad-choice 'choice "r3" makes an invalid scenario: ' exercise check "$work/bad-choice.json"
grep -qF "\"r9\" is not a device of the topology" <<< "$msg" || fail "bad-choice: the loader's reason"
printf '{"id": "x", "title": "t",\n "scenario": "nope.json", "briefing": "b", "vary": [], "questions": [{"id": "p", "type": "plane", "ask": "?", "answer": "traffic"}]}\n' > "$work/no-scenario.json"
expect2 no-scenario 'no-scenario.json:2: /scenario: the scenario' exercise check "$work/no-scenario.json"
echo '{"id": "x", "title": "t", "scenario": "s.json", "briefing": "b", "vary": [], "questions": [], "extra": 1}' > "$work/schema.json"
expect2 schema-errors 'extra' exercise check "$work/schema.json"
expect2 not-json 'not valid JSON' exercise make "$work/roster.txt" --student ada --out "$work/never"
expect2 folder 'is a folder' exercise make exercises --student ada --out "$work/never"

# Rosters and student ids; an existing bundle is never overwritten.
printf 'ada\nada\n' > "$work/dup.txt"
expect2 roster-duplicate 'dup.txt:2: "ada" is listed twice' exercise make exercises/net-01.json --class "$work/dup.txt" --out "$work/never"
printf 'ok\n../../etc\n' > "$work/badid.txt"
expect2 roster-bad-id 'badid.txt:2: the student id "../../etc"' exercise make exercises/net-01.json --class "$work/badid.txt" --out "$work/never"
expect2 both-or-neither 'give one of --student ID' exercise make exercises/net-01.json --out "$work/never"
echo "answer plane traffic" > "$work/keep"; cp "$work/keep" "$work/class/bundles/ada/notes.txt"
expect2 existing-bundle 'is never overwritten' exercise make exercises/net-01.json --student ada --out "$work/class"
cmp -s "$work/keep" "$work/class/bundles/ada/notes.txt" || fail "the student's file was touched"
[ ! -e "$work/never" ] || fail "a refused command made its output folder"

# Answers files.
key="$work/class/keys/ada.key.json"
echo '{"exercise": "net-02", "answers": {}}' > "$work/other.json"
expect2 wrong-exercise 'these are answers to exercise "net-02"' exercise grade "$key" "$work/other.json"
echo '{"exercise": "net-01", "answers": {"plane": "traffic"}, "grade": 100}' > "$work/extra.json"
expect2 unknown-field '/grade: unknown field' exercise grade "$key" "$work/extra.json"
echo '{"exercise": "net-01", "answers": {"root-cause": "x"}}' > "$work/unknown-q.json"
expect2 unknown-question '/answers/root-cause: no such question' exercise grade "$key" "$work/unknown-q.json"
echo '{"exercise": "net-01", "student": "grace", "answers": {}}' > "$work/someone-else.json"
expect2 someone-elses "these are grace's answers" exercise grade "$key" "$work/someone-else.json"
expect2 not-a-key 'not an answer key' exercise grade "$work/extra.json" "$work/extra.json"
expect2 grade-mixed 'a folder of keys' exercise grade "$work/class/keys" "$work/extra.json"

# The console.
b="$work/class/bundles/ada"
expect2 console-typo 'did you mean `show interfaces`' console "$b" --cmd "show interfce r1"
expect2 console-device 'no device "r7"' console "$b" --cmd "show interfaces r7"
expect2 console-near-device 'did you mean r2?' console "$b" --cmd "show logging r22"
expect2 console-time 'outside the run' console "$b" --cmd "ping h1 h3 @ 500s"
expect2 console-bad-time 'is not a time' console "$b" --cmd "ping h1 h3 @ soon"
expect2 console-question 'no question "why"' console "$b" --cmd "answer why because"
expect2 console-at '--at' console "$b" --at 2h --cmd "show dashboard"
expect2 console-access 'does not give you kubectl access; you have: dashboard, helpdesk, router-cli, ping' console "$b" --cmd "kubectl get nodes"
expect2 console-not-bundle 'not a student bundle' console "$work/class/keys"
# Interactive use (stdin): history and completion are readline's; answers persist across sessions.
printf 'answer plane traffic\nsubmit\nquit\n' | "$planelab" console "$b" > "$work/session.txt" || fail "interactive session"
grep -q "submitted 1 answer" "$work/session.txt" || fail "submit: $(cat "$work/session.txt")"
printf 'answers\n' | "$planelab" console "$b" | grep -q '"plane": "traffic"' || fail "answers are kept between sessions"
"$planelab" exercise grade "$key" "$b/answers.json" | grep -q "plane: right" || fail "grading the submitted answers"
echo PASS
