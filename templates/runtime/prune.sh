# prune: stacks, standalone services and networks the lab created that the
# spec no longer has are removed; nothing else is touched.
prune() {
  local name kind lab
  if swarm_new; then
    say "a new swarm: nothing to prune"
    return
  fi
  # what the lab created: "stack|service|network|secret NAME"; a stack is
  # the lab's when it has a record of the file the lab deployed
  local records
  records=$(swarm_lines record | awk '{ print $1 }')
  lab=$(swarm_snapshot | awk '$1 == "stack" || $1 == "secret" || $1 == "hash" || ($1 == "network" && $3 == "true") {
      print ($1 == "hash" ? "service" : $1), $2 }')
  printf '%s\n' "$lab" | while read -r kind name; do
    case "$kind" in
      stack)
        case "$KEEP_STACKS" in *" $name "*) continue ;; esac
        has_line "$records" "$name" || continue # not ours
        act - stack "$name" "" stack_rm "$name"
        ;;
      service)
        case "$KEEP_SERVICES" in *" $name "*) continue ;; esac
        act - service "$name" "" on "$LEADER" service rm "$name" >/dev/null
        say "service $name removed"
        ;;
      secret)
        # a version deploy used stays; an older one, or one of a password
        # the spec no longer has, goes (its stack no longer mounts it)
        has_line "$(cat "$RUN_DIR/secrets" 2>/dev/null || true)" "$name" && continue
        act - secret "$name" "" on "$LEADER" secret rm "$name" >/dev/null
        say "secret $name removed"
        ;;
    esac
  done
  for name in $(printf '%s\n' "$lab" | awk '$1 == "network" { print $2 }'); do
    case "$KEEP_NETWORKS" in *" $name "*) continue ;; esac
    act - network "$name" "" network_rm "$name"
  done
}

stack_rm() {
  on "$LEADER" stack rm "$1" >/dev/null
  stack_unrecord "$1"
  say "stack $1 removed"
}

network_rm() {
  # a removed stack's tasks may still hold the network for a moment
  local tries=0
  until on "$LEADER" network rm "$1" >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || fail "network $1 is still in use; remove what uses it"
    sleep 0.5
  done
  say "network $1 removed"
}
