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

# leader_wait: the seconds wait_leader waits: WAIT, through an election;
# in a plan 2 (it reads the swarm as it is, but a manager under load can
# fail one read and answer the next)
leader_wait() { if [ "$PLAN" = 1 ]; then echo 2; else echo "$WAIT"; fi; }

# wait_leader: find_leader, reading the swarm again twice a second while
# no read names a leader, for up to leader_wait seconds.
wait_leader() {
  local deadline=$((SECONDS + $(leader_wait)))
  until find_leader; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
    forget_swarm
  done
}
