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
    # are listed only once the services are all up
    if listing=$(on_sh "$LEADER" '
      i=0
      while :; do
        out=$(docker service ls --format "service '"$Q_SERVICE_REPLICAS"'") || exit 1
        if [ -z "$(printf "%s\n" "$out" | awk "$1")" ]; then
          out=$(printf "%s\n" "$out" && docker node ls --format "node '"$Q_NODE_READY"'") || exit 1
          [ -n "$(printf "%s\n" "$out" | awk "$1")" ] || break
        fi
        i=$((i + 1))
        [ "$i" -lt "$2" ] || break
        sleep 0.5
      done
      printf "%s\n" "$out"' sh "$PENDING" $(((deadline - SECONDS) * 2 + 1)) 2>&1); then
      pending=$(printf '%s\n' "$listing" | awk "$PENDING")
    else
      pending="manager $LEADER does not answer: $listing" # e.g. an election after a restart
    fi
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
