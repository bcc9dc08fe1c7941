
# --- setup and main: they run last, once everything is defined ---
# setup: the lab's directory, its provider, this run's state.
setup() {
  # the generated files' directory: the script's own, unless swarmgen plan
  # runs the script as rendered now from elsewhere
  cd "${SWARMGEN_LAB_DIR:-$(dirname "${BASH_SOURCE[0]}")}"
  "provider_$PROVIDER"
  host_env
  PLAN=${SWARMGEN_PLAN:-0}
  MODE=up
  # the manager the steps after swarm-init talk to, and its address
  LEADER=${MANAGERS[0]}
  LEADER_ADDR=${MANAGER_ADDRS[0]}
  WAIT="${SWARMGEN_WAIT:-300}"
  JOIN_PARALLEL="${SWARMGEN_JOIN_PARALLEL:-32}"
  # what a step (a subshell) leaves for later ones, e.g. that the swarm is new
  RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/swarmgen.XXXXXX")
  PUSH_LOG=$RUN_DIR/push.log
  # the background jobs (pushes, the early swarm read) end with the script
  trap 'for pid in ${PUSH_PID:-} ${READ_PID:-} ${CONTEXTS_PID:-}; do kill "$pid" 2>/dev/null || true; done; rm -rf "$RUN_DIR"' EXIT
  # the script's own output, for plan lines (act)
  exec 3>&1
}

main() {
  case "${1:-}" in
    --plan) PLAN=1 ;;
    load) MODE=load PLAN=0; shift ;;
    down)
      MODE=down
      if [ "${2:-}" = --plan ]; then PLAN=1; fi
      ;;
    context) MODE=context PLAN=0 ;;
    "") ;;
    *) printf 'usage: bootstrap.sh [--plan] | bootstrap.sh load SOURCE REF REPOSITORY TAG NAME... | bootstrap.sh down [--plan] | bootstrap.sh context\n' >&2; exit 2 ;;
  esac
  case "$MODE" in
    load)
      load_images "$@"
      exit 0
      ;;
    context)
      # only the docker context, pointed at the leader (swarmgen recover)
      [ -n "$API_CONTEXT" ] || fail "this lab has no docker context ($SPEC_FILE)"
      read -r LEADER LEADER_ADDR < <(find_leader) || fail "no manager answers for the swarm; see swarmgen status"
      docker_context
      exit 0
      ;;
    down)
      step preflight preflight
      step down lab_down
      exit 0
      ;;
  esac
  start_nodes
  step swarm-init swarm_init
  if [ -e "$RUN_DIR/stopped" ]; then
    exit 0 # plan mode, a stopped lab: the plan is to start it
  fi
  # (a new swarm: its leader is the manager that made it)
  if ! swarm_new; then
    read -r LEADER LEADER_ADDR < <(wait_leader) || fail "no manager answers for the swarm; see swarmgen status"
  fi
  step remove-nodes remove_nodes
  step swarm-join swarm_join
  if [ -n "$(node_changes)" ]; then
    step rollout rollout
    if [ -s "$RUN_DIR/leader" ]; then read -r LEADER LEADER_ADDR <"$RUN_DIR/leader"; fi
  fi
  step push-images pushed
  step networks create_networks
  step deploy deploy
  step prune prune
  if [ -n "$API_CONTEXT" ]; then
    step docker-context docker_context
  fi
  if [ "$PLAN" = 1 ]; then
    exit 0
  fi
  step wait-converged wait_converged
  step summary summary
}

setup
main "$@"
