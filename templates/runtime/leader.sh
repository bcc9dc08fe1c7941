# find_leader: prints "CONTAINER ADDRESS" of the manager that leads the
# swarm (its raft leader), as the snapshot has it (swarm_snapshot reads it
# from the leader itself); fails when it names none (an election). Every
# later step talks to the leader.
find_leader() {
  local lead i
  lead=$CONTAINER_PREFIX$(swarm_lines node | awk '$4 == "Leader" { print $2; exit }')
  [ "$lead" != "$CONTAINER_PREFIX" ] || return 1
  for ((i = 0; i < ${#MANAGERS[@]}; i++)); do
    if [ "${MANAGERS[$i]}" = "$lead" ]; then
      printf '%s %s\n' "${MANAGERS[$i]}" "${MANAGER_ADDRS[$i]}"
      return
    fi
  done
  # a leader the spec no longer has (about to be removed): the manager
  # read relays to it
  lead=$(swarm_lines from)
  for ((i = 0; i < ${#MANAGERS[@]}; i++)); do
    if [ "${MANAGERS[$i]}" = "$lead" ]; then
      printf '%s %s\n' "${MANAGERS[$i]}" "${MANAGER_ADDRS[$i]}"
      return
    fi
  done
  return 1
}

# a plan reads the swarm as it is, but a manager under load can fail one
# read and answer the next: it waits this long for a read that names a
# leader (up waits WAIT, through an election)
PLAN_LEADER_WAIT=2

# wait_leader [SECONDS]: find_leader, reading the swarm again twice a
# second while no read names a leader, for up to SECONDS (default WAIT, in
# a plan PLAN_LEADER_WAIT).
wait_leader() {
  local waited=${1:-$WAIT}
  [ -n "${1:-}" ] || [ "$PLAN" != 1 ] || waited=$PLAN_LEADER_WAIT
  local deadline=$((SECONDS + waited))
  until find_leader; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
    forget_swarm
  done
}
