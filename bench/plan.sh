#!/usr/bin/env bash
# Times `swarmgen plan` on the unchanged e2e classic lab (an empty plan)
# against `swarmgen status` (one read of the whole swarm) on the same lab,
# alternating the two RUNS times, and prints the medians and their ratio.
# Needs a provisioned machine (./e2e/provision.sh).
# Usage: bench/plan.sh [RUNS]
set -euo pipefail
runs=${1:-5}
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
./swarmgen down >/dev/null 2>&1 || true
./swarmgen up >/dev/null
./swarmgen plan | grep -q 'No changes' || { ./swarmgen plan >&2; echo "the plan of the unchanged lab is not empty" >&2; exit 1; }

against_status "$runs" "swarmgen plan (no change)" ./swarmgen plan
