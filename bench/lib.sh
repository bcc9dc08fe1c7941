# shellcheck shell=bash
# bench/lib.sh — sourced by the benchmarks: a work directory with a static
# swarmgen (also the builtin visualizer's image) and the e2e classic spec,
# removed with its lab when the benchmark ends. Sets root and work, and
# makes work the current directory; with timing.sh's helpers, and
# against_status.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# the e2e classic spec's lab names: wait for any e2e run (e2e/lock_test.go
# takes the same lock) rather than fight over the same containers
exec 9>>/tmp/swarmgen-e2e.lock
flock -n 9 || { echo "bench: an e2e run holds /tmp/swarmgen-e2e.lock; waiting for it" >&2; flock 9; }
work=$(mktemp -d)
trap 'cd "$work" && { ./swarmgen down >/dev/null 2>&1; docker compose down -v >/dev/null 2>&1; } || true; rm -rf "$work"' EXIT
(cd "$root" && CGO_ENABLED=0 go build -o "$work/swarmgen" ./cmd/swarmgen)
cp "$root/e2e/testdata/swarm.yaml" "$work/"
cd "$work" || exit 1

# shellcheck source=timing.sh
. "$root/bench/timing.sh"
# against_status RUNS NAME CMD...: times CMD and `swarmgen status` (one
# read of the whole swarm: the baseline) alternately, RUNS times each, and
# prints CMD's runs, both medians and their ratio.
against_status() {
  local runs=$1 name=$2 a="" b="" ma mb
  shift 2
  for _ in $(seq "$runs"); do
    a+="$(timed "$@")"$'\n'
    b+="$(timed ./swarmgen status)"$'\n'
  done
  ma=$(printf '%s' "$a" | median)
  mb=$(printf '%s' "$b" | median)
  echo "runs: $runs (alternating; medians in seconds), $(machine)"
  echo "$name: $(printf '%s' "$a" | tr '\n' ' ')"
  awk -v n="$name" -v a="$ma" -v b="$mb" 'BEGIN {
    printf "%-40s %10.2f\n%-40s %10.2f\n%-40s %10.2fx\n", n, a, "swarmgen status (baseline)", b, "ratio to status", a / b }'
}
