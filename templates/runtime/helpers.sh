
# --- helpers ---
# now: microseconds since the epoch, in the shell itself (a step's timing
# costs no process; whole seconds where bash has no EPOCHREALTIME)
now() {
  if [ -n "${EPOCHREALTIME:-}" ]; then
    NOW=${EPOCHREALTIME/[.,]/}
  else
    NOW=$(($(date +%s) * 1000000))
  fi
}
# elapsed START: "1.2s", the time since START (a $NOW)
elapsed() {
  now
  local d=$(((NOW - $1) / 100000))
  printf '%d.%ds' $((d / 10)) $((d % 10))
}
say() { if [ "$PLAN" != 1 ]; then printf '    %s\n' "$*"; fi; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }
# trace shows a command (with -v) before running it; a join token in it is
# masked, since a failed step prints what it captured
trace() { if [ "${SWARMGEN_VERBOSE:-}" = 1 ]; then printf '    $ %s\n' "$*" | sed -E 's/SWMTKN-[^ ]*/SWMTKN-.../g' >&2; fi; "$@"; }

# act OP KIND NAME DETAIL COMMAND...: the one way a step changes the lab.
# It runs COMMAND; in plan mode it prints the change instead, to the
# script's own output (fd 3: a caller may silence COMMAND's),
# "plan<TAB>OP<TAB>KIND<TAB>NAME<TAB>DETAIL". OP . is part of a change an
# earlier line listed: nothing is printed for it.
act() {
  local op=$1 kind=$2 name=$3 detail=$4
  shift 4
  if [ "$PLAN" = 1 ]; then
    if [ "$op" != . ]; then printf '%s\t%s\t%s\t%s\t%s\n' "$PLAN_TAG" "$op" "$kind" "$name" "$detail" >&3; fi
    return 0
  fi
  case "$kind" in
    image) "$@" ;;
    context | certificate)
      : >"$RUN_DIR/changed" # e.g. a manager restarted: an early read is stale
      "$@"
      ;;
    *)
      # the swarm changes: the next step reads it again (after, too: a
      # read made meanwhile may be of the swarm half-changed)
      forget_swarm
      "$@"
      forget_swarm
      ;;
  esac
}

# refuse WHY: a change that would break the lab is listed as refused in
# plan mode and stops the script otherwise, unless SWARMGEN_FORCE=1.
refuse() {
  if [ "${SWARMGEN_FORCE:-}" = 1 ]; then
    say "forced: $*"
  elif [ "$PLAN" = 1 ]; then
    printf '%s\t%s\trefused\t-\t%s; swarmgen up refuses it unless --force\n' "$PLAN_TAG" "$PLAN_REFUSED" "$*" >&3
  else
    fail "$*; nothing was changed (swarmgen up --force, or SWARMGEN_FORCE=1, applies it anyway)"
  fi
}

# swarm_new: this run makes a new swarm (swarm-init found no manager in
# one): none of the lab's labels, networks, stacks, services or secrets is
# in it yet, and a step need not read the swarm to know.
swarm_new() { [ -e "$RUN_DIR/new-swarm" ]; }
# no_swarm_yet: in plan mode, no manager is in a swarm: there is nothing to
# read, every node, image, network, stack and service is new.
no_swarm_yet() { [ "$PLAN" = 1 ] && swarm_new; }

# step NAME FUNCTION: runs one step and reports it.
step() {
  local name=$1 start rc
  now
  start=$NOW
  printf '==> %s\n' "$name"
  # Not `( ... ) || rc=$?`: bash ignores set -e in anything run on the left
  # of || (even a subshell that sets it again), so a failing command would
  # not stop the step.
  set +e
  ( set -euo pipefail; "$2" )
  rc=$?
  set -e
  if [ "$rc" -ne 0 ]; then
    printf '<== %s FAILED ' "$name"
    elapsed "$start"
    echo
    exit "$rc"
  fi
  printf '<== %s ok ' "$name"
  elapsed "$start"
  echo
}

# await_file FILE PID: waits until FILE is there or the background job PID
# (a read begun at the start) has ended. A step runs in a subshell, which
# cannot wait for its parent's jobs: it looks every 20 ms.
await_file() {
  while [ ! -e "$1" ] && kill -0 "$2" 2>/dev/null; do sleep 0.02; done
}

# has_line TEXT LINE: is LINE one of TEXT's lines? Matched in the shell:
# `printf | grep -q` may end printf early (SIGPIPE), a failure under
# pipefail that reads as "not there" on a busy machine.
has_line() {
  case $'\n'"$1"$'\n' in
    *$'\n'"$2"$'\n'*) return 0 ;;
  esac
  return 1
}

# wait_all PID...: waits for every background job; fails if any failed.
wait_all() {
  local rc=0 pid
  for pid in "$@"; do wait "$pid" || rc=1; done
  return "$rc"
}

# each RECORDS FUNCTION: FUNCTION FIELD... for each record of the header's
# array RECORDS (a record is its number of fields, then the fields), in
# order. With & as a third word each call runs in the background and its
# PID is added to the array pids.
each() {
  local n
  eval "set -- \"\$1\" \"\$2\" \"\${3:-}\" \${$1[@]+\"\${$1[@]}\"}"
  local fn=$2 bg=$3
  shift 3
  while [ "$#" -gt 0 ]; do
    n=$1
    shift
    if [ -n "$bg" ]; then
      "$fn" "${@:1:n}" &
      pids+=("$!")
    else
      "$fn" "${@:1:n}"
    fi
    shift "$n"
  done
}


# forget_lab_env: eval "$(swarmgen env)" points a shell's docker into a lab
# (this one or another, of containers or of machines); this script manages
# labs from the host's engine and each machine by its own endpoint, so it
# drops any swarmgen context and any DOCKER_HOST whose certificates are a
# lab's: the rule of swarmgen itself (endpoint.FromLabEnv, IsLabContext).
forget_lab_env() {
  local p=${DOCKER_CERT_PATH:-}
  while :; do # as Go's filepath.Clean, for what a hand may add
    case "$p" in
      *//*) p=${p//\/\//\/} ;;
      */./*) p=${p//\/.\//\/} ;;
      ?*/) p=${p%/} ;;
      *) break ;;
    esac
  done
  case "$p" in */.swarmgen/tls/client) unset DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH ;; esac
  case "${DOCKER_CONTEXT:-}" in swarmgen | swarmgen-*) unset DOCKER_CONTEXT ;; esac
}
