# --- compose: the one rule for the compose command, in bootstrap.sh and
# teardown.sh (which holds this file's text too) ---
# compose ARGS...: the compose command, found when first needed (an
# unchanged lab needs none): v2 plugin, else docker-compose v1, else a
# clear error
compose() {
  if [ -z "${COMPOSE+set}" ]; then
    if docker compose version >/dev/null 2>&1; then
      COMPOSE=(docker compose)
    elif command -v docker-compose >/dev/null 2>&1; then
      COMPOSE=(docker-compose)
    else
      COMPOSE=()
    fi
  fi
  [ "${#COMPOSE[@]}" -gt 0 ] || fail "neither 'docker compose' (v2) nor 'docker-compose' is installed; install the Compose plugin"
  trace ${COMPOSE[@]+"${COMPOSE[@]}"} -f docker-compose.yml "$@"
}

