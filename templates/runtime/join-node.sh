# joined NODE: nothing to do for NODE: the leader, or a node the leader
# lists once and Ready (its engine reports to this swarm now), when the
# containers are the ones of the last up (a node re-created a moment ago
# can still be listed Ready under its old ID). In bash alone: swarm_join
# asks it of every node before it starts a job.
joined() {
  [ "$1" != "$LEADER" ] || return 0
  [ -e "$RUN_DIR/containers-unchanged" ] || return 1
  case "$READY" in *" ${1#"$CONTAINER_PREFIX"} "*) return 0 ;; esac
  return 1
}

# join_one NODE ADDRESS ROLE: joins a node unless it is in the swarm. A
# node that holds state of a swarm this lab's leader does not know (say,
# after the lab's swarm was made anew) leaves it first, but only when the
# leader itself says so right before (leader_knows): a leave gives the node
# a new ID, and on a wrong read that is a duplicate node or a lost manager.
# The manager the script talks to never leaves.
#
# In a swarm this run made, up joins at once and asks the node where it
# belongs only when its engine refuses: an engine refuses a join while it
# is in a swarm or on its way into one, whatever its state (pending,
# error, locked), so nothing is joined twice, and a node in no swarm,
# nearly every node there, costs one exec, not two (at 100 nodes,
# seconds). Plan mode, and up in a swarm that was there, ask first.
join_one() {
  local node=$1 addr=$2 role=$3 name=${1#"$CONTAINER_PREFIX"} refusals=0
  if no_swarm_yet; then
    act + node "$name" "$role at $addr" true
    return
  fi
  ! joined "$node" || return 0
  JOIN_NOTE=""
  if [ "$PLAN" = 1 ] || ! swarm_new; then
    join_needed "$node" || return 0
  fi
  while :; do
    rm -f "$RUN_DIR/refused-$name"
    act + node "$name" "$role at $addr$JOIN_NOTE" join_swarm "$node" "$addr" "$role"
    [ -e "$RUN_DIR/refused-$name" ] || return 0
    # (its engine answers "inactive" once it has left: a refusal after
    # that twice over is an engine that contradicts itself)
    refusals=$((refusals + 1))
    [ "$refusals" -le 2 ] || fail "node $node refuses to join the swarm ('already part of a swarm') yet does not say it is in one; see swarmgen status"
    JOIN_NOTE=""
    join_needed "$node" || return 0
  done
}

# join_needed NODE: whether NODE, asked where it belongs, is to join (it
# is in no swarm, or it left one the leader does not know: JOIN_NOTE says
# so); not when it is in this swarm, or, in plan mode, a stopped member.
join_needed() {
  local node=$1 name=${1#"$CONTAINER_PREFIX"} state id cluster deadline=$((SECONDS + WAIT))
  while :; do
    state="" id="" cluster=""
    read -r state id cluster < <(on "$node" info --format "$FORMAT_SWARM_MEMBERSHIP" 2>/dev/null || true) || true
    if [ "$PLAN" = 1 ] && [ -z "$state" ] && stopped_member "$name"; then
      return 1 # started, its engine comes back as the node it was
    fi
    if [ "$state" = inactive ] || { [ "$PLAN" = 1 ] && [ -z "$state" ]; }; then
      return 0 # not in a swarm; in plan mode also a node with no running container
    fi
    if [ -n "$id" ]; then
      if has_line "$KNOWN_IDS" "$id"; then
        return 1 # in this swarm (it may still be reconnecting)
      fi
      if [ -n "$cluster" ] && [ "$cluster" = "$CLUSTER_ID" ]; then
        return 1 # a manager of this very cluster: the list read earlier lagged
      fi
      case "$(leader_knows "$id")" in
        yes) return 1 ;;
        no)
          JOIN_NOTE=" (after leaving a swarm this lab's leader does not know)"
          act . node "$name" "" leave_swarm "$node"
          return 0
          ;;
      esac
      # the leader could not say (an election, a busy engine): ask again
    fi
    # no ID: just restarted, its engine has not loaded its swarm state yet;
    # decide nothing on that (leaving would give it a new node ID)
    [ "$SECONDS" -lt "$deadline" ] || fail "node $node reports swarm state '$state' (node ID '$id') and the leader $LEADER cannot tell whether it is in the swarm after ${WAIT}s; nothing was changed on it; see swarmgen status"
    sleep 0.5
  done
}

# stopped_member NAME: the node's container is there, stopped (nodes-up
# lists it), and the swarm lists a node of that name: its volume keeps its
# swarm state, so a start needs no join.
stopped_member() {
  grep -qxF -e "$1" "$RUN_DIR/restarted" 2>/dev/null || return 1
  swarm_lines node | awk -v n="$1" '$2 == n { f = 1 } END { exit !f }'
}

# leave_swarm NODE: the node leaves the swarm it is in, whatever it is.
leave_swarm() {
  on "$1" swarm leave --force >/dev/null 2>&1 || true
  say "$1 left a swarm this lab's leader does not know"
}

# join_swarm NODE ADDRESS ROLE: joins the node to the leader's swarm. A
# join the CLI gave up waiting for is awaited. A manager that cannot be
# reached or answers too late (a busy host) is tried again until --wait
# ends, with a pause that grows; a join that ends in another error is left
# and tried again, three times at most. A node is joined again only when
# its own engine says it is not in a swarm (inactive) or left one that
# failed (error): never while its join may still go through (pending, or
# no answer), which would list it twice ("node X is ambiguous").
join_swarm() {
  local node=$1 addr=$2 token state out why id tries=1 pause=1 deadline=$((SECONDS + WAIT))
  case "$3" in
    manager) token=$MANAGER_TOKEN ;;
    *) token=$WORKER_TOKEN ;;
  esac
  if [ -z "$token" ]; then token=$(on "$LEADER" swarm join-token -q "$3"); fi
  # the token goes through the exec's environment, never on the host's
  # command line (which any user of the host can read while the join runs)
  until out=$(SWARMGEN_JOIN_TOKEN=$token on_sh "$node" -t -e SWARMGEN_JOIN_TOKEN 'exec docker swarm join --token "$SWARMGEN_JOIN_TOKEN" --advertise-addr "$1" "$2"' join "$addr" "$LEADER_ADDR:2377" 2>&1); do
    case "$out" in
      *"already part of a swarm"*)
        # its engine is in a swarm, or on its way into one: join_one asks it.
        # Said by a file, not a status: a status join_one tested would turn
        # off set -e in all this function runs (bash ignores it in anything
        # whose status is tested)
        : >"$RUN_DIR/refused-${node#"$CONTAINER_PREFIX"}"
        return 0
        ;;
      *"continue in the background"*) join_trouble "$node" "the join goes on in the background" ;;
      *) if join_transient "$out"; then join_trouble "$node" "$out"; else printf '%s\n' "$out" >&2; return 1; fi ;;
    esac
    # where the join got: it ends active, or in error. No answer from the
    # node's engine is neither: a join then could list it twice
    while state=$(swarm_state "$node"); [ "$state" = pending ] || [ -z "$state" ]; do
      [ "$SECONDS" -lt "$deadline" ] || fail "node $node did not join the swarm within ${WAIT}s: $out"
      sleep 0.5
    done
    [ "$state" != active ] || break
    why=$out
    if [ "$state" != inactive ]; then
      why=$(on "$node" info --format "$FORMAT_SWARM_ERROR" 2>&1 || true)
      # a join that failed after the managers signed the node's
      # certificate left an entry that never comes up: it goes with the
      # leave, or every try adds a node that stays Down
      id=""
      read -r _ id _ < <(on "$node" info --format "$FORMAT_SWARM_MEMBERSHIP" 2>/dev/null || true) || true
      on "$node" swarm leave --force >/dev/null 2>&1 || true
      if [ -n "$id" ]; then on "$LEADER" node rm --force "$id" >/dev/null 2>&1 || true; fi
      # a manager out of reach is no reason to give up before --wait ends
      if ! join_transient "$why"; then
        [ "$tries" -lt 3 ] || fail "node $node could not join the swarm in 3 tries: $why"
        tries=$((tries + 1))
      fi
    fi
    [ "$SECONDS" -lt "$deadline" ] || fail "node $node could not join the swarm within ${WAIT}s: $why"
    say "$node: join failed ($state), trying again in ${pause}s"
    sleep "$pause"
    [ "$pause" -ge 8 ] || pause=$((pause * 2))
  done
  say "$node joined as $3"
}

# join_transient TEXT: TEXT is the error of a join that met a manager it
# could not reach, or that answered too late; worth trying again.
join_transient() {
  case "$1" in
    *"no route to host"* | *"deadline exceeded"* | *"DeadlineExceeded"* | *"connection refused"* | \
      *"i/o timeout"* | *"code = Unavailable"* | *"connection reset"* | *"continue in the background"*) return 0 ;;
  esac
  return 1
}

# join_trouble NODE WHAT: tells swarm_join a join met a busy or unreachable
# manager, so that it starts fewer at once.
join_trouble() {
  echo "$1" >>"$RUN_DIR/join-trouble"
  say "$1: ${2##*: } (the managers are busy: fewer joins at once)"
}

# leader_knows ID: "yes" or "no" as the raft leader answers now from its
# own store, or "unsure" when the manager asked no longer leads or does not
# answer (an election, a busy engine). Only a "no" lets a node leave.
leader_knows() {
  on_sh "$LEADER" '
    [ "$(docker node inspect self --format "'"$Q_NODE_LEADER"'" 2>/dev/null)" = true ] || { echo unsure; exit 0; }
    if out=$(docker node inspect --format "'"$Q_NODE_ID"'" "$1" 2>&1); then echo yes
    else case "$out" in *"No such node"*) echo no ;; *) echo unsure ;; esac; fi' sh "$1" 2>/dev/null || echo unsure
}

# swarm_state NODE: the swarm state of NODE's engine (pending while it
# joins), nothing when it does not answer.
swarm_state() { on "$1" info --format "$FORMAT_SWARM_STATE" 2>/dev/null || true; }
