deploy() {
  if [ "${#STACKS[@]}" -eq 0 ] && [ "${#SERVICES[@]}" -eq 0 ]; then
    say "nothing to deploy"
    return
  fi
  local pids=()
  # what is deployed now: stacks, their file hashes, services
  DEPLOYED_STACKS=" " STACK_HASHES="" SERVICE_HASHES="" DRIFTS=""
  if ! swarm_new; then
    DEPLOYED_STACKS+=$(swarm_lines stack | awk '{ printf "%s ", $1 }')
    STACK_HASHES=$(swarm_lines record)
    SERVICE_HASHES=$(swarm_lines hash)
    # what runs otherwise than the spec says (changed by hand): "NAME<TAB>WHAT"
    SPECS=$(swarm_lines spec)
    DRIFTS=$(each DESIRED drift_of)
  fi
  SECRET_VERSION=""
  if [ "${#PASSWORD[@]}" -gt 0 ]; then
    # the visualizer's password, before the stack that mounts it; the
    # version in use is kept from prune
    secret_version "${PASSWORD[3]}" "${PASSWORD[0]}"
    printf '%s\n' "$SECRET_VERSION" >>"$RUN_DIR/secrets"
  fi
  each STACKS deploy_header_stack \&
  each SERVICES service_create \&
  wait_all ${pids[@]+"${pids[@]}"}
}

# deploy_header_stack NAME FILE HASH VARIABLE: deploy_stack of a header
# record; a stack that names the password's VARIABLE gets its version
# (and its HASH includes it).
deploy_header_stack() {
  if [ -n "$4" ]; then
    deploy_stack "$1" "$2" "$3-$SECRET_VERSION" -e "$4=$SECRET_VERSION"
  else
    deploy_stack "$1" "$2" "$3"
  fi
}

# deploy_stack NAME FILE HASH [-e VAR=VALUE]...: deploys stack/FILE.yml as
# stack NAME unless that very file (HASH) is already deployed: a redeploy
# would bump every service's version for nothing. -e VAR=VALUE sets a
# variable the file names, which HASH then includes.
deploy_stack() {
  local name=$1 file=$2 hash=$3
  case "$DEPLOYED_STACKS" in
    *" $name "*)
      if has_line "$STACK_HASHES" "$name $hash"; then
        if ! drifted "stack $name"; then
          say "stack $name unchanged"
          return
        fi
        # services of the stack changed by hand: deployed again, as
        # docker stack deploy sets them back
        act . stack "$name" "" stack_deploy "$@"
        return
      fi
      act '~' stack "$name" "redeploy stack/$file.yml" stack_deploy "$@"
      ;;
    *) act + stack "$name" "deploy stack/$file.yml" stack_deploy "$@" ;;
  esac
}

# stack_deploy NAME FILE HASH [-e VAR=VALUE]...: deploys the stack and
# records its file's hash in the swarm, for the next run to compare.
stack_deploy() {
  local name=$1 file=$2 hash=$3 vars=()
  shift 3
  while [ "$#" -ge 2 ] && [ "$1" = -e ]; do
    vars+=("$2")
    shift 2
  done
  on_env "$LEADER" ${vars[@]+"${vars[@]}"} -- stack deploy --prune -c "$STACK_DIR/$file.yml" "$name" >/dev/null
  stack_record "$name" "$hash"
  say "stack $name deployed from stack/$file.yml"
}

# --- the lab's records, kept in the swarm ---
# Which file each stack was deployed from is a swarm config, labelled with
# the stack's name and the file's hash: raft replicates it to every
# manager, so whichever manager leads after an election answers for it,
# and no node's disk holds anything of swarmgen's. The swarm read lists
# them (record lines).

# stack_record NAME HASH: stack NAME was deployed from a file of HASH: its
# config, in place of the earlier one, in one call.
stack_record() {
  local config="swarmgen-stack-$2-$1"
  on_sh "$LEADER" '
    ids=$(docker config ls -q --filter "label='"$LABEL_STACK"'=$1") &&
    { [ -z "$ids" ] || docker config rm $ids >/dev/null; } &&
    printf "%s\n" "$2" | docker config create --label "'"$LABEL_STACK"'=$1" --label "'"$LABEL_HASH"'=$2" "$3" - >/dev/null' sh "$1" "$2" "${config:0:64}"
}

# stack_unrecord NAME: forgets stack NAME.
stack_unrecord() {
  on_sh "$LEADER" '
    ids=$(docker config ls -q --filter "label='"$LABEL_STACK"'=$1") &&
    { [ -z "$ids" ] || docker config rm $ids >/dev/null; }' sh "$1"
}

# service_create NAME HASH IMAGE ARGS...: creates the service, or
# recreates it when its definition (HASH) changed since it was created.
service_create() {
  local name=$1 hash=$2 image=$3 have
  shift 3
  have=$(printf '%s\n' "$SERVICE_HASHES" | awk -v n="$name" '$1 == n { print $2 }')
  if [ "$have" = "$hash" ]; then
    if ! drifted service "$name"; then
      say "service $name unchanged"
      return
    fi
    act . service "$name" "" service_replace "$name" "$hash" "$@"
    return
  fi
  if [ -n "$have" ]; then
    act '~' service "$name" "recreate with the new definition" service_replace "$name" "$hash" "$@"
  else
    act + service "$name" "$image" service_new "$name" "$hash" "$@"
  fi
}

# service_replace NAME HASH ARGS...: removes the service, then creates it
# anew (service_new).
service_replace() {
  on "$LEADER" service rm "$1" >/dev/null
  service_new "$@"
}

# service_new NAME HASH ARGS...: creates the service with its
# definition's HASH as a label, for the next run to compare.
service_new() {
  local name=$1 hash=$2
  shift 2
  on "$LEADER" service create --label "$LABEL_HASH=$hash" "$@" >/dev/null
  say "service $name created"
}

# drift_of NAME OWNER MODE IMAGE PORTS ENV LABELS (a DESIRED record):
# "NAME<TAB>OWNER<TAB>WHAT" when service NAME runs otherwise than that,
# WHAT saying how ("replicas 5 -> 2, image a -> b"); the environment's and
# labels' values are not shown (they may be secrets).
drift_of() {
  local have mode image ports env labels what=""
  # (fields split at US, not at tabs: read would merge empty tab-separated ones)
  have=$(printf '%s\n' "$SPECS" | awk -F '\t' -v n="$1" -v OFS=$'\037' '$1 == n { $1 = $1; print; exit }')
  [ -n "$have" ] || return 0
  IFS=$'\037' read -r _ mode image ports env labels <<<"$have"
  if [ "$mode" != "$3" ]; then
    case "$mode/$3" in
      "replicated "*/"replicated "*) what+=", replicas ${mode#replicated } -> ${3#replicated }" ;;
      *) what+=", mode ${mode% *} -> ${3% *}" ;;
    esac
  fi
  image=${image%@sha256:*}
  [ "$image" = "$4" ] || what+=", image $image -> $4"
  ports=$(printf '%s\n' "$ports" | tr ' ' '\n' | awk NF | LC_ALL=C sort | tr '\n' ' ')
  ports=${ports% }
  [ "$ports" = "$5" ] || what+=", published ports ${ports:-none} -> ${5:-none}"
  [ "$env" = "$6" ] || what+=", environment"
  # labels ($7) are not compared yet: on the real engine a stack's
  # service has labels besides the namespace and deploy.labels (seen in
  # e2e TestRolloutNodeImage), which made every up redeploy
  : "$labels"
  [ -z "$what" ] || printf '%s\t%s\t%s\n' "$1" "$2" "${what#, }"
}

# drifted OWNER [NAME]: plan lines "~ service NAME: WHAT (changed outside
# swarmgen)" for the services of OWNER ("stack NAME", or service and its
# NAME) that run otherwise than the spec says; fails when there is none.
drifted() {
  local lines name owner what
  lines=$(printf '%s\n' "$DRIFTS" | awk -F '\t' -v o="$1" -v n="${2:-}" '$2 == o && (n == "" || $1 == n)')
  [ -n "$lines" ] || return 1
  while IFS=$'\t' read -r name owner what; do
    act '~' service "$name" "$what (changed outside swarmgen)" true
    say "service $name: $what (changed outside swarmgen)"
  done <<<"$lines"
}
