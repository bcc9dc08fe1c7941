swarm_join() {
  local pids=() i
  # for join_one, from the leader's read: the swarm's cluster ID, the node
  # IDs it knows, and the nodes it lists once and Ready
  CLUSTER_ID="" KNOWN_IDS="" READY=" "
  # (a swarm this run made has one node, its leader: asked with the tokens)
  if ! swarm_new; then
    local nodes
    nodes=$(swarm_lines node)
    CLUSTER_ID=$(swarm_lines state | awk -v l="$LEADER" '$1 == l { print $4 }')
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
    if swarm_new && [ "$lead_state" = active ]; then
      KNOWN_IDS=$lead_id CLUSTER_ID=$lead_cluster
    fi
  fi
  # at most JOIN_PARALLEL joins at a time: on a small host, dozens at
  # once starve the managers that sign the nodes' certificates
  case "$JOIN_PARALLEL" in
    '' | *[!0-9]* | 0) fail "SWARMGEN_JOIN_PARALLEL must be a whole number above 0, not '$JOIN_PARALLEL'" ;;
  esac
  local next=0 rc=0
  for ((i = 0; i < ${#MANAGERS[@]} + ${#WORKERS[@]}; i++)); do
    if [ "$i" -lt "${#MANAGERS[@]}" ]; then
      join_one "${MANAGERS[$i]}" "${MANAGER_ADDRS[$i]}" manager & pids+=("$!")
    else
      join_one "${WORKERS[$i - ${#MANAGERS[@]}]}" "${WORKER_ADDRS[$i - ${#MANAGERS[@]}]}" worker & pids+=("$!")
    fi
    if [ $((${#pids[@]} - next)) -ge "$JOIN_PARALLEL" ]; then
      wait "${pids[$next]}" || rc=1
      next=$((next + 1))
    fi
  done
  for ((; next < ${#pids[@]}; next++)); do wait "${pids[$next]}" || rc=1; done
  [ "$rc" = 0 ] || return 1
  # a node made anew leaves a twin under its old ID: gone before a label
  # change names the node
  swarm_new || remove_stale
  # every node's labels, "NODE KEY=VALUE" lines, as the swarm is now (a
  # join dropped the snapshot: a node that joined again has none)
  HAVE_LABELS=""
  swarm_new || HAVE_LABELS=$(swarm_lines label)
  each NODE_LABELS node_labels
}

# node_labels NODE KEYS KEY=VALUE...: gives the node the spec's labels and
# removes those swarmgen set before (listed in its $LABEL_LABELS
# label) that the spec no longer has. Labels set by hand are left alone.
node_labels() {
  local node=$1 keys=$2 have managed kv key old args=()
  shift 2
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
