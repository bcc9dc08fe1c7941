swarm_init() {
  local m state stopped=""
  for m in "${MANAGERS[@]}"; do
    # as the snapshot has it (it asked the managers in this order)
    state=$(swarm_lines state | awk -v m="$m" '$1 == m { print $2 }')
    if [ "$PLAN" = 1 ] && [ -z "$state" ]; then
      stopped=1 # no container, or not running: plan mode starts nothing
      continue
    fi
    # anything but inactive (active, pending while it reconnects after a
    # restart, error, locked) means the swarm exists: never init again
    if [ "$state" != inactive ]; then
      # after a restart its managers first elect a leader
      local found
      found=$(wait_leader) || fail "the swarm has no leader (waited $(leader_wait)s): too few managers are up; see swarmgen status"
      say "the swarm is up; ${found%% *} leads it"
      return
    fi
  done
  if [ -n "$stopped" ] && lab_stopped; then
    # plan mode, no manager running: a stopped lab's swarm comes back when
    # it starts, and there is nothing more to read; else the swarm is new
    touch "$RUN_DIR/stopped"
    return
  fi
  touch "$RUN_DIR/new-swarm" # so nothing of an earlier one is looked for
  act . node "${LEADER#"$CONTAINER_PREFIX"}" "" on "$LEADER" swarm init --advertise-addr "$LEADER_ADDR" >/dev/null
  swarm_made
  say "swarm initialised on $LEADER ($LEADER_ADDR)"
}
