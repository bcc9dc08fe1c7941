#!/usr/bin/env bash
# Times a cold `swarmgen up` of the classic lab against the classic setup's
# commands typed one after another (compose up, swarm init, three joins one
# by one, tag + push, network create, service create, stack deploys, each
# waited for by polling as a person would), on the same machine, with the
# same generated files and images. Needs a provisioned machine
# (./e2e/provision.sh). The two alternate, RUNS times each; it prints
# the medians and their ratio. Usage: bench/up-vs-hand.sh [RUNS]
set -euo pipefail
runs=${1:-1}
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# The walkthrough has no TLS endpoint for the host's tools: neither side
# makes certificates (the hand side's managers would wait for them forever).
printf '\ndocker_endpoint: false\n' >>swarm.yaml
./swarmgen render >/dev/null

poll() { # poll CMD...: until CMD succeeds; gives up after 5 minutes
  local deadline=$((SECONDS + 300))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "bench: gave up waiting for: $*" >&2; exit 1; }
    sleep 0.5
  done
}
converged() { # converged STACK: every service of the stack at n/n
  docker exec e2e-manager docker stack services --format '{{.Replicas}}' "$1" |
    awk -F'[/ ]' '$1 != $2 { bad = 1 } END { exit bad }'
}

hand() {
  local t0 addr token img
  t0=$(now)
  docker compose up -d >/dev/null 2>&1
  for n in manager worker01 worker02 worker03; do poll docker exec "e2e-$n" docker info; done
  addr=$(docker inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' e2e-manager)
  docker exec e2e-manager docker swarm init --advertise-addr "$addr" >/dev/null
  token=$(docker exec e2e-manager docker swarm join-token -q worker)
  for n in worker01 worker02 worker03; do
    docker exec "e2e-$n" docker swarm join --token "$token" "$addr:2377" >/dev/null
  done
  docker build -q -t localhost:15000/swarmgen/visualizer:latest -f builtin/visualizer.Dockerfile builtin >/dev/null
  docker push -q localhost:15000/swarmgen/visualizer:latest >/dev/null
  for img in yutsuki/echo:latest swarmgen-e2e/nginx-proxy:latest=gihyodocker/nginx-proxy:latest; do
    local src=${img%%=*} dst=${img#*=}
    docker tag "$src" "localhost:15000/$dst"
    docker push -q "localhost:15000/$dst" >/dev/null
  done
  docker exec e2e-manager docker network create --driver overlay --attachable ch03 >/dev/null
  docker exec e2e-manager docker service create --quiet --replicas 1 --name echo registry:5000/yutsuki/echo:latest >/dev/null
  docker exec e2e-manager docker stack deploy -c /stack/ch03-webapi.yml echo >/dev/null
  poll converged echo
  docker exec e2e-manager docker stack deploy -c /stack/visualizer.yml visualizer >/dev/null
  poll converged visualizer
  awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'
}

declare -A steps
order=() # step titles as swarmgen up printed them
swarmgen_times="" hand_times=""
for _ in $(seq "$runs"); do
  ./swarmgen down >/dev/null 2>&1 || true
  t0=$(now)
  out=$(./swarmgen up 2>&1)
  swarmgen_times+="$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"$'\n'
  while read -r line; do
    name=${line#*✓ }; name=${name% (*}; secs=${line##*(}; secs=${secs%s)}
    [ -n "${steps[$name]:-}" ] || order+=("$name")
    steps[$name]+="$secs"$'\n'
  done < <(printf '%s\n' "$out" | grep '✓')
  ./swarmgen down >/dev/null 2>&1
  hand_times+="$(hand)"$'\n'
  docker compose down -v >/dev/null 2>&1
done

echo "runs: $runs (alternating; medians in seconds), $(machine)"
echo "swarmgen up: $(printf '%s' "$swarmgen_times" | tr '\n' ' ')"
echo "hand-typed:  $(printf '%s' "$hand_times" | tr '\n' ' ')"
printf '%-40s %10s\n' "step of swarmgen up" "seconds"
for name in "${order[@]}"; do
  printf '%-40s %10.1f\n' "$name" "$(printf '%s' "${steps[$name]}" | median)"
done
s=$(printf '%s' "$swarmgen_times" | median)
h=$(printf '%s' "$hand_times" | median)
awk -v s="$s" -v h="$h" 'BEGIN {
  printf "%-40s %10.1f\n%-40s %10.1f\n%-40s %10.2fx\n", "swarmgen up", s, "hand-typed sequence", h, "ratio swarmgen / hand", s / h }'
