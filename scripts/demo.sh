#!/usr/bin/env bash
# One command: install what is missing, build, and run the dead-ASIC incident.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/sim/cli/planelab run scenarios/incidents/dead-asic.json "$@"
