#!/usr/bin/env bash
# The engines' own floor for the classic lab's deploy and wait: brings the
# e2e classic lab up, then RUNS times removes its stacks and service,
# prunes every node's containers and images, and runs the same service
# create and both stack deploys at once inside the manager, polling there
# every 0.1 s until every service is at its replicas. What `swarmgen up`'s
# deploy and wait steps take beyond it is the script's. Needs a
# provisioned machine (./e2e/provision.sh). Usage: bench/engine-floor.sh [RUNS]
set -euo pipefail
runs=${1:-3}
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
./swarmgen down >/dev/null 2>&1 || true
out=$(./swarmgen up 2>&1)
printf '%s\n' "$out" | grep -E '✓ (Deploying|Waiting)'
nodes=$(docker ps --filter label=dev.swarmgen.lab=e2e --filter label=dev.swarmgen.role --format '{{.Label "dev.swarmgen.role"}} {{.Names}}' | awk '$1 != "registry" { print $2 }')
image=$(docker exec e2e-manager docker service inspect --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}' echo)
all="" deploys=""
for _ in $(seq "$runs"); do
  docker exec e2e-manager sh -c 'docker stack rm echo visualizer && docker service rm echo' >/dev/null
  # the tasks' containers go away on their own; prune once they have
  sleep 8
  for n in $nodes; do docker exec "$n" sh -c 'docker container prune -f && docker image prune -af' >/dev/null; done
  times=$(docker exec e2e-manager sh -c '
    s=$(date +%s%N)
    docker service create --quiet --detach --replicas 1 --name echo "${1%@*}" >/dev/null &
    docker stack deploy -c /stack/ch03-webapi.yml echo >/dev/null &
    docker stack deploy -c /stack/visualizer.yml visualizer >/dev/null &
    wait
    d=$(date +%s%N)
    until [ "$(docker service ls -q | wc -l)" -eq 4 ] &&
      [ -z "$(docker service ls --format "{{.Replicas}}" | awk -F/ "\$1 != \$2")" ]; do sleep 0.1; done
    e=$(date +%s%N)
    echo "$(((d - s) / 1000000)) $(((e - s) / 1000000))"' sh "$image")
  deploys+="$(awk '{ printf "%.2f", $1 / 1000 }' <<<"$times")"$'\n'
  all+="$(awk '{ printf "%.2f", $2 / 1000 }' <<<"$times")"$'\n'
done
echo "runs: $runs (medians in seconds), $(machine)"
echo "deploy to converged: $(printf '%s' "$all" | tr '\n' ' ')"
printf '%-40s %10.2f\n%-40s %10.2f\n' "the deploys themselves" "$(printf '%s' "$deploys" | median)" \
  "the engines' floor (deploy to converged)" "$(printf '%s' "$all" | median)"
