# --- secrets: a password file's content, kept in the swarm ---
# The content goes to docker on stdin only: it is on no command line and
# in no output, plan or log.

# password_file FILE WHERE MAX: FILE must be a regular file of 1 to MAX
# bytes (swarmgen validate checks the rest: one line).
password_file() {
  local size
  [ -f "$1" ] || fail "$1 is not a file: write the visualizer's password into it, on one line (visualizer.auth.password_file, $2)"
  size=$(wc -c <"$1")
  size=$((size + 0))
  if [ "$size" -eq 0 ] || [ "$size" -gt "$3" ]; then
    fail "$1 holds $size bytes: write the visualizer's password into it, on one line of at most $3 bytes (visualizer.auth.password_file, $2)"
  fi
}

# secret_version NAME FILE: sets SECRET_VERSION to the version of secret
# NAME that holds FILE's content, creating one when none does (a new or a
# changed file); prune removes the others. A version is NAME-DIGEST, DIGEST
# from a random salt (a label of the version) and the content: it changes
# with the content but tells nothing of it to whoever reads the name in a
# plan, a service or export-logs.
secret_version() {
  local name=$1 file=$2 have="" version salt
  swarm_new || have=$(swarm_lines secret | awk -v s="$name" '$2 == s { print $1, $3 }')
  while read -r version salt; do
    if [ -n "$salt" ] && [ "$version" = "$name-$(salted_digest "$salt" "$file")" ]; then
      SECRET_VERSION=$version
      say "secret $name unchanged"
      return
    fi
  done <<<"$have"
  salt=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  SECRET_VERSION=$name-$(salted_digest "$salt" "$file")
  if [ -n "$have" ]; then
    act '~' secret "$name" "a new version from $file, which changed" secret_create "$SECRET_VERSION" "$name" "$salt" "$file"
  else
    act + secret "$name" "from $file" secret_create "$SECRET_VERSION" "$name" "$salt" "$file"
  fi
}

# salted_digest SALT FILE: 16 hex digits of the sha256 of SALT and FILE.
salted_digest() {
  { printf '%s' "$1"; cat "$2"; } | if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi | cut -c1-16
}

# secret_create VERSION NAME SALT FILE: the content comes on stdin.
secret_create() {
  on_stdin "$LEADER" secret create --label "$LABEL_SECRET=$2" --label "$LABEL_SALT=$3" "$1" - <"$4" >/dev/null
  say "secret $2 created ($1)"
}
