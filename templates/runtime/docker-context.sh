
# context_have: "ENDPOINT DESCRIPTION" of the host's docker context
# $API_CONTEXT, nothing when there is none (the CLI of docker 20.10 marks
# the current context "NAME *"): the first time from start_contexts'
# read, then from docker.
context_have() {
  if [ -n "$CONTEXTS_PID" ]; then await_file "$RUN_DIR/contexts" "$CONTEXTS_PID"; fi
  if [ -e "$RUN_DIR/contexts" ]; then
    cat "$RUN_DIR/contexts"
    rm -f "$RUN_DIR/contexts"
  else
    docker context ls --format "$FORMAT_CONTEXT_ENDPOINT"
  fi | awk -F'|' -v n="$API_CONTEXT" '{ name = $1; sub(/ \*$/, "", name) } name == n { print substr($0, length($1) + 2); exit }'
}

# start_contexts: the host's docker contexts, read in the background from
# the start for the docker-context step, the last (only that step changes
# them): on an unchanged lab its read then costs no wait.
CONTEXTS_PID=
start_contexts() {
  [ -n "$API_CONTEXT" ] || return 0
  (docker context ls --format "$FORMAT_CONTEXT_ENDPOINT" >"$RUN_DIR/contexts.$$" 2>/dev/null && mv -f "$RUN_DIR/contexts.$$" "$RUN_DIR/contexts") &
  CONTEXTS_PID=$!
}

# context_put HAVE HOST DESC WHO FIELD=VALUE...: the host's docker context
# $API_CONTEXT reaches HOST (the node WHO) through the docker endpoint of
# the FIELDs, and says DESC; left alone when HAVE (context_have) is
# "HOST DESC" already, else created or updated. The one writer of the
# context, for a lab of containers and a lab of machines.
context_put() {
  local have=$1 host=$2 desc=$3 who=$4 ep="" f
  shift 4
  if [ "$have" = "$host $desc" ]; then
    say "docker context $API_CONTEXT unchanged ($host)"
    return
  fi
  # --docker is one CSV record: each field quoted, so a path may hold commas
  for f in "$@"; do
    ep+="${ep:+,}\"${f//\"/\"\"}\""
  done
  if [ -z "$have" ]; then
    act + context "$API_CONTEXT" "$host -> $who" docker context create "$API_CONTEXT" --description "$desc" --docker "$ep" >/dev/null
  else
    act '~' context "$API_CONTEXT" "${have%% *} -> $host ($who)" docker context update "$API_CONTEXT" --description "$desc" --docker "$ep" >/dev/null
  fi
  say "docker context $API_CONTEXT -> $host ($who); try: docker --context $API_CONTEXT node ls"
}

# tls_fields DIR: the fields ca=DIR/ca.pem, cert=... and key=..., one a
# line, DIR made absolute (the context store copies the files when the
# context is written).
tls_fields() {
  local d
  d=$(cd "$1" && pwd) || fail "no TLS directory $1 (from $SPEC_FILE)"
  printf '%s\n' "ca=$d/ca.pem" "cert=$d/cert.pem" "key=$d/key.pem"
}

# cksum_of FILE: FILE's checksum, which a context's description records so
# that a new certificate rewrites the context's copy.
cksum_of() { cksum <"$1" 2>/dev/null | awk '{ print $1 }' || true; }
