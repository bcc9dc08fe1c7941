#!/usr/bin/env bash
# Times a cold `swarmgen up` of a bare lab of NODES nodes (3 managers, the
# rest workers, as bench/scale.sh makes it) with this tree against the
# same with swarmgen at git revision REV (the baseline), alternating A and
# B RUNS times, each from nothing (the lab is taken down between runs),
# and prints the medians of the whole up, its "Starting nodes" and
# "Joining nodes" steps, and the ratios. Needs a provisioned machine
# (./e2e/provision.sh); past about 30 nodes, a kernel neighbour table that
# holds the lab (preflight says how).
# Usage: bench/cold-against-rev.sh REV [NODES] [RUNS]   (default: 30 3)
set -euo pipefail
rev=${1:?usage: bench/cold-against-rev.sh REV [NODES] [RUNS]}
nodes=${2:-30}
runs=${3:-3}
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
git -C "$root" rev-parse --verify --quiet "$rev^{commit}" >/dev/null || { echo "bench: $rev is no commit of $root" >&2; exit 1; }
cleanup() {
  local d
  for d in "$work/a" "$work/b"; do (cd "$d" 2>/dev/null && ./swarmgen down >/dev/null 2>&1) || true; done
  git -C "$root" worktree remove --force "$work/src" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
git -C "$root" worktree add --quiet --detach "$work/src" "$rev"
mkdir -p "$work/a" "$work/b"
mv "$work/swarmgen" "$work/a/swarmgen"
(cd "$work/src" && CGO_ENABLED=0 go build -o "$work/b/swarmgen" ./cmd/swarmgen)
# shellcheck source=bare-lab.sh
. "$root/bench/bare-lab.sh"
bare_lab "$nodes" >"$work/a/swarm.yaml"
cp "$work/a/swarm.yaml" "$work/b/"

# cold DIR: one cold up in DIR, as "TOTAL STARTING JOINING" seconds
cold() {
  local out t0
  (cd "$1" && ./swarmgen down >/dev/null 2>&1) || true
  t0=$(now)
  out=$(cd "$1" && ./swarmgen up --wait 10m 2>&1) || { printf 'bench: a cold up in %s failed:\n%s\n' "$1" "$out" >&2; return 1; }
  awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f ", b - a }'
  printf '%s\n' "$out" | awk '/✓ Starting nodes/ { s = $NF } /✓ Joining nodes/ { j = $NF } END { gsub(/[()s]/, "", s); gsub(/[()s]/, "", j); print s, j }'
  (cd "$1" && ./swarmgen down >/dev/null 2>&1)
}
a="" b=""
for _ in $(seq "$runs"); do
  a+="$(cold "$work/a")"$'\n'
  b+="$(cold "$work/b")"$'\n'
done
echo "cold up of $nodes nodes, runs: $runs (alternating; medians in seconds), baseline $(git -C "$root" rev-parse --short "$rev"), $(machine)"
printf 'this tree (total starting joining): %s\n' "$(printf '%s' "$a" | tr '\n' ';')"
printf 'baseline  (total starting joining): %s\n' "$(printf '%s' "$b" | tr '\n' ';')"
for col in 1 2 3; do
  name=$(echo "cold up|starting nodes|joining nodes" | cut -d'|' -f"$col")
  ma=$(printf '%s' "$a" | cut -d' ' -f"$col" | median)
  mb=$(printf '%s' "$b" | cut -d' ' -f"$col" | median)
  awk -v n="$name" -v a="$ma" -v b="$mb" 'BEGIN { printf "%-16s this tree %7.1f  baseline %7.1f  ratio %5.2fx\n", n, a, b, a / b }'
done
