#!/usr/bin/env bash
# Times a cold `swarmgen up` of a bare lab (3 managers, N-3 workers, no
# stacks) for each node count given, with per-step times, and the memory of
# an idle node; then, on each lab, a second `up` (nothing to change), `plan`
# and `status`, alternating, 3 runs each (medians). Needs a provisioned
# machine (./e2e/provision.sh); past about 30 nodes, a kernel neighbour
# table that holds the lab (preflight says how).
# Usage: bench/scale.sh [NODES...]   (default: 10 30)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'cd "$work" && ./swarmgen down >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
(cd "$root" && CGO_ENABLED=0 go build -o "$work/swarmgen" ./cmd/swarmgen)
cd "$work"
# shellcheck source=timing.sh
. "$root/bench/timing.sh"
# shellcheck source=bare-lab.sh
. "$root/bench/bare-lab.sh"

for nodes in "${@:-10 30}"; do
  for n in $nodes; do
    bare_lab "$n" >swarm.yaml
    ./swarmgen down >/dev/null 2>&1 || true
    start=$(date +%s.%N)
    if ! out=$(./swarmgen up --wait 10m 2>&1); then
      printf '== %s nodes: swarmgen up failed:\n%s\n' "$n" "$out" >&2
      exit 1
    fi
    total=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    ready=$(docker exec scale-manager01 docker node ls --format '{{.Status}}' | grep -c Ready)
    mem=$(docker stats --no-stream --format '{{.Name}} {{.MemUsage}}' | awk '$1 ~ /^scale-(manager|worker)/ {
      v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+$/, "", v)
      if (u == "GiB") v *= 1024; if (u == "KiB") v /= 1024; s += v; c++ } END { printf "%.0f", s / c }')
    echo "== $n nodes: $ready Ready, total ${total}s, mean idle node memory ${mem} MiB"
    printf '%s\n' "$out" | grep '✓' | grep -v 'Summary'
    a="" b="" c=""
    for _ in 1 2 3; do
      a+="$(timed ./swarmgen up)"$'\n'
      b+="$(timed ./swarmgen plan)"$'\n'
      c+="$(timed ./swarmgen status)"$'\n'
    done
    echo "   second up $(printf '%s' "$a" | median) s, plan $(printf '%s' "$b" | median) s, status $(printf '%s' "$c" | median) s (medians of 3; $(machine))"
    ./swarmgen down >/dev/null 2>&1
  done
done
