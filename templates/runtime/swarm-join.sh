swarm_join() {
  local pids=() i
  # for join_one, from the leader's read: the node IDs it knows and the
  # nodes it lists once and Ready; with the tokens, the swarm's cluster ID
  CLUSTER_ID="" KNOWN_IDS="" READY=" "
  # (a swarm this run made has one node, its leader: asked with the tokens)
  if ! swarm_new; then
    local nodes
    nodes=$(swarm_lines node)
    KNOWN_IDS=$(printf '%s\n' "$nodes" | awk 'NF { print $1 }')
    READY+=$(printf '%s\n' "$nodes" | awk 'NF { n[$2]++; r[$2] = $3 } END { for (h in n) if (n[h] == 1 && r[h] == "Ready") printf "%s ", h }')
  fi
  # the join tokens, read once when nodes are missing, in one exec with
  # the leader's own membership; kept in memory only
  MANAGER_TOKEN="" WORKER_TOKEN=""
  if [ "$PLAN" != 1 ] && [ "$(printf '%s\n' "$KNOWN_IDS" | grep -c .)" -lt "${#NODES[@]}" ]; then
    local lead_state="" lead_id="" lead_cluster=""
    { read -r MANAGER_TOKEN && read -r WORKER_TOKEN && read -r lead_state lead_id lead_cluster; } < <(on_sh "$LEADER" '
      docker swarm join-token -q manager && docker swarm join-token -q worker &&
      docker info --format "'"$Q_SWARM_MEMBERSHIP"'"') || true
    if [ "$lead_state" = active ]; then
      CLUSTER_ID=$lead_cluster
      if swarm_new; then KNOWN_IDS=$lead_id; fi
    fi
  fi
  case "$JOIN_PARALLEL" in
    '' | *[!0-9]* | 0) fail "SWARMGEN_JOIN_PARALLEL must be a whole number above 0, not '$JOIN_PARALLEL'" ;;
  esac
  # the joins pace themselves: the managers sign every joining node's
  # certificate on the CPUs the joiners need, so dozens at once starve
  # them. Two at first, one more after each join that went well, at most
  # JOIN_PARALLEL; half as many, and a pause that doubles while it lasts,
  # after a join that met an unreachable or busy manager (join_trouble)
  local window=2 pause=1 hold=0 troubles=0 seen=0 rc=0 i node addr role
  [ "$window" -le "$JOIN_PARALLEL" ] || window=$JOIN_PARALLEL
  : >"$RUN_DIR/join-trouble"
  JOIN_PIDS=() JOIN_NODES=() JOIN_CLEAN=0
  for ((i = 0; i < ${#MANAGERS[@]} + ${#WORKERS[@]}; i++)); do
    if [ "$i" -lt "${#MANAGERS[@]}" ]; then
      node=${MANAGERS[$i]} addr=${MANAGER_ADDRS[$i]} role=manager
    else
      node=${WORKERS[$i - ${#MANAGERS[@]}]} addr=${WORKER_ADDRS[$i - ${#MANAGERS[@]}]} role=worker
    fi
    # (no job for a node that needs none: at 100 nodes, one a node costs seconds)
    if ! no_swarm_yet && joined "$node"; then continue; fi
    while :; do
      join_reap || rc=1
      troubles=$(($(wc -l <"$RUN_DIR/join-trouble")))
      if [ "$troubles" -gt "$seen" ]; then
        # half as many for each join that met trouble, however many came at once
        while [ "$seen" -lt "$troubles" ]; do seen=$((seen + 1)) window=$(((window + 1) / 2)); done
        hold=$((SECONDS + pause))
        say "joins: a manager is busy or unreachable; $window at a time, next in ${pause}s"
        [ "$pause" -ge 8 ] || pause=$((pause * 2))
      fi
      while [ "$JOIN_CLEAN" -gt 0 ]; do
        JOIN_CLEAN=$((JOIN_CLEAN - 1)) pause=1
        [ "$window" -ge "$JOIN_PARALLEL" ] || window=$((window + 1))
      done
      [ "${#JOIN_PIDS[@]}" -ge "$window" ] || [ "$SECONDS" -lt "$hold" ] || break
      sleep 0.2
    done
    join_one "$node" "$addr" "$role" &
    JOIN_PIDS+=("$!") JOIN_NODES+=("$node")
  done
  while [ "${#JOIN_PIDS[@]}" -gt 0 ]; do
    join_reap || rc=1
    [ "${#JOIN_PIDS[@]}" -eq 0 ] || sleep 0.2
  done
  [ "$rc" = 0 ] || return 1
  # a node made anew leaves a twin under its old ID: gone before a label
  # change names the node
  swarm_new || remove_stale
  # every node's labels, "NODE KEY=VALUE" lines, as the swarm is now (a
  # join dropped the snapshot: a node that joined again has none)
  HAVE_LABELS=""
  swarm_new || HAVE_LABELS=$(swarm_lines label)
  if ! swarm_new && [ -s "$RUN_DIR/restarted" ]; then
    # (before the spec's labels change any: it reads the snapshot just read)
    # shellcheck disable=SC2046 # node names, one word each
    forget_faults $(cat "$RUN_DIR/restarted")
  fi
  each NODE_LABELS node_labels
}

# forget_faults NODE...: drops the record of the network faults swarmgen
# net made on each NODE (its labels) whose container started again, or
# anew, this run: the rules lived in the container's network namespace and
# went with it, and the record would say they are in force.
forget_faults() {
  local node labels args
  [ "$#" -gt 0 ] || return 0
  labels=$'\n'$(swarm_lines label)
  for node in "$@"; do
    args=()
    case "$labels" in *$'\n'"$node $LABEL_NET_CUT="*) args+=(--label-rm "$LABEL_NET_CUT") ;; esac
    case "$labels" in *$'\n'"$node $LABEL_NET_DELAY="*) args+=(--label-rm "$LABEL_NET_DELAY") ;; esac
    [ "${#args[@]}" -gt 0 ] || continue
    act - label "$node" "the network faults swarmgen net recorded (its container restarted without them)" \
      on "$LEADER" node update ${args[@]+"${args[@]}"} "$node" >/dev/null
    say "node $node: its network faults went with its restart"
  done
}

# join_reap: waits for the joins in JOIN_PIDS (of the nodes in
# JOIN_NODES) that have ended (bash 3.2 has no wait -n) and keeps those
# still running; JOIN_CLEAN counts those that ended well with no trouble
# on the way (join_trouble). Fails when one of them failed.
join_reap() {
  local i pids=() nodes=() rc=0
  for ((i = 0; i < ${#JOIN_PIDS[@]}; i++)); do
    if kill -0 "${JOIN_PIDS[$i]}" 2>/dev/null; then
      pids+=("${JOIN_PIDS[$i]}") nodes+=("${JOIN_NODES[$i]}")
    elif ! wait "${JOIN_PIDS[$i]}"; then
      rc=1
    elif ! grep -qxF -e "${JOIN_NODES[$i]}" "$RUN_DIR/join-trouble"; then
      JOIN_CLEAN=$((JOIN_CLEAN + 1))
    fi
  done
  JOIN_PIDS=(${pids[@]+"${pids[@]}"}) JOIN_NODES=(${nodes[@]+"${nodes[@]}"})
  return "$rc"
}

# node_labels NODE KEYS KEY=VALUE...: gives the node the spec's labels and
# removes those swarmgen set before (listed in its $LABEL_LABELS
# label) that the spec no longer has. Labels set by hand are left alone.
node_labels() {
  local node=$1 keys=$2 have managed kv key old args=()
  shift 2
  # no label in the spec, none set before, no bridge to mark: nothing to
  # do, found without a process (it runs for every node)
  if [ $# -eq 0 ] && [ -z "$keys" ] && [ ! -e "$RUN_DIR/gwbridge-$node" ]; then
    case $'\n'"$HAVE_LABELS" in *$'\n'"$node $LABEL_LABELS="*) ;; *) return 0 ;; esac
  fi
  # the docker_gwbridge its join made (the machines step marks it) goes
  # with the lab (down)
  [ ! -e "$RUN_DIR/gwbridge-$node" ] || set -- "$@" "$LABEL_GWBRIDGE=made"
  have=$(printf '%s\n' "$HAVE_LABELS" | awk -v n="$node" '$1 == n { sub(/^[^ ]* /, ""); print }')
  managed=$(printf '%s\n' "$have" | awk -v k="$LABEL_LABELS=" 'index($0, k) == 1 { print substr($0, length(k) + 1) }')
  for kv in "$@"; do
    if ! has_line "$have" "$kv"; then
      args+=(--label-add "$kv")
      key=${kv%%=*}
      old=$(printf '%s\n' "$have" | awk -v k="$key=" '!found && index($0, k) == 1 { print "=" substr($0, length(k) + 1); found = 1 }')
      if [ -n "$old" ]; then # "=VALUE": the node has the key with another value
        act '~' label "$node" "$key=${old#=} -> ${kv#*=}" true
      elif [ "${key#"$OWN_PREFIX"}" != "$key" ]; then
        : # swarmgen's own bookkeeping: part of the node's change
      else
        act + label "$node" "$kv" true
      fi
      say "label $kv on $node"
    fi
  done
  for key in ${managed//,/ }; do
    case ",$keys," in
      *",$key,"*) ;;
      *)
        args+=(--label-rm "$key")
        act - label "$node" "$key" true
        say "label $key removed from $node"
        ;;
    esac
  done
  if [ "$managed" != "$keys" ]; then
    if [ -n "$keys" ]; then args+=(--label-add "$LABEL_LABELS=$keys"); else args+=(--label-rm "$LABEL_LABELS"); fi
  fi
  if [ "${#args[@]}" -gt 0 ]; then
    act . label "$node" "" on "$LEADER" node update ${args[@]+"${args[@]}"} "$node" >/dev/null
  fi
}
