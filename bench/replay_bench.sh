#!/usr/bin/env bash
# Builds a run folder with a million events (the dead-ASIC run plus synthetic events in time order)
# and measures how fast the replay opens it and seeks in it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh -DPLANELAB_BUILD_BENCH=ON >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build/sim/cli/planelab run scenarios/incidents/dead-asic.json --quiet --out "$work/run"
sqlite3 "$work/run/run.sqlite" "
  CREATE TEMP TABLE real AS SELECT t_s, device, plane, kind, detail FROM events;
  DELETE FROM events;
  INSERT INTO events(t_s, device, plane, kind, detail)
    SELECT t_s, device, plane, kind, detail FROM (
      SELECT t_s, device, plane, kind, detail, 0 AS o FROM real
      UNION ALL
      SELECT x * 0.00006, CASE x % 3 WHEN 0 THEN 'r1' WHEN 1 THEN 'r2' ELSE 'h1' END, 'data', 'synthetic.sample', '{}', 1
      FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) SELECT x FROM c))
    ORDER BY t_s, o;"
build/bench/replay_bench "$work/run"
