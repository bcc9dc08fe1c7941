
# --- provider containers: every node a Docker-in-Docker container of this
# host's engine, made by compose, reached by docker exec ---
provider_containers() {
  host_env() { forget_lab_env; }

  host_check() { containers_host_check; }

  start_nodes() {
    start_read
    start_contexts
    step preflight preflight
    start_push
    if [ -n "$API_CONTEXT" ]; then
      step certificates certificates
    fi
    step nodes-up nodes_up
  }

  # on NODE ARGS...: docker exec runs the node's own docker CLI.
  on() { local node=$1; shift; trace docker exec "$node" docker "$@"; }

  on_stdin() { local node=$1; shift; trace docker exec -i "$node" docker "$@"; }

  # on_sh: sh -c SCRIPT in the node, where docker is its engine's (a batch
  # of reads in one exec); -e VAR passes the variable VAR of this script's
  # environment.
  on_sh() {
    local node=$1 t="" opts=()
    shift
    while [ "$#" -gt 0 ]; do
      case "$1" in
        -t) t=trace; shift ;;
        -e) opts+=(-e "$2"); shift 2 ;;
        *) break ;;
      esac
    done
    $t docker exec ${opts[@]+"${opts[@]}"} "$node" sh -c "$@"
  }

  # lab_stopped: a manager has a container, none runs.
  lab_stopped() {
    local have m
    have=" $(docker ps -a --format "$FORMAT_CONTAINER_NAME" | tr '\n' ' ')"
    for m in "${MANAGERS[@]}"; do
      case "$have" in *" $m "*) return 0 ;; esac
    done
    return 1
  }

  swarm_made() { :; }

  remove_gone() {
    case "$2" in
      manager) act - node "$1" "manager: drain, demote, leave the swarm, remove its container and volume" remove_node "$1" manager ;;
      *) act - node "$1" "worker: drain, leave the swarm, remove its container and volume" remove_node "$1" worker ;;
    esac
  }

  # remove_leftovers NODE...: the containers and volumes of removed nodes,
  # and of nodes the spec no longer has that are in no swarm (compose's
  # orphans)
  remove_leftovers() {
    local node removed=""
    [ "$#" -eq 0 ] || removed=1
    for node in $(lab_containers | awk '{ print $1 }'); do
      case " ${NODES[*]} $REGISTRY " in
        *" $node "*) ;;
        *)
          case " $* " in
            *" ${node#"$CONTAINER_PREFIX"} "*) ;;
            *) act - node "${node#"$CONTAINER_PREFIX"}" "remove its container and volume" true ;;
          esac
          removed=1
          ;;
      esac
    done
    if [ -n "$removed" ]; then
      act . node - "" remove_orphans
    fi
  }

  registry_ready() { :; }
  wait_registry() { http_wait_registry; }
  registry_running() {
    [ "$(docker inspect --format "$FORMAT_CONTAINER_RUNNING" "$REGISTRY" 2>/dev/null || true)" = true ] ||
      fail "the lab registry ($REGISTRY) is not running; start the lab with swarmgen up"
  }
  push_ref() { http_push_ref "$@"; }
  in_registry() { http_in_registry "$@"; }

  docker_context() { containers_docker_context; }

  # the node containers nodes-up left for the rollout step
  node_changes() { cat "$RUN_DIR/rollout" 2>/dev/null || true; }
  recreate_node() { compose up -d --no-deps "$2" >/dev/null 2>&1; }
  # every container is now the one compose makes: nodes-up's record
  rollout_done() { record_containers "$(containers_record)"; }

  lab_down() { fail "a lab of containers is removed by teardown.sh (swarmgen down)"; }
}

# containers_host_check: the host ports the lab publishes (TCP, or UDP:
# "53/udp" in HOST_PORTS) are free (or the lab's own), and the kernel has
# IPVS when the lab uses the routing mesh.
containers_host_check() {
  local port proto owner published
  # every container of the host, read once: the ports here, the lab's own
  # for nodes-up's first record (read_containers)
  docker ps -a --format "$FORMAT_CONTAINER_HOST" >"$RUN_DIR/host-containers" 2>/dev/null ||
    fail "the Docker engine does not answer ('docker ps' fails); start Docker and run again"
  if [ "$PLAN" = 1 ]; then
    return # the host's ports and kernel are up's to check: a plan only reads the lab
  fi
  # "NAME PORTS" of the running (and paused) containers
  published=$(awk '$4 == "running" || $4 == "paused" { print $2, substr($0, length($1 $2 $3 $4) + 5) }' "$RUN_DIR/host-containers")
  # where the engine runs is said on the up that makes the lab: a registry
  # running from an earlier run means it was said (one docker info less)
  case "$published" in
    "$REGISTRY "* | *$'\n'"$REGISTRY "*) ;;
    *) host_vm_note "$(host_kind)" ;;
  esac
  for port in ${HOST_PORTS[@]+"${HOST_PORTS[@]}"}; do
    proto=tcp
    case "$port" in */udp) proto=udp port=${port%/udp} ;; esac
    # "NAME 0.0.0.0:53->53/udp, :::8080->80/tcp": a mapping of this port and protocol
    owner=$(printf '%s\n' "$published" | awk -v p=":$port->" -v q="/$proto" '!found {
      n = split($0, m, ", ")
      for (i = 1; i <= n; i++) if (index(m[i], p) && substr(m[i], length(m[i]) - length(q) + 1) == q) { print $1; found = 1; break }
    }')
    if [ -n "$owner" ]; then
      case " ${NODES[*]} $REGISTRY " in
        *" $owner "*) continue ;; # ours, from an earlier run
      esac
      fail "host port $port/$proto is already published by container $owner; stop it or change the port in $SPEC_FILE"
    fi
    if port_in_use "$port" "$proto"; then
      fail "host port $port/$proto is already in use$(port_user "$port" "$proto"); free it or change the port in $SPEC_FILE (on macOS, AirPlay Receiver often holds 5000)"
    fi
  done
  if [ "$ROUTING_MESH" = true ] && ! has_ipvs; then
    fail "this kernel has no IPVS, so the swarm routing mesh cannot work; set 'routing_mesh: false' in $MESH_WHERE and run swarmgen render again"
  fi
  neighbour_check
}

neighbour_limit() { cat /proc/sys/net/ipv4/neigh/default/gc_thresh3 2>/dev/null; }

# neighbour_check: the kernel's neighbour (ARP) table can hold the lab's.
# Its limit is one for the whole kernel, every network namespace counted:
# each node's engine gossips with every other node (and reaches the
# registry and its gateway), so N nodes need about N*(N+1) entries. Past
# gc_thresh3 (1024 by default: about 31 nodes) the kernel cannot resolve
# a new neighbour, and joins fail with "no route to host" to the
# manager's 2377, or "context deadline exceeded".
neighbour_check() {
  local n=${#NODES[@]} max need want
  # a remote engine's kernel is not this host's (Docker Desktop's VM has
  # its own, and large limits)
  case "${DOCKER_HOST:-unix://}" in unix://*) ;; *) return 0 ;; esac
  max=$(neighbour_limit) || return 0
  need=$((n * (n + 1)))
  [ "$need" -gt "$max" ] || return 0
  want=$(((need * 2 + 1023) / 1024 * 1024)) # twice the need: other labs and containers count too
  local fix="sudo sysctl -w net.ipv4.neigh.default.gc_thresh1=$((want / 4)) net.ipv4.neigh.default.gc_thresh2=$((want / 2)) net.ipv4.neigh.default.gc_thresh3=$want"
  if [ "${SWARMGEN_FORCE:-}" = 1 ]; then
    say "warning: the kernel's neighbour table holds $max entries, the lab's $n nodes need about $need; joins may fail with 'no route to host'. Raise it: $fix"
    return 0
  fi
  fail "this lab's $n nodes need about $need entries in the kernel's neighbour (ARP) table, and it holds at most $max (net.ipv4.neigh.default.gc_thresh3, one limit for every container on this host): past it, joins fail with 'no route to host'. Raise it (until the next boot; a file in /etc/sysctl.d keeps it): $fix   (or SWARMGEN_FORCE=1 to try anyway)"
}

# port_in_use PORT PROTO: a socket of this host listens on PORT (tcp), or
# is bound to it (udp: no listening state).
# host_kind: where this host's Docker engine runs, from one docker info:
# docker-desktop, orbstack, colima, rancher-desktop (a Linux VM on a Mac or
# Windows host), linux, or unknown.
host_kind() {
  local info os name
  info=$(docker info --format "$FORMAT_HOST_KIND" 2>/dev/null) || {
    echo unknown
    return 0
  }
  os=${info%%|*}
  name=${info#*|}
  case "$os" in
    "Docker Desktop"*) echo docker-desktop; return 0 ;;
    OrbStack*) echo orbstack; return 0 ;;
  esac
  case "$name" in
    colima | colima-*) echo colima ;;
    orbstack) echo orbstack ;;
    lima-rancher-desktop) echo rancher-desktop ;;
    *) echo linux ;;
  esac
}

# host_vm_note KIND: says once what differs when the engine runs in a VM.
host_vm_note() {
  case "$1" in
    linux | unknown) ;;
    *) say "note: Docker runs in a VM here ($1): privileged dind and cgroup v2 work there; the lab is reached only through the ports it publishes on the bind address; the lab directory must be in a path shared with the VM" ;;
  esac
}

port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    if [ "$2" = udp ]; then
      [ -n "$(ss -Hlun "sport = :$1" 2>/dev/null)" ]
    else
      [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
    fi
  elif command -v lsof >/dev/null 2>&1; then
    if [ "$2" = udp ]; then
      lsof -nP -iUDP:"$1" >/dev/null 2>&1
    else
      lsof -nP -iTCP:"$1" -sTCP:LISTEN >/dev/null 2>&1
    fi
  else
    return 1
  fi
}

port_user() {
  local who=""
  if command -v ss >/dev/null 2>&1; then
    local flags=-Hltnp
    [ "$2" != udp ] || flags=-Hlunp
    who=$(ss "$flags" "sport = :$1" 2>/dev/null | grep -o 'users:(("[^"]*"' | head -n 1 | cut -d'"' -f2)
  elif command -v lsof >/dev/null 2>&1; then
    if [ "$2" = udp ]; then
      who=$(lsof -nP -iUDP:"$1" 2>/dev/null | awk 'NR == 2 { print $1 }')
    else
      who=$(lsof -nP -iTCP:"$1" -sTCP:LISTEN 2>/dev/null | awk 'NR == 2 { print $1 }')
    fi
  fi
  if [ -n "$who" ]; then printf ' by %s' "$who"; fi
}

has_ipvs() {
  [ "$(uname -s)" != Linux ] && return 0 # Docker Desktop's VM has IPVS
  [ -e /proc/net/ip_vs ] && return 0
  grep -qs '/ip_vs\.ko' "/lib/modules/$(uname -r)/modules.builtin" "/lib/modules/$(uname -r)/modules.dep"
}

# --- nodes-up: compose up, unless the containers are the ones it left ---
# When the compose file changed, it decides which node containers compose
# would recreate (node_decision). A node of a swarm that has a leader is
# not recreated here: the rollout step recreates them one at a time; in a
# lab with no swarm yet they are recreated at once, with the rest.
nodes_up() {
  local have rolled=""
  have=$(containers_record)
  rm -f "$RUN_DIR/recreate"
  # the nodes whose container starts again this run (not paused: a paused
  # one keeps its network namespace): swarm-join forgets their faults
  printf '%s\n' "$have" | awk -v nodes=" ${NODES[*]} " -v p="$CONTAINER_PREFIX" '
    index(nodes, " " $1 " ") && $3 != "running" && $3 != "paused" { print substr($1, length(p) + 1) }' >"$RUN_DIR/restarted"
  # (a lab with no container yet, a record of one line, has nothing to recreate)
  local containers=""
  case $have in *$'\n'*) containers=1 ;; esac
  if [ "$have" != "$(cat "$COMPOSE_RECORD" 2>/dev/null)" ] && [ -n "$containers" ]; then
    node_decision "$have" >"$RUN_DIR/recreate"
    local changed # the swarm nodes among them, "NAME NAME "
    changed=$(awk -v r="$REGISTRY" -v p="$CONTAINER_PREFIX" '$1 != r { printf "%s ", substr($1, length(p) + 1) }' "$RUN_DIR/recreate")
    if [ -n "$changed" ] && [ -z "$(swarm_lines node)" ] && swarm_lines state | awk '$2 == "active" { f = 1 } END { exit !f }'; then
      # a swarm that names no leader now (an election, a lost quorum): its
      # changed nodes wait for one, to be recreated one at a time; compose
      # would recreate them all at once, every manager together
      wait_leader >/dev/null ||
        refuse "recreating node(s) ${changed}while the swarm names no leader (an election, or its quorum lost; waited $(leader_wait)s): with a leader they are recreated one at a time, without one all at once; see swarmgen status and run up again once it has one"
    fi
    if [ -s "$RUN_DIR/recreate" ] && [ -n "$(swarm_lines node)" ]; then
      rolled=1
      awk -v r="$REGISTRY" '$1 != r' "$RUN_DIR/recreate" >"$RUN_DIR/rollout"
      rollout_check
    fi
  fi
  if [ "$PLAN" = 1 ]; then
    plan_nodes "$have"
    if [ -z "$rolled" ]; then plan_recreate; else plan_recreate "$REGISTRY"; fi
    [ "$have" != "$(cat "$COMPOSE_RECORD" 2>/dev/null)" ] || touch "$RUN_DIR/containers-unchanged"
    keep_containers "$have"
    return
  fi
  if unpause_nodes "$have"; then have=$(containers_record); fi
  if [ "$have" = "$(cat "$COMPOSE_RECORD" 2>/dev/null)" ]; then
    # the containers the last compose up left, running, from the same
    # compose file: compose up would do nothing. Their engines answer
    # unless the first manager's does not (a host that has just started).
    touch "$RUN_DIR/containers-unchanged"
    if [ -n "$(swarm_lines state)" ]; then
      say "containers unchanged"
      keep_containers "$have"
      return
    fi
  elif [ -n "$rolled" ]; then
    rm -f "$COMPOSE_RECORD"
    # new and stopped nodes start; the changed ones wait for the rollout
    # step, the registry (no swarm node) is recreated now
    compose up -d --no-recreate
    if awk -v r="$REGISTRY" '$1 == r { f = 1 } END { exit !f }' "$RUN_DIR/recreate"; then
      act . node "${REGISTRY#"$CONTAINER_PREFIX"}" "" compose up -d --no-deps "$(awk -v r="$REGISTRY" '$1 == r { print $2 }' "$RUN_DIR/recreate")"
    fi
  else
    rm -f "$COMPOSE_RECORD"
    # no --remove-orphans: a node gone from the spec is drained first (remove-nodes)
    compose up -d
  fi
  local node pids=()
  for node in "${NODES[@]}"; do
    wait_engine "$node" & pids+=("$!")
  done
  wait_all ${pids[@]+"${pids[@]}"}
  forget_swarm # read before the engines answered
  fresh_snapshot
  have=$(containers_record)
  if [ ! -s "$RUN_DIR/rollout" ]; then record_containers "$have"; fi
  keep_containers "$have"
}

# record_containers RECORD: what nodes-up compares the next time (kept
# only once every container is the one compose would make: after a
# rollout, by the rollout step).
record_containers() {
  mkdir -p "${COMPOSE_RECORD%/*}"
  [ -e "${COMPOSE_RECORD%/*}/.gitignore" ] || printf '*\n' >"${COMPOSE_RECORD%/*}/.gitignore"
  printf '%s\n' "$1" >"$COMPOSE_RECORD"
}

# node_decision RECORD: "CONTAINER SERVICE REASON" of each container of the
# lab that compose up would recreate: its config hash (a label compose
# puts on it) is not the one compose computes from the file now, one
# compose call for all. The reason: the image (the container's against
# the file's), else the published ports (of a running container), else
# the definition.
node_decision() {
  local want
  want=$(compose config --hash '*' 2>/dev/null) || fail "docker compose config fails on $(compose_file) in $PWD; run swarmgen render again"
  {
    printf '%s\n' "$want" | sed 's/^/want /'
    docker ps -a --filter "label=com.docker.compose.project=${VOLUME_PREFIX%_}" --format "have $FORMAT_CONTAINER_CONFIG"
    printf '%s\n' "$1" | sed '1d; s/^/ports /'
  } | awk -v f="$(compose_file)" '
    # the file: each service'"'"'s image and published ports
    BEGIN {
      while ((getline line < f) > 0) {
        if (line ~ /^  [^ #][^ ]*:$/) { svc = line; gsub(/[ ":]/, "", svc); inports = 0; continue }
        if (line ~ /^    [a-z_]+:/) inports = (line ~ /^    ports:/)
        if (line ~ /^    image: /) { im = line; sub(/^    image: /, "", im); gsub(/"/, "", im); image[svc] = im }
        if (inports && line ~ /^      - /) {
          p = line; sub(/^      - /, "", p); sub(/ *#.*/, "", p); gsub(/"/, "", p)
          # IP:HOST:TARGET/PROTO as docker ps shows it: IP:HOST->TARGET/PROTO
          n = split(p, a, ":"); key = a[1] ":" (a[2] == "" ? "*" : a[2]) "->" a[3]
          if (n == 2) key = "0.0.0.0:" a[1] "->" a[2]
          if (key !~ /\//) key = key "/tcp"
          fileports[svc] = fileports[svc] " " key
        }
      }
    }
    $1 == "want" { hash[$2] = $3; next }
    $1 == "ports" {
      ps = ""; for (i = 5; i <= NF; i++) { q = $i; sub(/,$/, "", q); if (q !~ /^(:::|\[::\])/) ps = ps " " q }
      running[$2] = ($4 == "running"); cports[$2] = ps; next
    }
    $1 == "have" { name[++n] = $2; service[$2] = $3; has[$2] = $4; img[$2] = $5 }
    END {
      for (i = 1; i <= n; i++) {
        c = name[i]; s = service[c]
        if (!(s in hash) || hash[s] == has[c]) continue
        why = "its definition in docker-compose.yml changed"
        if (s in image && image[s] != img[c]) why = "image " img[c] " -> " image[s]
        else if (running[c] && !sameports(fileports[s], cports[c])) why = "ports"
        print c, s, why
      }
    }
    function sameports(want, have,   w, h, i, nw, nh, k, m) {
      nw = split(want, w, " "); nh = split(have, h, " ")
      if (nw != nh) return 0
      for (i = 1; i <= nh; i++) m[h[i]] = 1
      for (i = 1; i <= nw; i++) {
        k = w[i]
        if (k ~ /:\*->/) {
          found = 0
          for (x in m) { y = x; sub(/:[0-9]+->/, ":*->", y); if (y == k) found = 1 }
          if (!found) return 0
        } else if (!(k in m)) return 0
      }
      return 1
    }'
}

# plan_recreate [CONTAINER]: in plan mode, the node containers (or only
# CONTAINER) compose would recreate at once: in a lab with no swarm to
# keep, or the registry.
plan_recreate() {
  local c s why
  [ -s "$RUN_DIR/recreate" ] || return 0
  while read -r c s why; do
    [ -n "$c" ] || continue
    [ -z "${1:-}" ] || [ "$c" = "$1" ] || continue
    act '~' node "${c#"$CONTAINER_PREFIX"}" "recreate ($why)" true
  done <"$RUN_DIR/recreate"
}

# containers_record: the compose file's checksum and the lab's containers
# (name, ID, state, published ports), as nodes-up records them after
# compose up and compares them before the next one.
containers_record() {
  cksum <"$(compose_file)" 2>/dev/null || echo "no compose file"
  read_containers | LC_ALL=C sort
}

# read_containers: "NAME ID STATE PORTS" of each of the lab's containers,
# as docker has them now: the first time, from the host check's read of
# every container (nothing changes a container between the two), then
# from docker.
read_containers() {
  if [ -e "$RUN_DIR/host-containers" ]; then
    awk -v p="${VOLUME_PREFIX%_}" '$1 == p { print substr($0, length($1) + 2) }' "$RUN_DIR/host-containers"
    rm -f "$RUN_DIR/host-containers"
    return
  fi
  docker ps -a --filter "label=com.docker.compose.project=${VOLUME_PREFIX%_}" --format "$FORMAT_CONTAINER_RECORD"
}

# keep_containers RECORD: the steps after nodes-up read the lab's
# containers from RECORD (lab_containers), not from docker again.
keep_containers() {
  case $1 in
    *$'\n'*) printf '%s\n' "${1#*$'\n'}" ;;
  esac >"$RUN_DIR/containers"
}

# lab_containers: the lab's containers as nodes-up left them, else
# (nothing kept, or a change since: see forget_swarm) read now.
lab_containers() {
  if [ -e "$RUN_DIR/containers" ]; then
    cat "$RUN_DIR/containers"
  else
    read_containers
  fi
}

# plan_nodes RECORD: in plan mode, the node containers that compose would
# start (a node with no container yet is listed by the join step).
plan_nodes() {
  local node state
  # one awk for all (a process a node costs seconds at 100 nodes)
  while read -r node state; do
    case "$state" in
      running | "") ;;
      paused) act '~' node "${node#"$CONTAINER_PREFIX"}" "unpause its container" true ;;
      *) act '~' node "${node#"$CONTAINER_PREFIX"}" "start its container ($state)" true ;;
    esac
  done <<NODES
$(printf '%s\n' "$1" | awk -v nodes=" ${NODES[*]} " 'index(nodes, " " $1 " ") && !seen[$1]++ { print $1, $3 }')
NODES
}

# unpause_nodes RECORD: compose up refuses to start a paused container
# ("cannot start a paused container"), e.g. a node paused by swarmgen node
# pause: the lab's paused containers are unpaused first. Fails when none is.
unpause_nodes() {
  local c
  for c in $(printf '%s\n' "$1" | awk '$3 == "paused" { print $1 }'); do
    act . node "${c#"$CONTAINER_PREFIX"}" "" trace docker unpause -- "$c" >/dev/null
    say "$c unpaused"
  done
  [ -n "${c:-}" ]
}

# wait_engine NODE: waits until the node's own engine answers. A node
# container that has stopped (say, an image whose entrypoint refuses its
# arguments) is reported at once with its log, not after the whole wait.
# The node asks its engine itself, every 0.1 s for 5 s an exec: an exec
# costs far more than the ask, and an exec a tick for each starting node
# slows down the very engines being waited for. It asks once the engine's
# socket is there (dockerd makes it as it starts and answers on it when
# ready): a docker CLI costs a tenth of a CPU-second on a small machine,
# the test of the socket nothing, and dozens of nodes start at once. What
# the engine answers is its swarm membership, as the swarm read's state
# line, in $RUN_DIR/engine-NODE (fresh_snapshot).
wait_engine() {
  local node=$1 deadline=$((SECONDS + WAIT)) state
  until on_sh "$1" 'i=0; until [ -S "$3" ] && s=$(docker info --format "$2" 2>/dev/null); do i=$((i + 1)); [ "$i" -lt 50 ] || exit 1; sleep 0.1; done
    printf "%s\n" "$s"' sh "$1" "state $1 $Q_SWARM_MEMBERSHIP" "$ENGINE_SOCKET" >"$RUN_DIR/engine-$1" 2>/dev/null; do
    state=$(docker inspect --format "$FORMAT_CONTAINER_STATUS" "$node" 2>/dev/null || true)
    case "$state" in
      exited | dead)
        printf 'error: node %s stopped (%s) before its Docker engine answered; its last log lines:\n' "$node" "$state" >&2
        docker logs --tail 20 "$node" >&2 2>&1 || true
        return 1
        ;;
    esac
    if [ "$SECONDS" -ge "$deadline" ]; then
      printf 'error: the Docker engine in node %s did not answer within %ss; its last log lines:\n' "$node" "$WAIT" >&2
      docker logs --tail 20 "$node" >&2 2>&1 || true
      return 1
    fi
    sleep 0.2
  done
}

# fresh_snapshot: when every manager's engine answered wait_engine that
# it is in no swarm, the snapshot is their state lines: what the swarm read
# would find, without its exec (a cold up's). An engine that holds a swarm
# answers pending or active from its first answer on (dockerd serves its
# API once the swarm it holds has started), so an inactive one has none.
fresh_snapshot() {
  local m line="" lines=""
  for m in "${MANAGERS[@]}"; do
    { IFS= read -r line || [ -n "$line" ]; } <"$RUN_DIR/engine-$m" 2>/dev/null || return 0
    case $line in
      "state $m inactive"*) lines+=$line$'\n' ;;
      *) return 0 ;;
    esac
  done
  printf '%s\n' "$lines" >"$RUN_DIR/swarm"
}

# certificates: the CA, server and client certificates of the Docker
# endpoint, made once (again if they are missing or the names the host
# dials changed). They stay in $TLS_DIR (0700, keys 0600, ignored by git);
# the CA's key is thrown away: nothing else is ever signed with it.
certificates() {
  if [ -s "$TLS_DIR/server/key.pem" ] && [ -s "$TLS_DIR/client/key.pem" ] &&
    [ "$(cat "$TLS_DIR/sans" 2>/dev/null)" = "$TLS_SANS" ]; then
    return
  fi
  act + certificate "$TLS_DIR" "a CA, and server and client certificates for the managers' TLS port" make_certificates
  say "certificates made in $TLS_DIR"
  # a manager already running serves other certificates: it restarts to
  # read these, one at a time so the swarm keeps its quorum
  local m
  for m in "${MANAGERS[@]}"; do
    if [ "$(docker inspect --format "$FORMAT_CONTAINER_RUNNING" "$m" 2>/dev/null)" = true ]; then
      act '~' node "${m#"$CONTAINER_PREFIX"}" "restart: new endpoint certificates" docker restart "$m" >/dev/null
      [ "$PLAN" = 1 ] || wait_engine "$m"
    fi
  done
}

# containers_docker_context: the host's docker context $API_CONTEXT points at a
# running manager's published TLS port with the lab's client certificate.
# It is left alone while it names a running manager and the current
# certificate; else it is pointed at the leader (docker picks a new host
# port when a container is re-created).
containers_docker_context() {
  local ports have want desc
  if no_swarm_yet; then
    act + context "$API_CONTEXT" "tcp://$API_HOST:(a port docker picks) -> the leading manager" true
    return
  fi
  # "CONTAINER HOSTPORT" of every running manager
  ports=$(lab_containers | awk -v p="->$API_PORT/tcp" -v m=" ${MANAGERS[*]} " '$3 == "running" && index(m, " " $1 " ") {
    for (i = 4; i <= NF; i++) if (index($i, p)) { split($i, a, "->"); n = split(a[1], b, ":"); print $1, b[n]; break } }')
  # the description records which certificate the context holds a copy of
  desc="swarmgen lab, certificate $(cksum_of "$TLS_DIR/client/cert.pem")"
  have=$(context_have)
  if printf '%s\n' "$ports" | awk -v h="$API_HOST" -v have="$have" -v d="$desc" '"tcp://" h ":" $2 " " d == have { found = 1 } END { exit !found }'; then
    say "docker context $API_CONTEXT unchanged (${have%% *})"
    return
  fi
  want=$(printf '%s\n' "$ports" | awk -v l="$LEADER" -v h="$API_HOST" '$1 == l { print "tcp://" h ":" $2; exit }')
  if [ -z "$want" ]; then
    if [ "$PLAN" = 1 ]; then
      act + context "$API_CONTEXT" "tcp://$API_HOST:(a port docker picks) -> $LEADER" true
      return
    fi
    fail "manager $LEADER publishes no host port for $API_PORT/tcp; was its container made before docker_endpoint? re-create it with 'docker compose up -d --force-recreate ${LEADER#"$CONTAINER_PREFIX"}' in $PWD, then run this again"
  fi
  local tls line fields=()
  tls=$(tls_fields "$TLS_DIR/client")
  while IFS= read -r line; do fields+=("$line"); done <<<"$tls"
  context_put "$have" "$want" "$desc" "$LEADER" "host=$want" ${fields[@]+"${fields[@]}"}
}

# remove_orphans: the containers and volumes of nodes the spec no longer has.
remove_orphans() {
  local out volume node
  out=$(compose up -d --remove-orphans 2>&1) || { printf '%s\n' "$out" >&2; return 1; }
  for volume in $(docker volume ls -q --filter "label=$LABEL_LAB=${VOLUME_PREFIX%_}"); do
    case "$volume" in
      "$VOLUME_PREFIX"*-docker) node=${volume#"$VOLUME_PREFIX"}; node=${node%-docker} ;;
      *) continue ;;
    esac
    case "$KEEP_NODES" in *" $node "*) continue ;; esac
    docker volume rm "$volume" >/dev/null && say "volume $volume removed"
  done
}
