
# --- rollout: node changes, one node at a time ---
# The nodes whose container (or machine) the spec changed (node_changes)
# are recreated one at a time, so the swarm keeps its quorum and its
# services: workers first (SWARMGEN_ROLLOUT_PARALLEL at once, default 1),
# each drained, recreated, waited for until Ready with the same node ID
# (its volume keeps its swarm state) and made active again; then the
# managers, the leader last (it hands the leadership over before it goes:
# leadership moves once, and the swarm always has a leader), each only while the
# others keep a quorum and waited for until Reachable. A node that does
# not come back stops the roll-out: the nodes after it are left as they are.

# rollout_check: before anything changes, a change to managers that would
# cost the swarm its quorum while one of them is recreated is refused
# (plan lists it refused; up stops unless --force).
rollout_check() {
  local managers total reachable
  managers=$(node_changes | awk '{ print $1 }' | while read -r c; do
    case " ${MANAGERS[*]} " in *" $c "*) printf '%s ' "${c#"$CONTAINER_PREFIX"}" ;; esac
  done)
  [ -n "$managers" ] || return 0
  total=$(swarm_lines node | awk 'NF >= 4 { n++ } END { print n + 0 }')
  reachable=$(swarm_lines node | awk '$3 == "Ready" && ($4 == "Leader" || $4 == "Reachable") { n++ } END { print n + 0 }')
  # while one is recreated, a majority of all managers must answer
  if [ $((reachable - 1)) -lt $((total / 2 + 1)) ]; then
    refuse "recreating manager(s) ${managers% } one at a time: the swarm has $total manager(s), $reachable reachable, so while one is recreated it has no quorum: no leader, no change to services or nodes until that manager is back (tasks keep running); 3 or more managers keep a quorum"
  fi
}

# node_order: the changed nodes, "CONTAINER SERVICE REASON", workers
# first, then managers, the leader last.
node_order() {
  local changes
  changes=$(node_changes)
  printf '%s\n' "$changes" | awk -v m=" ${MANAGERS[*]} " 'NF && !index(m, " " $1 " ")'
  printf '%s\n' "$changes" | awk -v m=" ${MANAGERS[*]} " -v l="$LEADER" 'NF && index(m, " " $1 " ") && $1 != l'
  printf '%s\n' "$changes" | awk -v l="$LEADER" 'NF && $1 == l'
}

rollout() {
  local order c s why pids=() batch=0 parallel=${SWARMGEN_ROLLOUT_PARALLEL:-1}
  order=$(node_order)
  if [ -z "$order" ]; then
    say "no node to recreate"
    return
  fi
  case "$parallel" in '' | *[!0-9]* | 0) fail "SWARMGEN_ROLLOUT_PARALLEL must be a number of nodes, 1 or more (it is '$parallel')" ;; esac
  : >"$RUN_DIR/out"
  while read -r c s why; do
    case " ${MANAGERS[*]} " in
      *" $c "*)
        wait_all ${pids[@]+"${pids[@]}"} || rollout_stopped
        pids=()
        act '~' node "${c#"$CONTAINER_PREFIX"}" "recreate ($why)" roll_node "$c" "$s" manager
        ;;
      *)
        if [ "$PLAN" = 1 ]; then
          act '~' node "${c#"$CONTAINER_PREFIX"}" "recreate ($why)" true
          continue
        fi
        act . node "${c#"$CONTAINER_PREFIX"}" "" roll_node "$c" "$s" worker &
        pids+=("$!")
        batch=$((batch + 1))
        if [ "$batch" -ge "$parallel" ]; then
          wait_all ${pids[@]+"${pids[@]}"} || rollout_stopped
          pids=() batch=0
        fi
        ;;
    esac
  done <<<"$order"
  wait_all ${pids[@]+"${pids[@]}"} || rollout_stopped
  if [ "$PLAN" != 1 ]; then
    rollout_done
    # the leader may have changed: the steps after this one talk to the new one
    find_leader >"$RUN_DIR/leader" || fail "no manager leads the swarm after the roll-out; see swarmgen status"
    read -r LEADER LEADER_ADDR <"$RUN_DIR/leader"
    say "roll-out done, time each node was out: $(tr '\n' ' ' <"$RUN_DIR/out")"
  fi
  # shellcheck disable=SC2046 # node names, one word each
  forget_faults $(printf '%s\n' "$order" | awk -v p="$CONTAINER_PREFIX" 'NF { print substr($1, length(p) + 1) }')
}

# rollout_stopped: a node did not come back: the roll-out stops there.
rollout_stopped() {
  fail "the roll-out stopped; the nodes after it were not recreated (run up again once it is fixed)"
}

# roll_node CONTAINER SERVICE ROLE: drains the node, recreates it, waits
# until it is back with the same node ID, and sets its availability back.
roll_node() {
  local c=$1 name=${1#"$CONTAINER_PREFIX"} via=$LEADER id avail start m
  now
  start=$NOW
  if [ "$c" = "$LEADER" ]; then
    # the leader's calls go to another manager while it is recreated
    for m in "${MANAGERS[@]}"; do
      if [ "$m" != "$c" ] && on "$m" node ls -q >/dev/null 2>&1; then via=$m; break; fi
    done
  fi
  read -r id avail _ < <(on "$via" node inspect --format "$FORMAT_NODE_STATUS" "$name" 2>/dev/null | awk '{ print $1, $3 }') ||
    { printf 'error: node %s: the swarm does not know it\n' "$name" >&2; return 1; }
  if [ "$3" = manager ]; then manager_quorum "$via" "$name" || return 1; fi
  if [ "$avail" = active ]; then
    on "$via" node update --availability drain "$id" >/dev/null
    wait_tasks_gone "$via" "$id" "$name" || return 1
    say "node $name drained"
  fi
  if [ "$c" = "$LEADER" ] && [ "$via" != "$c" ]; then
    # the leader hands its leadership over first (a demotion moves it at
    # once; a stopped leader would leave the swarm without one until the
    # others' election timeout), and comes back as a manager after
    on "$via" node demote "$id" >/dev/null
    wait_demoted "$via" "$id" "$name" "$c" || return 1
    say "node $name handed the leadership over (demoted until it is back)"
  fi
  recreate_node "$c" "$2" || { printf 'error: node %s did not come back: its container was not recreated\n' "$name" >&2; return 1; }
  say "node $name recreated"
  wait_engine "$c" || { printf 'error: node %s did not come back: its Docker engine does not answer\n' "$name" >&2; return 1; }
  if [ "$c" = "$LEADER" ] && [ "$via" != "$c" ]; then
    wait_node_back "$via" "$c" "$id" worker || return 1
    on "$via" node promote "$id" >/dev/null
  fi
  wait_node_back "$via" "$c" "$id" "$3" || return 1
  say "node $name Ready$([ "$3" != manager ] || printf ', Reachable')"
  if [ "$avail" = active ]; then
    on "$via" node update --availability active "$id" >/dev/null
    say "node $name active"
  fi
  printf '%s %s\n' "$name" "$(elapsed "$start")" >>"$RUN_DIR/out"
}

# manager_quorum VIA NAME: the managers other than NAME that answer are a
# majority of all managers.
manager_quorum() {
  local counts
  counts=$(on "$1" node ls --format "$FORMAT_NODE_LINE" 2>/dev/null | awk -v n="$2" 'NF >= 4 { t++; if ($2 != n && $3 == "Ready" && ($4 == "Leader" || $4 == "Reachable")) r++ } END { print t + 0, r + 0 }')
  if [ "${counts#* }" -lt $((${counts% *} / 2 + 1)) ] && [ "${SWARMGEN_FORCE:-}" != 1 ]; then
    printf 'error: node %s: the other managers (%s of %s reachable) would have no quorum while it is recreated\n' "$2" "${counts#* }" "${counts% *}" >&2
    return 1
  fi
}

# wait_tasks_gone VIA ID NAME: the drained node runs no task any more.
wait_tasks_gone() {
  local deadline=$((SECONDS + WAIT))
  while [ -n "$(on "$1" node ps --filter desired-state=running -q "$2" 2>/dev/null)" ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      printf 'error: node %s: its tasks did not move away within %ss\n' "$3" "$WAIT" >&2
      return 1
    fi
    sleep 0.5
  done
}

# wait_demoted VIA ID NAME CONTAINER: the demoted leader has left the
# managers' raft (the swarm lists no manager status for it), its own
# engine has stopped its manager (which deletes its raft data), and it
# holds a worker's certificate (the OU swarmkit gives a node's
# certificate). A demote returns before any of it: a leader recreated
# before the first came back down and unreachable, a manager in the raft
# that neither the others nor itself could use; one recreated before the
# last came back with a manager's certificate, and its engine panicked in
# raft at every start (seen in CI: its container restarting for good;
# moby issue 41400).
wait_demoted() {
  local deadline=$((SECONDS + WAIT)) id state avail reach
  while :; do
    read -r id state avail reach < <(on "$1" node inspect --format "$FORMAT_NODE_STATUS" "$2" 2>/dev/null || true) || true
    [ "$id" != "$2" ] || [ -n "$reach" ] || break
    if [ "$SECONDS" -ge "$deadline" ]; then
      printf 'error: node %s: still a manager (%s) %ss after its demotion\n' "$3" "${reach:-no answer}" "$WAIT" >&2
      return 1
    fi
    sleep 0.5
  done
  until on_sh "$4" '[ "$(docker info --format "$1")" = false ] &&
    awk "/BEGIN/ { n++ } n == 1" "$2" | sed "/-----/d" | base64 -d 2>/dev/null | grep -aq swarm-worker' \
    sh "$FORMAT_SWARM_CONTROL" /var/lib/docker/swarm/certificates/swarm-node.crt 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      printf 'error: node %s: its engine is still a manager %ss after its demotion\n' "$3" "$WAIT" >&2
      return 1
    fi
    sleep 0.2
  done
}

# wait_node_back VIA CONTAINER ID ROLE: the recreated node is in the swarm
# as the node it was (its own engine says ID), Ready, and Reachable if a
# manager.
wait_node_back() {
  local deadline=$((SECONDS + WAIT)) name=${2#"$CONTAINER_PREFIX"} mine status
  while :; do
    mine=$(on "$2" info --format "$FORMAT_SWARM_MEMBERSHIP" 2>/dev/null | awk '{ print $2 }')
    if [ -n "$mine" ] && [ "$mine" != "$3" ]; then
      printf 'error: node %s did not come back: it is node %s now, not %s (its swarm state was lost)\n' "$name" "$mine" "$3" >&2
      return 1
    fi
    status=$(on "$1" node inspect --format "$FORMAT_NODE_STATUS" "$3" 2>/dev/null || true)
    case "$4 $status" in
      "worker $3 ready "*) [ "$mine" = "$3" ] && return 0 ;;
      "manager $3 ready "*" reachable") [ "$mine" = "$3" ] && return 0 ;;
    esac
    if [ "$SECONDS" -ge "$deadline" ]; then
      printf 'error: node %s did not come back: not Ready%s within %ss (%s)\n' "$name" "$([ "$4" != manager ] || printf '/Reachable')" "$WAIT" "${status:-no answer}" >&2
      return 1
    fi
    sleep 0.5
  done
}
