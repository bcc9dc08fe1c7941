# remove_nodes: a node the spec no longer has is drained (its tasks move and
# converge elsewhere), demoted if a manager, leaves the swarm, and its
# container and volume are removed. Removing managers so that the rest
# cannot keep a majority while one of them is down is refused.
remove_nodes() {
  local node name state mstatus listed="" gone=() gone_managers=() down=0
  # a new swarm has only the nodes that are about to join
  swarm_new || listed=$(swarm_lines node | awk '{ print $2, $3, $4 }')
  while read -r name state mstatus; do
    [ -n "$name" ] || continue
    case "$KEEP_NODES" in
      *" $name "*)
        # the managers that stay: those being removed count for nothing
        if [ -n "$mstatus" ] && { [ "$state" != Ready ] || [ "$mstatus" = Unreachable ]; }; then
          down=$((down + 1))
        fi
        continue
        ;;
    esac
    # never the manager this script talks to: it would leave a swarm
    # without anyone to finish the removal
    [ "$CONTAINER_PREFIX$name" != "$LEADER" ] || fail "node $name leads the swarm and $SPEC_FILE no longer has it: hand the leadership over first (swarmgen docker node demote $name), then run up again"
    gone+=("$name")
    if [ -n "$mstatus" ]; then gone_managers+=("$name"); fi
  done <<<"$listed"
  if [ "${#gone_managers[@]}" -gt 0 ]; then
    # with N managers a majority needs more than half of them up
    local after=${#MANAGERS[@]} tolerated=$(((${#MANAGERS[@]} - 1) / 2))
    if [ "$after" -eq 2 ] || [ "$down" -gt "$tolerated" ]; then
      refuse "removing manager(s) ${gone_managers[*]+${gone_managers[*]}} leaves $after manager(s) of which $tolerated may fail ($down are down now): the swarm would lose quorum while one is down; keep an odd number of managers (1, 3, 5)"
    fi
  fi
  for node in ${gone[@]+"${gone[@]}"}; do
    case " ${gone_managers[*]+"${gone_managers[*]}"} " in
      *" $node "*) remove_gone "$node" manager ;;
      *) remove_gone "$node" worker ;;
    esac
  done
  remove_leftovers ${gone[@]+"${gone[@]}"}
}

# remove_node NAME ROLE: drains the node, demotes it if a manager, makes it
# leave and removes it from the swarm.
remove_node() {
  local node=$1
  on "$LEADER" node update --availability drain "$node" >/dev/null
  wait_drained "$node"
  if [ "$2" = manager ]; then
    on "$LEADER" node demote "$node" >/dev/null
  fi
  on "$CONTAINER_PREFIX$node" swarm leave >/dev/null 2>&1 || true
  wait_node_down "$node"
  on "$LEADER" node rm --force "$node" >/dev/null
  say "node $node drained and removed from the swarm"
}

wait_drained() {
  local deadline=$((SECONDS + WAIT))
  while [ -n "$(on "$LEADER" node ps --filter desired-state=running -q "$1" 2>/dev/null)" ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "tasks of node $1 did not move away within ${WAIT}s"
    sleep 0.5
  done
}

wait_node_down() {
  local deadline=$((SECONDS + WAIT))
  until [ "$(on "$LEADER" node inspect --format "$FORMAT_NODE_STATE" "$1" 2>/dev/null)" != ready ]; do
    [ "$SECONDS" -lt "$deadline" ] || break # node rm --force handles it
    sleep 0.5
  done
}

# remove_stale: a node whose container and volume were made anew joined
# again under a new ID, and the swarm still lists its old ID, Down, under
# the same hostname (a twin: "node X is ambiguous" on the next change).
# The node ID the node's engine holds now (docker info) is the current
# one; a Down entry of that hostname with another ID is the lab's own
# leftover and goes. Without an answer from the node, both stay.
remove_stale() {
  local name holder id ids
  for name in $(swarm_lines node | awk '{ n[$2]++ } END { for (h in n) if (n[h] > 1) print h }'); do
    case "$KEEP_NODES" in *" $name "*) ;; *) continue ;; esac
    holder=$(on "$CONTAINER_PREFIX$name" info --format "$FORMAT_INFO_NODE_ID" 2>/dev/null || true)
    [ -n "$holder" ] || continue
    ids=$(swarm_lines node | awk -v h="$name" -v cur="$holder" '$2 == h && $1 != cur && $3 == "Down" { print $1 }')
    for id in $ids; do
      act - node "$name" "stale: $id, an earlier $name" on "$LEADER" node rm --force "$id" >/dev/null
      say "node $name: its stale twin $id removed from the swarm"
    done
  done
}
