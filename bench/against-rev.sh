#!/usr/bin/env bash
# Times this tree's no-op `swarmgen up` and `swarmgen plan` against the
# same commands of swarmgen at git revision REV (the baseline), each on its
# own running copy of the e2e classic lab (the baseline's named e2ebase,
# on other host ports), alternating A and B RUNS times, and prints both
# medians and their ratio. Both labs run side by side, so both share the
# machine's load. Needs a provisioned machine (./e2e/provision.sh).
# Usage: bench/against-rev.sh REV [RUNS]
set -euo pipefail
rev=${1:?usage: bench/against-rev.sh REV [RUNS]}
runs=${2:-5}
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
base=$work/base
git -C "$root" rev-parse --verify --quiet "$rev^{commit}" >/dev/null || { echo "bench: $rev is no commit of $root" >&2; exit 1; }
# lib.sh's trap removes this tree's lab; the baseline's lab and source too
trap 'cd "$work" && { (cd "$base" && ./swarmgen down >/dev/null 2>&1); ./swarmgen down >/dev/null 2>&1; } || true; git -C "$root" worktree remove --force "$work/src" 2>/dev/null || true; rm -rf "$work"' EXIT
git -C "$root" worktree add --quiet --detach "$work/src" "$rev"
mkdir -p "$base"
(cd "$work/src" && CGO_ENABLED=0 go build -o "$base/swarmgen" ./cmd/swarmgen)
sed -e 's/^name: e2e$/name: e2ebase/' -e 's/port: 15000$/port: 25000/' -e 's/"19000:9000"/"29000:9000"/' swarm.yaml >"$base/swarm.yaml"
grep -q '^name: e2ebase$' "$base/swarm.yaml" || { echo "bench: the e2e spec's name changed; update this script" >&2; exit 1; }

./swarmgen down >/dev/null 2>&1 || true
./swarmgen up >/dev/null
(cd "$base" && { ./swarmgen down >/dev/null 2>&1 || true; ./swarmgen up >/dev/null; })

# inbase CMD...: CMD run in the baseline's directory
inbase() { (cd "$base" && "$@"); }
ua="" ub="" pa="" pb=""
for _ in $(seq "$runs"); do
  ua+="$(timed ./swarmgen up)"$'\n'
  ub+="$(timed inbase ./swarmgen up)"$'\n'
  pa+="$(timed ./swarmgen plan)"$'\n'
  pb+="$(timed inbase ./swarmgen plan)"$'\n'
done
echo "runs: $runs (alternating; medians in seconds), baseline $(git -C "$root" rev-parse --short "$rev"), $(machine)"
report() { # NAME A-RUNS B-RUNS
  local ma mb
  ma=$(printf '%s' "$2" | median)
  mb=$(printf '%s' "$3" | median)
  echo "swarmgen $1 (no change), this tree: $(printf '%s' "$2" | tr '\n' ' ')"
  echo "swarmgen $1 (no change), baseline:  $(printf '%s' "$3" | tr '\n' ' ')"
  awk -v n="$1" -v a="$ma" -v b="$mb" 'BEGIN {
    printf "%-40s %10.2f\n%-40s %10.2f\n%-40s %10.2fx\n", n " (this tree)", a, n " (baseline)", b, "ratio to the baseline", a / b }'
}
report up "$ua" "$ub"
report plan "$pa" "$pb"
