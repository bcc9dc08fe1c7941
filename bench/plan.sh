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

plan_times="" status_times=""
for _ in $(seq "$runs"); do
  plan_times+="$(timed ./swarmgen plan)"$'\n'
  status_times+="$(timed ./swarmgen status)"$'\n'
done
plan=$(printf '%s' "$plan_times" | median)
status=$(printf '%s' "$status_times" | median)
echo "runs: $runs (alternating; medians in seconds), $(machine)"
echo "plan: $(printf '%s' "$plan_times" | tr '\n' ' ')"
awk -v p="$plan" -v s="$status" 'BEGIN {
  printf "%-40s %10.2f\n%-40s %10.2f\n%-40s %10.2fx\n", "swarmgen plan (no change)", p, "swarmgen status (baseline)", s, "ratio plan / status", p / s }'
