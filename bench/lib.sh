# shellcheck shell=bash
# bench/lib.sh — sourced by the benchmarks: a work directory with a static
# swarmgen (also the builtin visualizer's image) and the e2e classic spec,
# removed with its lab when the benchmark ends. Sets root and work, and
# makes work the current directory.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'cd "$work" && { ./swarmgen down >/dev/null 2>&1; docker compose down -v >/dev/null 2>&1; } || true; rm -rf "$work"' EXIT
(cd "$root" && CGO_ENABLED=0 go build -o "$work/swarmgen" ./cmd/swarmgen)
cp "$root/e2e/testdata/swarm.yaml" "$work/"
cd "$work" || exit 1
