push_images() {
  local pids=()
  registry_ready
  image_facts
  each IMAGES prepared
  each IMAGES put_image \&
  each MIRROR mirror_image \&
  if [ "${#OUTSIDE[@]}" -gt 0 ]; then
    say "note: the nodes pull ${OUTSIDE[*]+"${OUTSIDE[*]}"} from outside the lab (only Docker Hub images are mirrored by the lab registry)"
  fi
  if [ "${#pids[@]}" -eq 0 ]; then
    say "no images to push"
    return
  fi
  wait_all ${pids[@]+"${pids[@]}"}
}

# image_facts: every image the push step compares (each image to build or
# tag and its tag, each Docker Hub image to mirror, the builtin base) read
# in one docker image inspect, as "NAME|ID|CONTEXT|DIGEST ..." lines in
# $RUN_DIR/images (image_fact): an inspect an image would cost a CLI
# start each, much of an unchanged lab's plan. None when one is missing
# (a first up): each is asked alone then.
image_facts() {
  local names=() base="" out i=0 line
  each IMAGES fact_names
  each MIRROR mirror_fact_name
  [ -z "$base" ] || names+=("$BUILTIN_BASE")
  [ "${#names[@]}" -gt 0 ] || return 0
  # one line an image, in the order asked (when all are there)
  out=$(docker image inspect --format "$FORMAT_IMAGE_FACTS" -- ${names[@]+"${names[@]}"} 2>/dev/null) || return 0
  while IFS= read -r line; do
    [ "$i" -lt "${#names[@]}" ] || return 0
    printf '%s|%s\n' "${names[$i]}" "$line"
    i=$((i + 1))
  done <<<"$out" >"$RUN_DIR/images.$$"
  [ "$i" -eq "${#names[@]}" ] || return 0
  mv -f "$RUN_DIR/images.$$" "$RUN_DIR/images"
}
# fact_names SOURCE BUILD DOCKERFILE REF ... PREPARED, mirror_fact_name
# REF ... DIGEST: the images image_facts reads (into its names, and base
# for a builtin image: bash's dynamic scope)
fact_names() {
  if [ -n "$2" ]; then names+=("$4"); else names+=("$1" "$4"); fi
  [ "${8:-}" != true ] || base=1
}
mirror_fact_name() { [ -n "$5" ] || names+=("$1"); }

# image_fact NAME id|context|digests: image NAME's ID, build context
# digest or repository digests (one a line), from image_facts' read;
# fails when it has no line for NAME, or an image changed since (so the
# caller asks docker).
image_fact() {
  [ -e "$RUN_DIR/images" ] && [ ! -e "$RUN_DIR/images-changed" ] || return 1
  local name id context digests
  while IFS='|' read -r name id context digests; do
    [ "$name" = "$1" ] || continue
    case $2 in
      id) printf '%s\n' "$id" ;;
      context) printf '%s\n' "$context" ;;
      digests)
        # shellcheck disable=SC2086 # digests, one word each (no glob character)
        printf '%s\n' $digests
        ;;
    esac
    return 0
  done <"$RUN_DIR/images"
  return 1
}

# images_changed: this run builds, tags, pulls or pushes an image: the
# facts read before are no longer the images'.
images_changed() { : >"$RUN_DIR/images-changed"; }

# prepared SOURCE BUILD ... PREPARED: a builtin image (PREPARED true) is
# built FROM BUILTIN_BASE: in this host's images already, else pulled if a
# release published it; else only swarmgen up (or images load) makes it.
prepared() {
  [ "$8" = true ] || return 0
  [ -z "$(base_id)" ] || return 0
  [ "$PLAN" != 1 ] || return 0
  if [ "$BUILTIN_BASE_PUBLISHED" = true ]; then
    images_changed
    trace docker pull --quiet -- "$BUILTIN_BASE" >/dev/null && rm -f "$RUN_DIR/base-id" && return 0
    fail "the builtin images are made from $BUILTIN_BASE, which this host has not and cannot pull: pull it where there is a connection, or swarmgen images load a bundle (swarmgen images save writes one)"
  fi
  fail "the builtin images are made from $BUILTIN_BASE, which this host has not: it holds the swarmgen binary, and only swarmgen up makes it (this lab was rendered by a swarmgen that is no release: no registry has it); run swarmgen up once on this host, or swarmgen images load a bundle"
}

# build_digest BUILD DOCKERFILE PREPARED: what an image is built from: its
# context, and for a builtin image the base's ID too (a new swarmgen binary
# makes a new base).
build_digest() {
  local sum
  sum=$(context_digest "$1" "$2")
  if [ "$3" = true ]; then
    sum="$sum-$(base_id | cut -c8-19)"
  fi
  printf '%s\n' "$sum"
}

# base_id: BUILTIN_BASE's image ID on this host ("" when it has none),
# asked once a run: every builtin image needs it twice.
base_id() {
  if [ ! -e "$RUN_DIR/base-id" ]; then
    image_fact "$BUILTIN_BASE" id >"$RUN_DIR/base-id.$$" ||
      docker image inspect --format "$FORMAT_IMAGE_ID" -- "$BUILTIN_BASE" >"$RUN_DIR/base-id.$$" 2>/dev/null || : >"$RUN_DIR/base-id.$$"
    mv -f "$RUN_DIR/base-id.$$" "$RUN_DIR/base-id" # whole, for the image jobs beside this one
  fi
  cat "$RUN_DIR/base-id"
}

# put_image SOURCE BUILD DOCKERFILE REF REPOSITORY TAG NAME [PREPARED]: builds or tags
# the image as REF, then pushes it.
put_image() {
  local source=$1 build=$2 dockerfile=$3 ref=$4
  if [ "$PLAN" = 1 ]; then
    plan_image "$@"
    return
  fi
  if [ -n "$build" ]; then
    local sum
    sum=$(build_digest "$build" "$dockerfile" "${8:-}")
    if [ "$(built_context "$ref" || true)" != "$sum" ]; then
      local old
      old=$(docker image inspect --format "$FORMAT_IMAGE_ID" -- "$ref" 2>/dev/null || true)
      images_changed
      trace docker build --quiet --label "$LABEL_CONTEXT=$sum" -t "$ref" -f "$build/$dockerfile" "$build" >/dev/null
      drop_replaced "$old"
    fi
  elif ! tagged "$source" "$ref"; then
    docker image inspect -- "$source" >/dev/null 2>&1 || fail "image $source is not on this host; build or pull it first"
    images_changed
    trace docker tag -- "$source" "$ref"
  fi
  wait_registry
  push_image "$ref" "$5" "$6" "$7"
}

# tagged SOURCE REF: REF names SOURCE's image already (one inspect of
# both, which fails if either is missing): an unchanged image is not
# tagged again.
tagged() {
  local ids have
  if ids=$(image_fact "$1" id) && have=$(image_fact "$2" id); then
    [ -n "$ids" ] && [ "$ids" = "$have" ]
    return
  fi
  ids=$(docker image inspect --format "$FORMAT_IMAGE_ID" -- "$1" "$2" 2>/dev/null) || return 1
  [ "$ids" = "${ids%%$'\n'*}"$'\n'"${ids%%$'\n'*}" ]
}

# mirror_image REF PUSH-REF REPOSITORY TAG DIGEST: puts a Docker Hub image
# a stack names into the lab registry under its Hub path, where the nodes'
# engines find it (--registry-mirror): from this host's image store, else
# pulled here once; no node pulls from outside.
mirror_image() {
  local ref=$1 push=$2 why
  if [ "$PLAN" = 1 ]; then
    mirrored "$@" || act + image "$ref" "into the lab registry (Docker Hub mirror)" true
    return
  fi
  wait_registry
  if mirrored "$@"; then
    say "$ref unchanged (Docker Hub mirror)"
    return
  fi
  images_changed
  if ! docker image inspect -- "$ref" >/dev/null 2>&1; then
    why=$(trace docker pull --quiet -- "$ref" 2>&1 >/dev/null) ||
      fail "image $ref (a stack's Docker Hub image) is neither on this host nor pullable: $(printf '%s\n' "$why" | awk 'NF { l = $0 } END { sub(/^Error response from daemon: /, "", l); print l }'); pull it where there is a connection, or swarmgen images load a bundle"
  fi
  trace docker tag -- "$ref" "$push"
  act . image "$ref" "" push_ref "$push"
  say "$ref pushed (Docker Hub mirror)"
}

# mirrored REF PUSH-REF REPOSITORY TAG DIGEST: does the lab registry hold
# the image already? Pinned by digest: that manifest is there. By tag: the
# host's image is the one there (same digest); a host without the image
# takes the registry's (no pull for an image the lab has).
mirrored() {
  if [ -n "$5" ]; then
    registry_has "$3" "$5"
  elif image_fact "$1" id >/dev/null || docker image inspect -- "$1" >/dev/null 2>&1; then
    in_registry "$1" "$2" "$3" "$4"
  else
    registry_has "$3" "$4"
  fi
}

# registry_has REPOSITORY TAG-OR-DIGEST: the lab registry answers 200 for
# that manifest.
registry_has() {
  command -v curl >/dev/null 2>&1 || return 1
  curl -fsS -o /dev/null -I \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    "http://$REGISTRY_PUSH/v2/$1/manifests/$2" 2>/dev/null
}

# context_digest BUILD DOCKERFILE: a checksum of the build context (every
# file's name and content, every symlink's name and text) and of the
# Dockerfile's name. An image built from it carries it as its
# $LABEL_CONTEXT label: the same context is not built (nor sent to the
# engine) again. A link is never followed (it may lead out of the context,
# to /dev/zero say), and a FIFO, socket or device is refused: reading one
# may never end.
context_digest() {
  local odd
  odd=$(cd "$1" && find . ! -type f ! -type l ! -type d)
  odd=${odd%%$'\n'*}
  [ -z "$odd" ] || fail "the build context $1 holds ${odd#./}, which is not a regular file (a FIFO, socket or device): remove it from the context"
  { printf '%s\n' "$2"; (cd "$1" && {
    find . -type f -exec cksum {} +
    find . -type l -exec sh -c 'for l; do printf "link %s %s\n" "$(readlink "$l" | cksum | cut -d" " -f1)" "$l"; done' sh {} +
  } | LC_ALL=C sort -k 3); } | cksum | awk '{ print $1 "-" $2 }'
}

# built_context REF: the context digest image REF was built from (empty:
# not built by this script); fails when there is no image REF.
built_context() { image_fact "$1" context || docker image inspect --format "$FORMAT_IMAGE_CONTEXT" "$1" 2>/dev/null; }

# drop_replaced ID: removes the image a rebuild replaced, if no tag names
# it any more (a user's own tag keeps it; a container using it makes the
# removal fail, which is fine): rebuilds do not pile up dangling images.
drop_replaced() {
  [ -n "$1" ] || return 0
  [ "$(docker image inspect --format "$FORMAT_IMAGE_TAGS" -- "$1" 2>/dev/null)" = 0 ] || return 0
  docker image rm -- "$1" >/dev/null 2>&1 || true
}


# http_wait_registry: waits until the registry answers this host (the
# pushes start while the nodes, and the registry, are still starting).
http_wait_registry() {
  command -v curl >/dev/null 2>&1 || return 0 # docker push then says why it fails
  local deadline=$((SECONDS + WAIT))
  until curl -fsS -o /dev/null "http://$REGISTRY_PUSH/v2/" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || fail "the lab registry did not answer on $REGISTRY_PUSH within ${WAIT}s; see docker logs $REGISTRY"
    sleep 0.2
  done
}

# load_images SOURCE REF REPOSITORY TAG NAME...: bootstrap.sh load, run by
# swarmgen load: puts host images into the running lab's registry with the
# very put_image that pushes the spec's images (five fields each, as for an
# images[].source), so an image already there (same digest) is skipped.
load_images() {
  if [ "$#" -eq 0 ] || [ $(($# % 5)) -ne 0 ]; then
    fail "usage: bootstrap.sh load SOURCE REF REPOSITORY TAG NAME... (five fields an image; swarmgen load computes them)"
  fi
  local arg
  for arg in "$@"; do
    case "$arg" in
      "" | -* | *[[:space:]]*) fail "bootstrap.sh load: '$arg' is not an image reference" ;;
    esac
  done
  registry_running
  while [ "$#" -gt 0 ]; do
    put_image "$1" "" "" "$2" "$3" "$4" "$5"
    shift 5
  done
}

# The pushes need only the registry, so they run in the background from the
# start while the nodes start and join; the push-images step reports them.
PUSH_PID=
# In plan mode too: the checks run beside the other steps' reads, and
# their plan lines wait in a file for the step (a plan stays in order).
start_push() {
  ( set +e; ( set -euo pipefail; push_images ); echo "$?" >"$PUSH_LOG.rc" ) >"$PUSH_LOG" 2>&1 3>"$PUSH_LOG.plan" &
  PUSH_PID=$!
}

# pushed: waits for the background pushes and reports them.
pushed() {
  until [ -s "$PUSH_LOG.rc" ]; do sleep 0.1; done
  local rc
  rc=$(cat "$PUSH_LOG.rc")
  if [ "$rc" -ne 0 ]; then
    cat "$PUSH_LOG" >&2
    return "$rc"
  fi
  cat "$PUSH_LOG"
  cat "$PUSH_LOG.plan" >&3
}

# push_image REF REPOSITORY TAG NAME: pushes unless the registry already
# holds this very image (same digest).
push_image() {
  local ref=$1 name=$4
  if in_registry "$ref" "$ref" "$2" "$3"; then
    say "$name unchanged"
    return
  fi
  images_changed
  act . image "$name" "" push_ref "$ref"
  say "$name pushed"
}

# http_push_ref REF: pushes the image to the registry REF names.
http_push_ref() { trace docker push --quiet -- "$1" >/dev/null; }

# http_in_registry IMAGE REF REPOSITORY TAG: does the lab registry hold
# IMAGE (a local name or ID) as REPOSITORY:TAG? Its digest there is one of the
# image's RepoDigests (REF's repository) once pushed.
http_in_registry() {
  local remote="" digests
  command -v curl >/dev/null 2>&1 || return 1
  remote=$(registry_curl -fsSI \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    "/v2/$3/manifests/$4" 2>/dev/null |
    tr -d '\r' | awk 'tolower($1) == "docker-content-digest:" { print $2 }' || true)
  [ -n "$remote" ] || return 1
  digests=$(image_fact "$1" digests || docker image inspect --format "$FORMAT_IMAGE_DIGESTS" "$1" 2>/dev/null) || return 1
  has_line "$digests" "${2%:*}@$remote"
}

# untag_pushed SOURCE BUILD DOCKERFILE REF ...: down: the host's tag REF,
# which put_image made to push, goes; the image SOURCE it was made from
# (the user's) stays, and so does any other tag of it.
untag_pushed() {
  docker image inspect -- "$4" >/dev/null 2>&1 || return 0
  act - image "$4" "the host's tag made to push it" docker image rm -- "$4" >/dev/null
}

# registry_curl CURL-ARGS... PATH: asks the lab registry for PATH as a
# docker client reaches it: the lab's own registry over http; an existing
# one (REGISTRY_TLS=1, registry.address) over https first, trusting what
# the host's docker trusts for it (/etc/docker/certs.d/HOST:PORT), then
# over http, as docker falls back for a registry without TLS.
registry_curl() {
  local path=${*: -1} certs=/etc/docker/certs.d/$REGISTRY_PUSH tls=() rc=0
  set -- "${@:1:$(($# - 1))}"
  if [ "${REGISTRY_TLS:-}" = 1 ]; then
    if [ -f "$certs/ca.crt" ]; then tls+=(--cacert "$certs/ca.crt"); fi
    if [ -f "$certs/client.cert" ] && [ -f "$certs/client.key" ]; then tls+=(--cert "$certs/client.cert" --key "$certs/client.key"); fi
    curl "$@" ${tls[@]+"${tls[@]}"} "https://$REGISTRY_PUSH$path" || rc=$?
    # 0: it answered; 22: it answered over https with an HTTP error
    if [ "$rc" -eq 0 ] || [ "$rc" -eq 22 ]; then return "$rc"; fi
  fi
  curl "$@" "http://$REGISTRY_PUSH$path"
}

# plan_image SOURCE BUILD DOCKERFILE REF REPOSITORY TAG NAME [PREPARED]: in plan mode,
# whether put_image would push: an image to build whose context changed
# since REF was built (context_digest) is rebuilt and pushed.
plan_image() {
  local image=$1 have
  if [ -n "$2" ]; then
    if [ ! -d "$2" ] || ! have=$(built_context "$4"); then
      act + image "$7" "build from $2 and push" true
      return
    fi
    if [ "$have" != "$(build_digest "$2" "$3" "${8:-}")" ]; then
      act '~' image "$7" "rebuild from $2 (its build context changed) and push" true
      return
    fi
    image=$4
  fi
  in_registry "$image" "$4" "$5" "$6" || act + image "$7" push true
}
