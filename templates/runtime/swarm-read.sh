# --- the swarm, read once ---
# Every step reads the swarm from one snapshot: what a manager's engine
# holds, read with a single exec (its docker commands run at once inside
# the node) and kept in $RUN_DIR/swarm until act changes the swarm, which
# drops it so the next step reads it again. An exec costs far more than
# the commands it runs, so an unchanged lab is read once. Its lines:
#   state CONTAINER STATE NODEID [CLUSTERID]  each manager asked (its own
#                                   node row, else docker info's)
#   from CONTAINER                  the manager the lines below come from
#   node ID HOSTNAME STATUS [MANAGERSTATUS]
#   label HOSTNAME KEY=VALUE        every label of every node
#   network NAME [true]             overlay networks; true: the lab made it
#   noderow ID[ *]<TAB>HOSTNAME<TAB>...  docker node ls's row (summary)
#   stack NAME                      deployed stacks (of the services' labels,
#                                   as docker stack ls finds them)
#   record NAME HASH                the stack files the lab deployed (deploy.sh)
#   service NAME REPLICAS           every service
#   servicerow ID<TAB>NAME<TAB>...  docker service ls's row (summary)
#   hash NAME HASH                  the standalone services the lab made
#   spec NAME<TAB>MODE<TAB>IMAGE<TAB>PORTS<TAB>ENV<TAB>LABELS  every service as it runs
#   secret NAME [SECRET SALT]       secret versions the lab made

# read_swarm MANAGER: the lines above, of one manager's engine, in one
# on_sh (one exec for a container, one sh for a machine). Commands that
# need a manager print nothing on an engine that is in no swarm. Each
# docker command costs a CLI start (~80 ms of CPU in a node, most of an
# unchanged lab's plan): one listing prints two lines an item, the
# services' inspect gives stacks and hashes, and docker info is asked only
# of an engine that lists no nodes, so a manager's read runs six. A
# manager of a swarm whose reads failed gives its state line and
# "incomplete", never a partial swarm.
read_swarm() { on_sh "$1" "$(read_script)" sh "$1" 2>/dev/null; }

# read_script: read_swarm's sh text; its $1 names the manager asked (the
# wait for convergence runs it too, in its own exec).
read_script() {
  printf '%s' '
    t=$(mktemp -d)
    f="$t/failed"
    { if docker node ls --format "node '"$Q_NODE_LINE"'\nnoderow '"$Q_NODE_ROW"'" >"$t/1" &&
        self=$(sed -n "s/^noderow \([^ ]*\) \*.*/\1/p" "$t/1") && [ -n "$self" ]; then
        # a manager that lists the nodes, itself among them, is an active
        # one: its state line from its own row, with no docker info (the
        # cluster ID is swarm-join'"'"'s to ask, with the tokens)
        echo "state $1 active $self" >"$t/0"
        : >"$t/manager"
        docker node inspect --format "'"$Q_NODE_LABELS"'" $(sed -n "s/^node \([^ ]*\) .*/\1/p" "$t/1") >"$t/2r" &&
          sed "/^\$/d; s/^/label /" "$t/2r" >"$t/2" || : >"$f"
      else
        # a worker, an engine in no swarm, a manager with no leader
        : >"$f"
        : >"$t/1"
        docker info --format "state $1 '"$Q_SWARM_MEMBERSHIP"'" >"$t/0"
        ! grep -q "^state [^ ]* active [^ ]* [^ ]" "$t/0" || : >"$t/manager"
      fi; } 2>/dev/null &
    docker network ls --filter driver=overlay --format "network '"$Q_NETWORK_LINE"'" >"$t/3" 2>/dev/null || : >"$f" &
    docker config ls --filter label='"$LABEL_STACK"' --format "record '"$Q_STACK_RECORD"'" >"$t/4" 2>/dev/null || : >"$f" &
    { docker service ls --format "service '"$Q_SERVICE_REPLICAS"'\nservicerow '"$Q_SERVICE_ROW"'" >"$t/5" &&
      names=$(sed -n "s/^service \([^ ]*\) .*/\1/p" "$t/5") &&
      if [ -n "$names" ]; then
        docker service inspect --format "'"$Q_SERVICE_OWNER$Q_SERVICE_SPEC"'" $names >"$t/6r" && sed "/^\$/d" "$t/6r" | sort -u >"$t/6"
      fi || : >"$f"; } 2>/dev/null &
    docker secret ls --filter label='"$LABEL_SECRET"' --format "secret '"$Q_SECRET_LINE"'" >"$t/7" 2>/dev/null || : >"$f" &
    wait
    rc=1
    if [ -s "$t/0" ]; then
      cat "$t/0"
      rc=0
      # a manager of a swarm whose reads failed (no quorum, an election
      # under way): what it did read is not the swarm, and a missing
      # service must never read as one to create
      if [ -e "$f" ] && [ -e "$t/manager" ]; then
        echo incomplete
      else
        echo "from $1"
        cat "$t"/[1-7] 2>/dev/null
      fi
    fi
    rm -rf "$t"
    exit "$rc"'
}

# leader_read OUT: is OUT a complete read_swarm of a manager that answers
# as the swarm's leader (its own row says Leader)? Only such a read is the
# swarm (read_snapshot, keep_read).
leader_read() {
  ! has_line "$1" incomplete || return 1
  local from
  from=$(printf '%s\n' "$1" | awk '$1 == "from" { print $2; exit }')
  [ -n "$from" ] && [ "$(printf '%s\n' "$1" | awk -v l="${from#"$CONTAINER_PREFIX"}" '$1 == "node" && $3 == l { print $5 }')" = Leader ]
}

# read_snapshot FILE: writes the snapshot to FILE: the read of the first
# manager in a swarm whose read names a leader, read again from that
# leader when it is another manager (membership is decided on the
# leader's own store, never on a manager that has just come back: its node
# list can lag). It is not always the first manager: after `swarmgen
# recover` it is the survivor. No leader (an election, every manager in no
# swarm or down): only the managers' state lines.
read_snapshot() {
  local m out lead j states="" chosen="" tmp
  for m in "${MANAGERS[@]}"; do
    out=$(read_swarm "$m") || continue
    states+=$(printf '%s\n' "$out" | awk '$1 == "state"')$'\n'
    ! has_line "$out" incomplete || continue
    lead=$(printf '%s\n' "$out" | awk '$1 == "node" && $5 == "Leader" { print $3; exit }')
    [ -n "$lead" ] || continue
    chosen=$out
    if [ "$CONTAINER_PREFIX$lead" != "$m" ]; then
      for j in "${MANAGERS[@]}"; do
        if [ "$j" = "$CONTAINER_PREFIX$lead" ]; then
          # the leader's own read, if it answers as the leader
          if out=$(read_swarm "$j") && leader_read "$out"; then
            chosen=$out
            states+=$(printf '%s\n' "$out" | awk '$1 == "state"')$'\n'
          fi
          break
        fi
      done
    fi
    break
  done
  tmp=$(mktemp "$1.XXXXXX")
  { printf '%s' "$states"; printf '%s\n' "$chosen" | awk '$1 != "state"'; } >"$tmp"
  mv -f "$tmp" "$1"
}

# swarm_snapshot: prints the snapshot, reading it when there is none.
swarm_snapshot() {
  if [ ! -e "$RUN_DIR/swarm" ] && [ -e "$RUN_DIR/early" ]; then
    # the early read (start_read): taken once, if nothing changed since
    # it began
    await_file "$RUN_DIR/early.done" "$READ_PID"
    if [ ! -e "$RUN_DIR/changed" ] && [ -e "$RUN_DIR/early.swarm" ]; then
      mv -f "$RUN_DIR/early.swarm" "$RUN_DIR/swarm" 2>/dev/null || true # (taken by a job beside this one)
    fi
    rm -f "$RUN_DIR/early"
  fi
  [ -e "$RUN_DIR/swarm" ] || read_snapshot "$RUN_DIR/swarm"
  cat "$RUN_DIR/swarm"
}

# swarm_lines KIND: the snapshot's KIND lines, without the word KIND.
# (Read in the shell: steps ask for lines many times.)
swarm_lines() {
  [ -e "$RUN_DIR/swarm" ] || swarm_snapshot >/dev/null
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      "$1") echo ;;
      "$1 "*) printf '%s\n' "${line#"$1 "}" ;;
    esac
  done <"$RUN_DIR/swarm"
}

# forget_swarm: the next read reads the swarm again (and the lab's
# containers: a change to a node may be to its container).
forget_swarm() {
  rm -f "$RUN_DIR/swarm" "$RUN_DIR/containers"
  : >"$RUN_DIR/changed"
}

# start_read: reads the swarm in the background from the start, beside
# the steps before swarm-init (an unchanged lab's read then costs them no
# wait). swarm_snapshot takes it only if nothing changed meanwhile: every
# change but an image's marks $RUN_DIR/changed.
READ_PID=
start_read() {
  : >"$RUN_DIR/early"
  (
    read_snapshot "$RUN_DIR/early.swarm" >/dev/null 2>&1 || true
    : >"$RUN_DIR/early.done"
  ) &
  READ_PID=$!
}
