create_networks() {
  if [ "${#NETWORKS[@]}" -eq 0 ]; then
    say "no networks to create"
    return
  fi
  HAVE_NETWORKS=" "
  swarm_new || HAVE_NETWORKS=" $(swarm_lines network | awk '{ printf "%s ", $1 }')"
  each NETWORKS create_network
}

# create_network NAME ATTACHABLE SUBNET: the overlay network, unless the
# swarm has one of that name.
create_network() {
  local args=()
  case "$HAVE_NETWORKS" in
    *" $1 "*) return ;;
  esac
  if [ "$2" = true ]; then args+=(--attachable); fi
  if [ -n "$3" ]; then args+=(--subnet "$3"); fi
  act + network "$1" overlay on "$LEADER" network create --driver overlay --label "$LABEL_NETWORK=true" ${args[@]+"${args[@]}"} "$1" >/dev/null
  say "created overlay network $1"
}
