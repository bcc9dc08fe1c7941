
# --- provider machines: every node an engine swarmgen reaches through its
# endpoint (tcp with TLS, ssh) or docker context, and only changes what it
# made there ---
provider_machines() {
  # a machine is not recreated: a node change is the machine's own
  node_changes() { :; }
  recreate_node() { fail "a machine is not recreated by swarmgen"; }
  rollout_done() { :; }
  host_env() { forget_lab_env; }

  # host_check: the machines step checks every machine's engine; this
  # host's engine only builds and saves the images to push
  host_check() { :; }

  start_nodes() {
    step preflight preflight
    # every machine is checked before anything changes on any of them
    step machines machines_up
    if [ -e "$RUN_DIR/refused" ]; then
      exit 0 # plan mode: the refusal is the plan
    fi
    start_push
  }

  # on NODE ARGS...: the docker CLI of this host, with the machine's
  # endpoint (machine_env).
  on() { local node=$1; shift; ( machine_env "$node"; trace docker "$@" ); }

  on_stdin() { on "$@"; }

  # on_sh: runs on this host, whose environment holds the -e variables
  # already.
  on_sh() {
    local node=$1 t=""
    shift
    while [ "$#" -gt 0 ]; do
      case "$1" in
        -t) t=trace; shift ;;
        -e) shift 2 ;;
        *) break ;;
      esac
    done
    ( machine_env "$node"; $t sh -c "$@" )
  }

  # lab_stopped: a machine that does not answer fails the machines step.
  lab_stopped() { return 1; }

  # swarm_made: at once: this label tells the lab's swarm from any other
  # on the machines
  swarm_made() {
    act . node "$LEADER" "" on "$LEADER" node update --label-add "$LABEL_LAB=$LAB" "$LEADER" >/dev/null
  }

  # remove_gone: a machine gone from the spec is out of swarmgen's reach:
  # it is drained and removed from the swarm; it still thinks it is in one
  # (docker swarm leave --force on it ends that)
  remove_gone() {
    case "$2" in
      manager) act - node "$1" "manager machine: drain, demote, remove from the swarm" remove_node "$1" manager ;;
      *) act - node "$1" "worker machine: drain, remove from the swarm" remove_node "$1" worker ;;
    esac
  }
  remove_leftovers() { :; }

  # the registry: a container on a machine (registry_up), or one the spec
  # gives the address of, which the pushes reach from this host
  registry_ready() { [ -z "$REGISTRY_MACHINE" ] || registry_up; }
  wait_registry() { :; }
  registry_running() {
    [ -n "$REGISTRY_MACHINE" ] || return 0
    [ "$(on "$REGISTRY_MACHINE" inspect --format "$FORMAT_CONTAINER_RUNNING" "$REGISTRY" 2>/dev/null || true)" = true ] ||
      fail "the lab registry ($REGISTRY on machine $REGISTRY_MACHINE) is not running; start the lab with swarmgen up"
  }
  if [ -n "$REGISTRY_MACHINE" ]; then
    push_ref() { machine_push_ref "$@"; }
    in_registry() { machine_in_registry "$@"; }
  else
    push_ref() { http_push_ref "$@"; }
    # an existing registry: over TLS first, as docker tries it
    in_registry() { REGISTRY_TLS=1 http_in_registry "$@"; }
  fi

  docker_context() { machines_docker_context; }
  lab_down() { machines_down; }
}

# machine_env NODE: sets the docker CLI's environment to reach the machine
# NODE, as the header's MACHINE_ENV says (callers run it in a subshell: it
# replaces the script's own).
machine_env() {
  unset DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_CONTEXT
  set -- "$1" ${MACHINE_ENV[@]+"${MACHINE_ENV[@]}"}
  local node=$1 n
  shift
  while [ "$#" -gt 0 ]; do
    n=$1
    if [ "$2" = "$node" ]; then
      shift 2
      while [ "$n" -gt 1 ]; do
        export "${1?}"
        shift
        n=$((n - 1))
      done
      return 0
    fi
    shift $((n + 1))
  done
  fail "$node is not a machine of $SPEC_FILE"
}

# machines_docker_context: the host's docker context $API_CONTEXT reaches
# the leading manager machine as machine_env does: its tcp endpoint with
# its TLS files, its ssh endpoint, or the endpoint of its docker context.
# Its description is the lab's record on this host (swarmgen list and
# --lab read it): the lab, that machine, and this directory, last.
machines_docker_context() {
  local host cert ctx desc tls line fields=()
  # one field a line: a path may hold spaces (Go refuses newlines)
  { IFS= read -r host && IFS= read -r cert && IFS= read -r ctx; } < <(machine_env "$LEADER"; printf '%s\n' "${DOCKER_HOST:--}" "${DOCKER_CERT_PATH:--}" "${DOCKER_CONTEXT:--}")
  desc="$MACHINES_RECORD $RECORD_LAB$LAB $RECORD_LEADER$LEADER"
  if [ "$ctx" != - ]; then
    host=$(docker context inspect --format "$FORMAT_CONTEXT_HOST" "$ctx") ||
      fail "the docker context $ctx of machine $LEADER ($SPEC_FILE) is not on this host; create it (docker context create $ctx --docker host=...)"
    desc+=" from=$ctx"
    fields=("from=$ctx")
  else
    fields=("host=$host")
    if [ "$cert" != - ]; then
      desc+=" certificate=$(cksum_of "$cert/cert.pem")"
      tls=$(tls_fields "$cert")
      while IFS= read -r line; do fields+=("$line"); done <<<"$tls"
    fi
  fi
  desc+=" $RECORD_FILES$(pwd)"
  context_put "$(context_have)" "$host" "$desc" "$LEADER" ${fields[@]+"${fields[@]}"}
}

# context_rm: down removes the host's docker context of the lab, and no other.
context_rm() {
  if [ -n "$(context_have)" ]; then
    act - context "$API_CONTEXT" "" docker context rm --force "$API_CONTEXT" >/dev/null
  fi
}

# machine_infos: "NODE NAME STATE NODE-ID CLUSTER-ID" of every machine, as
# its engine says (NAME is its hostname, by which the swarm names it;
# CLUSTER-ID only on a manager). A machine that does not answer fails
# unless $1 is "skip" (down: it says so and goes on).
machine_infos() {
  local node out
  for node in "${NODES[@]}"; do
    if ! out=$(on "$node" info --format "$FORMAT_MACHINE_INFO" 2>"$RUN_DIR/info.err"); then
      out=$(cat "$RUN_DIR/info.err")
      [ "${1:-}" = skip ] || fail "machine $node does not answer through its endpoint ($SPEC_FILE): $out"
      printf 'warning: machine %s does not answer; nothing is removed from it: %s\n' "$node" "$out" >&2
      continue
    fi
    printf '%s %s\n' "$node" "$out"
  done
}

# lab_manager INFOS: the manager machine of the lab's own swarm (its node
# carries the label $LABEL_LAB=$LAB), and that swarm's cluster ID; nothing
# when the lab has no swarm yet.
lab_manager() {
  local node name state id cluster
  while read -r node name state id cluster; do
    [ -n "$cluster" ] || continue
    if [ "$(on "$node" node inspect --format "$FORMAT_NODE_LAB" self 2>/dev/null || true)" = "$LAB" ]; then
      printf '%s %s\n' "$node" "$cluster"
      return
    fi
  done <<<"$1"
}

# foreign_machines INFOS LAB-MANAGER CLUSTER: "NODE STATE CLUSTER" of each
# machine in a swarm that is not the lab's (workers are told by their node
# ID, which the lab's swarm knows or not).
foreign_machines() {
  local node name state id cluster known=""
  [ -z "$2" ] || known=$(on "$2" node ls -q 2>/dev/null || true)
  while read -r node name state id cluster; do
    if [ -z "$node" ] || [ "$state" = inactive ]; then continue; fi
    if [ -n "$cluster" ]; then
      [ "$cluster" != "$3" ] || continue
    elif [ -n "$id" ] && has_line "$known" "$id"; then
      continue
    fi
    printf '%s %s %s\n' "$node" "$state" "${cluster:-?}"
  done <<<"$1"
}

# machines_up: every machine answers, under the name the spec gives it, and
# none is in a swarm other than the lab's unless the spec says to take it
# over: checked before anything changes on any machine.
machines_up() {
  local infos node name state id cluster lab="" foreign refused=""
  infos=$(machine_infos)
  while read -r node name state id cluster; do
    [ "$name" = "$node" ] || fail "machine $node calls itself $name (docker info's Name): the swarm names a node by its hostname, so name it $name in $SPEC_FILE"
  done <<<"$infos"
  lab=$(lab_manager "$infos")
  foreign=$(foreign_machines "$infos" "${lab% *}" "${lab#* }")
  while read -r node state cluster; do
    [ -n "$node" ] || continue
    if [ "$TAKE_OVER" = true ]; then
      act '~' node "$node" "leave the swarm it is in ($state, cluster $cluster): take_over_swarm" on "$node" swarm leave --force >/dev/null
      say "$node left the swarm it was in (take_over_swarm)"
    else
      refused+="${refused:+; }machine $node is in another swarm ($state, cluster $cluster)"
    fi
  done <<<"$foreign"
  if [ -n "$refused" ]; then
    if [ "$PLAN" = 1 ]; then
      printf '%s\t%s\trefused\t-\t%s; set take_over_swarm: true in %s to make it leave that swarm\n' "$PLAN_TAG" "$PLAN_REFUSED" "$refused" "$SPEC_FILE" >&3
      touch "$RUN_DIR/refused" # nothing else can be planned with such a machine
      return 0
    fi
    fail "$refused: swarmgen takes a machine from another swarm only when $SPEC_FILE says take_over_swarm: true; nothing was changed on any machine"
  fi
  # machines that have no docker_gwbridge yet: their swarm join makes one,
  # which down removes with the swarm
  while read -r node name state id cluster; do
    if [ "$state" = inactive ] && [ -z "$(on "$node" network ls -q --filter name=^docker_gwbridge$ 2>/dev/null)" ]; then
      touch "$RUN_DIR/gwbridge-$node"
    fi
  done <<<"$infos"
}

# --- the lab registry, a container on machine $REGISTRY_MACHINE ---
# It serves TLS with a certificate of the lab's own CA (made here, its key
# thrown away) and answers only a client that shows a certificate of that
# CA (http.tls.clientcas): its port is published on every interface of the
# machine, and anyone who reaches it could otherwise push the images the
# swarm runs. Every machine's engine trusts that CA for $REGISTRY_PULL and
# shows the lab's client certificate there, through
# $CERTS_DIR/$REGISTRY_PULL/{ca.crt,client.cert,client.key}, which it reads
# at each push and pull: no restart, no daemon configuration, no login.
# This host never talks to the registry (machine_push_ref).

# registry_up: the certificate, the registry container (again when its
# certificate changed) and the CA on every machine.
registry_up() {
  local new_ca="" want=new running hash loaded node pids=()
  if ! [ -s "$TLS_DIR/server/key.pem" ] || ! [ -s "$TLS_DIR/client/key.pem" ] ||
    [ "$(cat "$TLS_DIR/sans" 2>/dev/null)" != "$TLS_SANS" ]; then
    new_ca=1
    act + certificate "$TLS_DIR" "a CA, the lab registry's certificate for $REGISTRY_PULL and the machines' client certificate" make_certificates
  fi
  # the hash names the certificate and that clients must show one: a
  # registry made before it required them is made again
  [ ! -s "$TLS_DIR/server/cert.pem" ] || want=$(cksum <"$TLS_DIR/server/cert.pem" | awk '{ print $1 "-clientcas" }')
  read -r running hash loaded < <(on "$REGISTRY_MACHINE" inspect --format "$FORMAT_REGISTRY_STATE" "$REGISTRY" 2>/dev/null || true) || true
  case "$running $hash" in
    "true $want") say "registry $REGISTRY on $REGISTRY_MACHINE unchanged" ;;
    " ") act + registry "$REGISTRY" "on machine $REGISTRY_MACHINE, $REGISTRY_PULL with TLS and client certificates; its CA and the lab's client certificate in $CERTS_DIR/$REGISTRY_PULL of every machine" registry_create "$want" "$loaded" ;;
    *) act '~' registry "$REGISTRY" "on machine $REGISTRY_MACHINE: create it again (${running:-stopped}, certificate $hash -> $want)" registry_create "$want" "$loaded" ;;
  esac
  # a plan of a new CA has no file yet: every machine's certs.d changes
  mkdir -p "$RUN_DIR/certs.d/$REGISTRY_PULL"
  if [ -z "$new_ca" ] || [ "$PLAN" != 1 ]; then
    certs_d_files "$RUN_DIR/certs.d/$REGISTRY_PULL"
  fi
  for node in "${NODES[@]}"; do
    # a plan reads one machine after the other: its lines in spec order
    if [ "$PLAN" = 1 ]; then certs_d_put "$node"; else certs_d_put "$node" & pids+=("$!"); fi
  done
  wait_all ${pids[@]+"${pids[@]}"}
}

# registry_create HASH LOADED: (re)creates the registry container with the
# certificate of checksum HASH. Its image comes from this host when the
# machine lacks it (then LOADED, kept as a label: down removes it).
# http.tls.clientcas is set as a whole YAML list: the registry:2 images
# ignore an indexed variable (..._CLIENTCAS_0) and would ask for nothing.
registry_create() {
  local m=$REGISTRY_MACHINE loaded=$2 cid
  on "$m" rm -f "$REGISTRY" >/dev/null 2>&1 || true
  if ! on "$m" image inspect "$REGISTRY_IMAGE" >/dev/null 2>&1; then
    docker image inspect "$REGISTRY_IMAGE" >/dev/null 2>&1 ||
      fail "the registry image $REGISTRY_IMAGE is neither on machine $m nor on this host; pull it here (docker pull $REGISTRY_IMAGE) or set registry.image in $SPEC_FILE"
    docker save "$REGISTRY_IMAGE" | on "$m" load >/dev/null
    loaded=true
  fi
  on "$m" volume create --label "$LABEL_LAB=$LAB" "$REGISTRY_VOLUME" >/dev/null
  cid=$(on "$m" create --name "$REGISTRY" --label "$LABEL_LAB=$LAB" --label "$LABEL_ROLE=registry" \
    --label "$LABEL_HASH=$1" ${loaded:+--label "$LABEL_LOADED=$loaded"} --restart unless-stopped \
    --publish "$REGISTRY_PORT:5000" --volume "$REGISTRY_VOLUME:/var/lib/registry" \
    --env REGISTRY_HTTP_TLS_CERTIFICATE=/certs/cert.pem --env REGISTRY_HTTP_TLS_KEY=/certs/key.pem \
    --env 'REGISTRY_HTTP_TLS_CLIENTCAS=[/certs/ca.pem]' "$REGISTRY_IMAGE")
  on "$m" cp "$TLS_DIR/server/." "$cid:/certs" >/dev/null
  on "$m" start "$REGISTRY" >/dev/null
  say "registry $REGISTRY started on $m ($REGISTRY_PULL)"
}

# tool_image NODE: the image of the certs.d tool on NODE: no file but
# symlinks to the machine's own /usr (docker import of a tar made here:
# nothing to pull); tool_image_rm removes it.
tool_image() {
  if [ ! -s "$RUN_DIR/tool.tar" ]; then
    mkdir -p "$RUN_DIR/tool.$1"
    for d in bin lib lib64 sbin; do ln -sfn "usr/$d" "$RUN_DIR/tool.$1/$d"; done
    tar -C "$RUN_DIR/tool.$1" -cf "$RUN_DIR/tool.tar.$1" . && mv -f "$RUN_DIR/tool.tar.$1" "$RUN_DIR/tool.tar"
  fi
  on "$1" import --change "LABEL $LABEL_LAB=$LAB" - "$TOOL_IMAGE" <"$RUN_DIR/tool.tar" >/dev/null
}

tool_image_rm() { on "$1" image rm "$TOOL_IMAGE" >/dev/null 2>&1 || true; }

# certs_d_files DIR: what every machine's certs.d holds for the lab
# registry: its CA (ca.crt), and the lab's client certificate and key
# (client.cert, client.key: 0600, as in $TLS_DIR), which the registry asks
# for.
certs_d_files() {
  (
    umask 077
    cp "$TLS_DIR/server/ca.pem" "$1/ca.crt"
    cp "$TLS_DIR/client/cert.pem" "$1/client.cert"
    cp "$TLS_DIR/client/key.pem" "$1/client.key"
    chmod 600 "$1/client.key"
  )
}

# certs_d_put NODE: the lab CA and client certificate into NODE's
# $CERTS_DIR/$REGISTRY_PULL, unless its files are those already (a second
# up writes nothing).
certs_d_put() {
  local rc=0 want=$RUN_DIR/certs.d/$REGISTRY_PULL have=$RUN_DIR/have.$1 f same=1
  tool_image "$1"
  rm -rf "$have" && (umask 077 && mkdir "$have")
  if ! certs_d_read "$1" "$have"; then
    act + certificate "$1" "$CERTS_DIR/$REGISTRY_PULL: the lab registry's CA and client certificate" certs_d_write "$1" || rc=$?
  else
    for f in ca.crt client.cert client.key; do
      if ! [ -e "$want/$f" ] || ! cmp -s "$have/$REGISTRY_PULL/$f" "$want/$f"; then same=""; fi
    done
    if [ -z "$same" ]; then
      act '~' certificate "$1" "$CERTS_DIR/$REGISTRY_PULL: the lab registry's CA and client certificate instead of the files there" certs_d_write "$1" || rc=$?
    fi
  fi
  rm -rf "$have"
  tool_image_rm "$1"
  return "$rc"
}

# certs_d_write NODE: copies the CA and the client certificate into a
# container of the tool that is created, never started, and removed
# (docker cp into a bind mount writes the machine's own directory, made if
# missing, with the files' modes: the key stays 0600).
certs_d_write() {
  local cid rc=0
  cid=$(on "$1" create --label "$LABEL_LAB=$LAB" --volume "$CERTS_DIR:/certs.d" "$TOOL_IMAGE" /none) || return 1
  on "$1" cp "$RUN_DIR/certs.d/$REGISTRY_PULL" "$cid:/certs.d/" >/dev/null || rc=$?
  on "$1" rm "$cid" >/dev/null || rc=$?
  return "$rc"
}

# certs_d_read NODE DIR: NODE's $CERTS_DIR/$REGISTRY_PULL, read (docker cp
# out: a tar stream) into DIR/$REGISTRY_PULL from a tool container that is
# created, never started, and removed; its read-only bind of the parent
# directory creates nothing on the machine. Fails when it has no ca.crt.
certs_d_read() {
  local cid rc=0
  cid=$(on "$1" create --label "$LABEL_LAB=$LAB" --mount "type=bind,src=${CERTS_DIR%/*},dst=/parent,readonly" "$TOOL_IMAGE" /none 2>/dev/null) || return 1
  on "$1" cp "$cid:/parent/${CERTS_DIR##*/}/$REGISTRY_PULL" - 2>/dev/null | tar -xf - -C "$2" 2>/dev/null || rc=1
  [ -f "$2/$REGISTRY_PULL/ca.crt" ] || rc=1
  on "$1" rm "$cid" >/dev/null || fail "could not remove the container $cid of $TOOL_IMAGE on machine $1; remove it by hand (docker rm $cid)"
  return "$rc"
}

# certs_d_rm NODE: removes $CERTS_DIR/$REGISTRY_PULL from NODE, and
# $CERTS_DIR if that leaves it empty: a process must do it, the machine's
# own rm (through the tool's symlinks), in a container removed at once.
certs_d_rm() {
  local rc=0
  tool_image "$1"
  on "$1" run --rm --network none --label "$LABEL_LAB=$LAB" --mount "type=bind,src=/usr,dst=/usr,readonly" \
    --mount "type=bind,src=${CERTS_DIR%/*},dst=/parent" --entrypoint /bin/sh "$TOOL_IMAGE" \
    -c 'rm -rf "/parent/certs.d/$1" && { rmdir /parent/certs.d 2>/dev/null || true; }' sh "$REGISTRY_PULL" >/dev/null || rc=$?
  tool_image_rm "$1"
  if [ "$rc" != 0 ]; then
    # e.g. a machine whose /bin is not /usr/bin: say what is left
    printf 'warning: could not remove %s/%s on machine %s; remove it by hand\n' "$CERTS_DIR" "$REGISTRY_PULL" "$1" >&2
  fi
}

# machine_push_ref REF: the image goes to the registry's machine (docker save |
# docker load), which pushes it to its own registry with the lab's client
# certificate (certs.d): only the machines' engines need to reach the
# registry, never this host.
machine_push_ref() {
  local tries=1
  docker save "$1" | on "$REGISTRY_MACHINE" load >/dev/null
  until on "$REGISTRY_MACHINE" push --quiet "$1" >/dev/null; do
    [ "$tries" -lt 10 ] || fail "machine $REGISTRY_MACHINE could not push $1 to the lab registry; see docker logs $REGISTRY there"
    tries=$((tries + 1))
    sleep 0.5 # the registry container has just started
  done
}

# machine_in_registry IMAGE REF REPOSITORY TAG: does the lab registry hold
# IMAGE (a local name or ID) as REF? The registry's machine holds REF with
# IMAGE's ID and a digest in REF's repository once it pushed it.
machine_in_registry() {
  local id have
  id=$(image_fact "$1" id || docker image inspect --format "$FORMAT_IMAGE_ID" "$1" 2>/dev/null) || return 1
  have=$(on "$REGISTRY_MACHINE" image inspect --format "$FORMAT_IMAGE_ID_DIGESTS" "$2" 2>/dev/null) || return 1
  [ "${have%% *}" = "$id" ] || return 1
  case " $have " in
    *" ${2%:*}@"*) return 0 ;;
  esac
  return 1
}

# machines_down: bootstrap.sh down (swarmgen down): removes from the
# machines everything the lab put there, and nothing else: its stacks,
# services, secrets, networks and records, the swarm (nodes leave; the
# leader last, which removes it), the docker_gwbridge its joins made, the
# registry container, its volume and the images swarmgen loaded or the
# nodes pulled from it, the CA in certs.d; then the registry certificate
# and the lab's docker context here. A machine in another swarm is not
# made to leave it.
machines_down() {
  local infos lab leader cluster foreign node name state id kind gone=() pids=()
  infos=$(machine_infos skip)
  lab=$(lab_manager "$infos")
  leader=${lab% *} cluster=${lab#* }
  if [ -n "$lab" ]; then
    LEADER=$leader
    foreign=$(foreign_machines "$infos" "$leader" "$cluster")
    # what the lab created in its swarm, read in one call
    on_sh "$LEADER" '
      docker config ls --filter label='"$LABEL_STACK"' --format "stack '"$Q_STACK_RECORD"'"
      docker service ls --filter label='"$LABEL_HASH"' --format "service '"$Q_NAME"'"
      docker secret ls --filter label='"$LABEL_SECRET"' --format "secret '"$Q_NAME"'"
      docker network ls --filter label='"$LABEL_NETWORK"' --format "network '"$Q_NAME"'"
      docker config ls --filter label='"$LABEL_STACK"' --format "config '"$Q_NAME"'"
      docker node inspect --format "gwbridge '"$Q_NODE_GWBRIDGE"'" $(docker node ls -q)' >"$RUN_DIR/lab"
    while read -r kind name _; do
      case "$kind" in
        stack) act - stack "$name" "" on "$LEADER" stack rm "$name" >/dev/null ;;
        service) act - service "$name" "" on "$LEADER" service rm "$name" >/dev/null ;;
      esac
    done <"$RUN_DIR/lab"
    [ "$PLAN" = 1 ] || wait_no_tasks
    while read -r kind name _; do
      case "$kind" in
        secret) act - secret "$name" "" on "$LEADER" secret rm "$name" >/dev/null ;;
        config) act . stack "$name" "" on "$LEADER" config rm "$name" >/dev/null ;;
        network) act - network "$name" "" network_rm "$name" ;;
      esac
    done <"$RUN_DIR/lab"
    # the nodes leave, workers first, the leader last: the swarm goes with it
    while read -r node name state id _; do
      if [ -z "$node" ] || [ "$state" = inactive ] || [ "$node" = "$LEADER" ]; then continue; fi
      case $'\n'"$foreign" in *$'\n'"$node "*) continue ;; esac
      gone+=("$node")
    done <<<"$(printf '%s\n' "$infos" | awk '$5 == "" { print }'; printf '%s\n' "$infos" | awk '$5 != "" { print }')"
    gone+=("$LEADER")
    for node in ${gone[@]+"${gone[@]}"}; do
      act - node "$node" "leave the swarm$(if [ "$node" = "$LEADER" ]; then printf ' (the last manager: the swarm is removed)'; fi)" \
        on "$node" swarm leave --force >/dev/null
      if grep -q "^gwbridge $node made$" "$RUN_DIR/lab"; then
        act . node "$node" "" gwbridge_rm "$node"
      fi
    done
  else
    say "no swarm of lab $LAB on the machines"
  fi
  if [ -n "$REGISTRY_MACHINE" ]; then
    local running
    read -r running _ < <(on "$REGISTRY_MACHINE" inspect --format "$FORMAT_REGISTRY_STATE" "$REGISTRY" 2>/dev/null || true) || true
    if [ -n "$running" ]; then
      act - registry "$REGISTRY" "on machine $REGISTRY_MACHINE, with its volume $REGISTRY_VOLUME (and its image, if swarmgen loaded it)" registry_rm
    fi
    for node in "${NODES[@]}"; do
      case $'\n'"$infos" in *$'\n'"$node "*) ;; *) continue ;; esac
      registry_images_rm "$node" & pids+=("$!")
    done
    wait_all ${pids[@]+"${pids[@]}"}
    if [ -e "$TLS_DIR" ]; then
      act - certificate "$TLS_DIR" "the lab registry's CA and certificate" rm -rf "$TLS_DIR"
    fi
  fi
  each IMAGES untag_pushed
  context_rm
  say "lab $LAB removed from the machines"
}

# wait_no_tasks: until no machine runs a task of a stack or service down
# removed (listed in $RUN_DIR/lab): their containers go before the nodes
# leave. Tasks of anything else are not waited for.
wait_no_tasks() {
  local deadline=$((SECONDS + WAIT)) node busy
  while :; do
    busy=""
    for node in "${NODES[@]}"; do
      if on "$node" ps --format "$FORMAT_TASK_OWNER" 2>/dev/null |
        awk 'NR == FNR { if ($1 == "stack" || $1 == "service") ours[$1 " " $2] = 1; next }
          ("stack " $1) in ours || ("service " $2) in ours { found = 1 } END { exit !found }' "$RUN_DIR/lab" FS='|' -; then
        busy+=" $node"
      fi
    done
    [ -n "$busy" ] || return 0
    [ "$SECONDS" -lt "$deadline" ] || fail "tasks of removed services still run on$busy after ${WAIT}s"
    sleep 0.5
  done
}

# gwbridge_rm NODE: the docker_gwbridge network NODE's join made.
gwbridge_rm() {
  local tries=0
  until on "$1" network rm docker_gwbridge >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 20 ] || { printf 'warning: docker_gwbridge of %s is still in use; left in place\n' "$1" >&2; return 0; }
    sleep 0.5
  done
}

# registry_rm: the registry container, its volume and, when swarmgen
# loaded it, its image.
registry_rm() {
  local loaded
  loaded=$(on "$REGISTRY_MACHINE" inspect --format "$FORMAT_REGISTRY_STATE" "$REGISTRY" | awk '{ print $3 }')
  on "$REGISTRY_MACHINE" rm -f "$REGISTRY" >/dev/null
  on "$REGISTRY_MACHINE" volume rm "$REGISTRY_VOLUME" >/dev/null
  if [ "$loaded" = true ]; then
    on "$REGISTRY_MACHINE" image rm "$REGISTRY_IMAGE" >/dev/null
  fi
  say "registry $REGISTRY removed from $REGISTRY_MACHINE"
}

# image_rm NODE REF: removes the reference REF on NODE; removing an image's
# last reference removes the image, and with it its other references.
image_rm() {
  on "$1" image rm "$2" >/dev/null 2>&1 || ! on "$1" image inspect "$2" >/dev/null 2>&1 ||
    fail "image $2 on machine $1 could not be removed: $(on "$1" image rm "$2" 2>&1)"
}

# registry_images_rm NODE: the images of the lab registry on NODE (pushed
# from there, or pulled by the lab's tasks), each by its references under
# $REGISTRY_PULL/ (the image itself goes with its last reference), and the
# registry's CA and the lab's client certificate in its certs.d.
registry_images_rm() {
  local ref refs
  refs=$(on "$1" image ls --digests --format "$FORMAT_IMAGE_REFS" |
    tr ' ' '\n' | awk -v p="$REGISTRY_PULL/" 'index($0, p) == 1 && $0 !~ /(:|@)<none>$/' | sort -u -r)
  for ref in $refs; do
    act - image "$ref" "on machine $1" image_rm "$1" "$ref"
  done
  act - certificate "$1" "$CERTS_DIR/$REGISTRY_PULL (the lab registry's CA and client certificate), if there" certs_d_rm "$1"
}
