# --- compose: the one rule for the compose command, in bootstrap.sh and
# teardown.sh (which holds this file's text too) ---
# compose ARGS...: the compose command, found when first needed (an
# unchanged lab needs none): v2 plugin, else docker-compose v1, else a
# clear error. It reads the lab's docker-compose.yml, or the file
# SWARMGEN_COMPOSE_FILE names: swarmgen plan hands over the compose file
# as rendered now (the lab's directory still holds the last one written),
# whose relative paths resolve against the lab's directory all the same
# (--project-directory).
compose() {
  if [ -z "${COMPOSE+set}" ]; then
    if compose_plugin || docker compose version >/dev/null 2>&1; then
      COMPOSE=(docker compose)
    elif command -v docker-compose >/dev/null 2>&1; then
      COMPOSE=(docker-compose)
    else
      COMPOSE=()
    fi
  fi
  [ "${#COMPOSE[@]}" -gt 0 ] || fail "neither 'docker compose' (v2) nor 'docker-compose' is installed; install the Compose plugin"
  if [ -n "${SWARMGEN_COMPOSE_FILE:-}" ]; then
    trace ${COMPOSE[@]+"${COMPOSE[@]}"} -f "$SWARMGEN_COMPOSE_FILE" --project-directory . "$@"
  else
    trace ${COMPOSE[@]+"${COMPOSE[@]}"} -f docker-compose.yml "$@"
  fi
}

# compose_plugin: the Compose v2 plugin is in a directory where the docker
# CLI looks for plugins: a file test, where asking (docker compose version)
# starts both CLIs (0.6 s of a cold up here); elsewhere (Docker Desktop's
# cliPluginsExtraDirs) the CLI is asked.
compose_plugin() {
  local dir
  for dir in "${DOCKER_CONFIG:-${HOME:-/nonexistent}/.docker}/cli-plugins" /usr/local/lib/docker/cli-plugins \
    /usr/local/libexec/docker/cli-plugins /usr/lib/docker/cli-plugins /usr/libexec/docker/cli-plugins; do
    [ ! -x "$dir/docker-compose" ] || return 0
  done
  return 1
}

# compose_file: the compose file compose reads (see compose)
compose_file() { printf '%s\n' "${SWARMGEN_COMPOSE_FILE:-docker-compose.yml}"; }

