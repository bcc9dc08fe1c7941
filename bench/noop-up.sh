#!/usr/bin/env bash
# Times a second `swarmgen up` of the e2e classic lab (nothing to change)
# against `swarmgen status` (one read of the whole swarm) on the same lab,
# alternating the two RUNS times, and prints the medians and their ratio.
# The e2e test checks that a second up changes nothing; how long it takes
# is this script's job, not a test's. Needs a provisioned machine
# (./e2e/provision.sh). Usage: bench/noop-up.sh [RUNS]
set -euo pipefail
runs=${1:-5}
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
./swarmgen down >/dev/null 2>&1 || true
./swarmgen up >/dev/null

against_status "$runs" "second swarmgen up (no change)" ./swarmgen up
