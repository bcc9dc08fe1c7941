# PENDING: an awk program that prints, of "node NAME STATUS" and "service
# NAME REPLICAS" lines, what has not converged: a node not Ready (after a
# restart nodes rejoin), a service short of its replicas.
PENDING='$1 == "node" && $3 != "Ready" { print "node " $2 " " $3 }
  $1 == "service" { split($3, r, "/"); if (r[1] != r[2]) print $2 " " $3 }'

wait_converged() {
  local deadline=$((SECONDS + WAIT)) pending listing
  # nothing changed since the swarm was read: that read may do
  if [ -e "$RUN_DIR/swarm" ] && [ -z "$(swarm_lines node | awk '$3 != "Ready"')" ] &&
    [ -z "$(swarm_lines service | awk '{ split($2, r, "/"); if (r[1] != r[2]) print }')" ]; then
    return
  fi
  while :; do
    # the manager asks in a loop itself, twice a second until nothing is
    # pending or the wait is over, and prints its last listing: an exec a
    # tick, or asking more often, takes CPU and the manager's time from
    # the tasks being started (measured: bench/up-vs-hand.sh); the nodes
    # are listed only once the services are all up. Converged, it reads
    # the swarm for the summary in the same exec (read_script), after a
    # line "--- read"
    if listing=$(on_sh "$LEADER" '
      i=0
      while :; do
        out=$(docker service ls --format "service '"$Q_SERVICE_REPLICAS"'") || exit 1
        svcs=$(printf "%s\n" "$out" | awk "$1" | awk "\$1 != \"node\" { print \$1 }")
        if [ -z "$svcs" ]; then
          out=$(printf "%s\n" "$out" && docker node ls --format "node '"$Q_NODE_READY"'") || exit 1
          if [ -z "$(printf "%s\n" "$out" | awk "$1")" ]; then
            printf "%s\n--- read\n" "$out"
            sh -c "$3" sh "$4" 2>/dev/null
            exit 0
          fi
        else
          # a task the engine cannot pull is rejected at once and tried
          # again forever: no use waiting for it
          bad=$(docker service ps --no-trunc --filter desired-state=shutdown --format "'"$Q_TASK_REJECTED"'" $svcs 2>/dev/null |
            grep -E "No such image|pull access denied|manifest unknown|no such host" | head -n 1) || true
          if [ -n "$bad" ]; then
            printf "rejected|%s\n" "$bad"
            exit 0
          fi
        fi
        i=$((i + 1))
        [ "$i" -lt "$2" ] || break
        sleep 0.5
      done
      printf "%s\n" "$out"' sh "$PENDING" $(((deadline - SECONDS) * 2 + 1)) "$(read_script)" "$LEADER" 2>&1); then
      case $listing in
        *$'\n--- read\n'*)
          keep_read "${listing#*$'\n--- read\n'}"
          listing=${listing%%$'\n--- read\n'*}
          ;;
      esac
      pending=$(printf '%s\n' "$listing" | awk "$PENDING")
    else
      pending="manager $LEADER does not answer: $listing" # e.g. an election after a restart
    fi
    case "$listing" in
      rejected\|*) rejected "${listing#rejected|}" ;;
    esac
    [ -z "$pending" ] && return
    if [ "$SECONDS" -ge "$deadline" ]; then
      printf 'error: services did not converge within %ss:\n%s\n' "$WAIT" "$pending" >&2
      local svc
      for svc in $(printf '%s\n' "$pending" | awk '$1 != "node" && $1 != "manager" { print $1 }'); do
        on "$LEADER" service ps --no-trunc "$svc" >&2 || true
      done
      exit 1
    fi
    sleep 0.25
  done
}

# keep_read OUT: the read that came with convergence is the snapshot
# (the summary's), if it is the leader's and complete.
keep_read() {
  leader_read "$1" || return 0
  forget_swarm
  printf '%s\n' "$1" >"$RUN_DIR/swarm.$$"
  mv -f "$RUN_DIR/swarm.$$" "$RUN_DIR/swarm"
}

# rejected TASK|NODE|IMAGE|ERROR: a task swarm rejected since its image
# cannot be pulled; fails naming the service and node, with the node's
# own pull's reason when it tells more.
rejected() {
  local task=${1%%|*} rest=${1#*|} node image error why=""
  node=${rest%%|*}
  rest=${rest#*|}
  image=${rest%%|*}
  error=${rest#*|}
  case " ${NODES[*]} " in
    *" $node "*)
      why=$(on "$node" pull --quiet "${image%@sha256:*}" 2>&1 >/dev/null | awk 'NF { l = $0 } END { sub(/^Error response from daemon: /, "", l); print l }') || true
      ;;
  esac
  fail "service ${task%.*}: swarm rejected its task on $node: $error${why:+ (docker pull there: $why)}"
}
