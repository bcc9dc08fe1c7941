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
  act . node "${LEADER#"$CONTAINER_PREFIX"}" "" init_swarm
  swarm_made
  local mesh=""
  [ "$ROUTING_MESH" = true ] || mesh=", without the ingress network (routing_mesh: false)"
  say "swarm initialised on $LEADER ($LEADER_ADDR)$mesh"
}

# init_swarm: swarm init on the leader. With routing_mesh: false (a kernel
# without IPVS) the swarm goes without its ingress network, which nothing
# could use: every node that joined would build the ingress sandbox anyway
# (a namespace, a VXLAN device, seven re-execs of dockerd), about a second
# of CPU a node here: the joins of a 30-node lab took 2.7 times as long
# with it. Removed in the init's exec (an exec costs more than both), as
# soon as the new leader has made it; a removal that fails leaves a lab
# that works as before, so it is a warning.
init_swarm() {
  if [ "$ROUTING_MESH" = true ]; then
    on "$LEADER" swarm init --advertise-addr "$LEADER_ADDR" >/dev/null
    return
  fi
  local out
  out=$(on_sh "$LEADER" '
    docker swarm init --advertise-addr "$1" >/dev/null || exit
    i=0
    while ! out=$(echo y | docker network rm ingress 2>&1); do
      case "$out" in
        *"No such network"* | *"not found"*)
          i=$((i + 1))
          [ "$i" -lt 30 ] || exit 0 # none made: nothing to remove
          sleep 0.1
          ;;
        *) echo "$out" && exit 0 ;;
      esac
    done' sh "$LEADER_ADDR") || return
  [ -z "$out" ] || say "warning: the ingress network stays (routing_mesh: false has no use for it): ${out##*$'\n'}"
}
