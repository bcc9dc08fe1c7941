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
    DRIFTS=$(drifts)
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
# records its file's hash in the swarm, for the next run to compare, in
# one exec (an exec costs more than both; a record only of a deploy that
# went through).
stack_deploy() {
  local name=$1 file=$2 hash=$3 opts=()
  shift 3
  while [ "$#" -ge 2 ] && [ "$1" = -e ]; do
    # by name: on_sh hands the node this shell's variable
    export "${2?}"
    opts+=(-e "${2%%=*}")
    shift 2
  done
  local config="swarmgen-stack-$hash-$name"
  on_sh "$LEADER" ${opts[@]+"${opts[@]}"} '
    docker stack deploy --prune -c "$2" "$1" >/dev/null || exit'"$(stack_record)" sh "$name" "$STACK_DIR/$file.yml" "$hash" "${config:0:64}"
  say "stack $name deployed from stack/$file.yml"
}

# --- the lab's records, kept in the swarm ---
# Which file each stack was deployed from is a swarm config, labelled with
# the stack's name and the file's hash: raft replicates it to every
# manager, so whichever manager leads after an election answers for it,
# and no node's disk holds anything of swarmgen's. The swarm read lists
# them (record lines).

# stack_record: the sh text that records that stack $1 was deployed from a
# file of hash $3: config $4, in place of the earlier one (a swarm this
# run made has none to look for: a CLI less on a cold up).
stack_record() {
  if ! swarm_new; then
    printf '%s' '
    ids=$(docker config ls -q --filter "label='"$LABEL_STACK"'=$1") &&
    { [ -z "$ids" ] || docker config rm $ids >/dev/null; } || exit'
  fi
  printf '%s' '
    printf "%s\n" "$3" | docker config create --label "'"$LABEL_STACK"'=$1" --label "'"$LABEL_HASH"'=$3" "$4" - >/dev/null'
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
    local replicas
    if replicas=$(scaled_by_hand "$name"); then
      # its tasks keep running, as docker stack deploy would leave a
      # stack's: only the ones over the spec's count stop
      act . service "$name" "" service_scale "$name" "$replicas"
    else
      act . service "$name" "" service_replace "$name" "$hash" "$@"
    fi
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

# scaled_by_hand NAME: the replicas the spec gives standalone service
# NAME, when they are all that runs otherwise than the spec says (a docker
# service scale, as the walkthrough teaches); fails otherwise.
scaled_by_hand() {
  local replicas
  replicas=$(printf '%s\n' "$DRIFTS" | awk -F '\t' -v n="$1" '$1 == n && $2 == "service" { print $4 }')
  [ -n "$replicas" ] && printf '%s\n' "$replicas"
}

# service_scale NAME REPLICAS: sets service NAME back to REPLICAS tasks.
service_scale() {
  on "$LEADER" service scale --detach "$1=$2" >/dev/null
  say "service $1 scaled back to $2"
}

# service_new NAME HASH ARGS...: creates the service with its
# definition's HASH as a label, for the next run to compare.
service_new() {
  local name=$1 hash=$2
  shift 2
  on "$LEADER" service create --label "$LABEL_HASH=$hash" "$@" >/dev/null
  say "service $name created"
}

# drifts: "NAME<TAB>OWNER<TAB>WHAT[<TAB>REPLICAS]" of each service (a
# DESIRED record: NAME OWNER MODE IMAGE PORTS ENV LABELS) that runs
# otherwise than the record says, WHAT saying how ("replicas 5 -> 2, image
# a -> b"), REPLICAS the record's when they are all that differs; the
# environment's and labels' values are not shown (they may be secrets).
# One awk for every service (a process a service costs seconds at scale):
# the swarm read's spec lines, a RS line, then the records, fields at US.
drifts() {
  { swarm_lines spec; printf '\036\n'; each DESIRED desired_line; } | LC_ALL=C awk '
    # ports as a set: the words sorted, one space between
    function words(s, a, n, i, j, t, out) {
      n = split(s, a, " ")
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      for (i = 1; i <= n; i++) out = out (i > 1 ? " " : "") a[i]
      return out
    }
    function kind(m) { sub(/ [^ ]*$/, "", m); return m } # "replicated 3": replicated
    BEGIN { FS = "\t" }
    !records && $0 == "\036" { records = 1; FS = "\037"; next }
    !records { if (NF && !($1 in mode)) { mode[$1] = $2; image[$1] = $3; ports[$1] = $4; env[$1] = $5 } next }
    !($1 in mode) { next }
    {
      what = ""; replicas = ""
      if (mode[$1] != $3) {
        if (mode[$1] ~ /^replicated / && $3 ~ /^replicated /) what = replicas = ", replicas " substr(mode[$1], 12) " -> " substr($3, 12)
        else what = what ", mode " kind(mode[$1]) " -> " kind($3)
      }
      img = image[$1]; sub(/@sha256:[^@]*$/, "", img)
      if (img != $4) what = what ", image " img " -> " $4
      p = words(ports[$1])
      if (p != $5) what = what ", published ports " (p == "" ? "none" : p) " -> " ($5 == "" ? "none" : $5)
      # labels ($7) are not compared yet: on the real engine a stack'"'"'s
      # service has labels besides the namespace and deploy.labels (seen
      # in e2e TestRolloutNodeImage), which made every up redeploy
      if (env[$1] != $6) what = what ", environment"
      if (what == "") next
      # the replicas when they are all that differs (scaled_by_hand)
      printf "%s\t%s\t%s%s\n", $1, $2, substr(what, 3), (what == replicas ? "\t" substr($3, 12) : "")
    }'
}

# desired_line FIELD...: a DESIRED record as one line, fields at US (no
# process: printf and "$*" are the shell's own).
desired_line() {
  local IFS=$'\037'
  printf '%s\n' "$*"
}

# drifted OWNER [NAME]: plan lines "~ service NAME: WHAT (changed outside
# swarmgen)" for the services of OWNER ("stack NAME", or service and its
# NAME) that run otherwise than the spec says; fails when there is none.
drifted() {
  local lines name owner what
  [ -n "${DRIFTS:-}" ] || return 1 # (no process for a lab that runs as its spec says)
  lines=$(printf '%s\n' "$DRIFTS" | awk -F '\t' -v o="$1" -v n="${2:-}" '$2 == o && (n == "" || $1 == n)')
  [ -n "$lines" ] || return 1
  while IFS=$'\t' read -r name owner what _; do
    act '~' service "$name" "$what (changed outside swarmgen)" true
    say "service $name: $what (changed outside swarmgen)"
  done <<<"$lines"
}
