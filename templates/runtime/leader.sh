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
