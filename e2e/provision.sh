#!/usr/bin/env bash
# e2e/provision.sh — prepare this machine for swarmgen's end-to-end test.
#
# Run as root on Debian bookworm (no container registry needed: every image is
# built locally from Debian packages and the Go module proxy). Idempotent:
# every step whose result is already there is skipped, so a second run takes
# seconds. Prints one line per step with its duration, then the images.
#
# Provisions:
#   - Debian packages docker.io, iptables, debootstrap, shellcheck, chromium
#     (the visualizer page is checked in headless Chromium), curl, stress-ng,
#     openssl (bootstrap.sh makes the labs' endpoint certificates with it)
#     (the CPU load of the up-under-load test)
#   - a running Docker engine (dockerd, log in /tmp/dockerd.log)
#   - the docker compose v2 CLI plugin (built from the Go module proxy)
#   - goreleaser in /usr/local/bin (built from the Go module proxy), for the
#     release config's test (internal/release)
#   - images:
#       swarmgen-e2e/registry:3           distribution registry v3 (FROM scratch)
#       swarmgen-e2e/dind:bookworm        Docker-in-Docker swarm node (debootstrap)
#       yutsuki/echo:latest               examples/echo (FROM scratch)
#       swarmgen-e2e/nginx-proxy:latest   proxy of / to $BACKEND_HOST (FROM scratch)
#
# Environment:
#   SWARMGEN_E2E_CACHE   cache of rootfs tarballs and binaries kept between
#                        runs (default /var/cache/swarmgen-e2e)
#   SWARMGEN_E2E_MIRROR  Debian mirror for debootstrap (default: the first
#                        one of the machine's apt sources)
#   SWARMGEN_E2E_FORCE   set to 1 to rebuild every image
#   SWARMGEN_E2E_PARALLEL      0 to run every step in sequence (default 1:
#                        the Go builds run while debootstrap works)
#   SWARMGEN_E2E_DOCKERD_ARGS  extra arguments for dockerd when the script
#                        starts it (e.g. a second engine: --host=unix://...
#                        --data-root=... --exec-root=... --pidfile=...)
#   SWARMGEN_E2E_DOCKERD_LOG   dockerd's log file (default /tmp/dockerd.log)
#
# An image is rebuilt when it is missing or when its label
# org.swarmgen.e2e.inputs (a hash of its inputs: files under e2e/images/ or
# examples/, versions, package lists) differs from the current inputs.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${SWARMGEN_E2E_CACHE:-/var/cache/swarmgen-e2e}
FORCE=${SWARMGEN_E2E_FORCE:-0}
PARALLEL=${SWARMGEN_E2E_PARALLEL:-1}
DOCKERD_LOG=${SWARMGEN_E2E_DOCKERD_LOG:-/tmp/dockerd.log}
read -r -a DOCKERD_ARGS <<<"${SWARMGEN_E2E_DOCKERD_ARGS:-}"

COMPOSE_MODULE=github.com/docker/compose/v2
COMPOSE_VERSION=v2.40.3
GORELEASER_PACKAGE=github.com/goreleaser/goreleaser/v2
GORELEASER_VERSION=v2.15.1 # newer ones need a newer Go
GORELEASER_BIN=/usr/local/bin/goreleaser
REGISTRY_PACKAGE=github.com/distribution/distribution/v3/cmd/registry
REGISTRY_VERSION=v3.1.2
SUITE=bookworm
DIND_INCLUDE=docker.io,iptables,ca-certificates,procps,iproute2

IMG_REGISTRY=swarmgen-e2e/registry:3
IMG_DIND=swarmgen-e2e/dind:bookworm
IMG_ECHO=yutsuki/echo:latest
IMG_NGINX=swarmgen-e2e/nginx-proxy:latest
INPUTS_LABEL=org.swarmgen.e2e.inputs

export DEBIAN_FRONTEND=noninteractive
export DOCKER_BUILDKIT=0 # classic builder: FROM scratch needs no pull

WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/swarmgen-provision.XXXXXX")
CURRENT_STEP=""
CURRENT_LOG=""
RESULT=""
declare -A BG_PID=() BG_T0=()

cleanup() {
	local rc=$?
	set +e
	if [[ $rc -ne 0 && -n $CURRENT_STEP ]]; then
		echo "provision: step '$CURRENT_STEP' FAILED (exit $rc)" >&2
		if [[ -s $CURRENT_LOG ]]; then
			echo "---- last lines of its log ----" >&2
			tail -n 40 "$CURRENT_LOG" >&2
			echo "-------------------------------" >&2
		fi
	fi
	# Stop background steps still running (after a failure elsewhere).
	local pid
	for pid in "${BG_PID[@]}"; do
		pkill -TERM -P "$pid" 2>/dev/null || true
		kill "$pid" 2>/dev/null || true
	done
	# Wait only for our own steps: a bare `wait` would also wait for the
	# dockerd started below and hang the caller forever.
	for pid in "${BG_PID[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	# debootstrap mounts proc/sys in its target; never rm -rf through a mount.
	local m
	findmnt -rn -o TARGET 2>/dev/null | grep -F "$WORK/" | sort -r | while read -r m; do
		umount -l "$m"
	done
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT

now() { echo "${EPOCHREALTIME/,/.}"; }

print_step() { # print_step NAME RESULT T0 T1
	printf 'provision: %-12s %-58s %6.1fs\n' "$1" "$2" "$(awk -v a="$3" -v b="$4" 'BEGIN { print b - a }')"
}

# step NAME FUNCTION: run FUNCTION (its output goes to a log that is shown on
# failure), then print one line with the result it left in RESULT and the
# duration.
step() {
	local name=$1 fn=$2 t0
	CURRENT_STEP=$name
	CURRENT_LOG=$WORK/$name.log
	RESULT="done"
	t0=$(now)
	"$fn" >>"$CURRENT_LOG" 2>&1
	print_step "$name" "$RESULT" "$t0" "$(now)"
	CURRENT_STEP=""
}

# bg_step NAME FUNCTION: like step, but in the background (the long Go builds
# run while the root filesystems are debootstrapped); bg_wait NAME waits for
# it and prints its line.
bg_step() {
	local name=$1 fn=$2
	if [[ $PARALLEL == 0 ]]; then
		step "$name" "$fn"
		return
	fi
	BG_T0[$name]=$(now)
	(
		RESULT="done"
		"$fn"
		printf '%s\n' "$RESULT" >"$WORK/$name.result"
		now >"$WORK/$name.end"
	) >"$WORK/$name.log" 2>&1 &
	BG_PID[$name]=$!
}
bg_wait() {
	local name=$1
	[[ -n ${BG_PID[$name]:-} ]] || return 0
	CURRENT_STEP=$name
	CURRENT_LOG=$WORK/$name.log
	wait "${BG_PID[$name]}"
	unset "BG_PID[$name]"
	print_step "$name" "$(cat "$WORK/$name.result")" "${BG_T0[$name]}" "$(cat "$WORK/$name.end")"
	CURRENT_STEP=""
}

# inputs_hash WORDS... : hash of the given strings and, for words naming
# existing files, of their contents.
inputs_hash() {
	local w
	for w in "$@"; do
		printf '%s\n' "${w#"$REPO_ROOT"/}" # independent of the clone's path
		if [[ -f $w ]]; then
			sha256sum <"$w"
		fi
	done | sha256sum | cut -c1-16
}

# image_current IMAGE HASH: is IMAGE there, built from inputs HASH?
image_current() {
	local got
	[[ $FORCE == 1 ]] && return 1
	got=$(docker image inspect -f "{{index .Config.Labels \"$INPUTS_LABEL\"}}" "$1" 2>/dev/null) || return 1
	[[ $got == "$2" ]]
}

# go_tool DIR NAME PACKAGE@VERSION: a static `go install` of the program
# NAME into DIR (under the cache) unless it is there; GO_TOOL_BUILT says
# whether it was built.
GO_TOOL_BUILT=0
go_tool() {
	GO_TOOL_BUILT=0
	[[ -x $1/$2 ]] && return
	mkdir -p "$1"
	(cd "$WORK" && CGO_ENABLED=0 GOBIN="$1" go install -trimpath -ldflags='-s -w' "$3")
	GO_TOOL_BUILT=1
}

gobuild() { # gobuild OUT PACKAGE: static build from the repository's module
	(cd "$REPO_ROOT" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$1" "$2")
}

# ---------------------------------------------------------------- packages --

step_packages() {
	local missing=() cmd pkg
	for pair in dockerd:docker.io iptables:iptables debootstrap:debootstrap shellcheck:shellcheck chromium:chromium curl:curl stress-ng:stress-ng openssl:openssl; do
		cmd=${pair%%:*}
		pkg=${pair#*:}
		if ! PATH=$PATH:/usr/sbin:/sbin command -v "$cmd" >/dev/null 2>&1; then
			missing+=("$pkg")
		fi
	done
	if [[ ${#missing[@]} -eq 0 ]]; then
		RESULT="skipped (dockerd, iptables, debootstrap, shellcheck, chromium, curl, stress-ng, openssl present)"
		return
	fi
	apt-get update -q
	apt-get install -y -q "${missing[@]}"
	RESULT="installed ${missing[*]}"
}

# ------------------------------------------------------------------ engine --

step_engine() {
	if docker info >/dev/null 2>&1; then
		RESULT="skipped (docker info answers)"
		return
	fi
	# setsid + nohup in a subshell: the daemon survives this script and its
	# session, and is not this shell's child, so nothing here waits for it.
	(setsid nohup dockerd "${DOCKERD_ARGS[@]}" >"$DOCKERD_LOG" 2>&1 </dev/null &)
	local i
	for ((i = 0; i < 120; i++)); do
		if docker info >/dev/null 2>&1; then
			RESULT="started dockerd (log $DOCKERD_LOG)"
			return
		fi
		sleep 0.5
	done
	echo "dockerd did not answer within 60 s; tail of $DOCKERD_LOG:"
	tail -n 30 "$DOCKERD_LOG"
	return 1
}

# ----------------------------------------------------------------- compose --

step_compose() {
	local plugin_dir=${DOCKER_CONFIG:-${HOME:-/root}/.docker}/cli-plugins
	local cached=$CACHE/bin/docker-compose-$COMPOSE_VERSION
	if docker compose version >/dev/null 2>&1; then
		RESULT="skipped ($(docker compose version --short 2>/dev/null || echo present))"
		return
	fi
	if [[ ! -x $cached ]]; then
		local json dir
		json=$(cd "$WORK" && go mod download -json "$COMPOSE_MODULE@$COMPOSE_VERSION")
		dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")
		[[ -d $dir ]] || {
			echo "go mod download printed no Dir: $json"
			return 1
		}
		# The module cache is read-only and go build may want to write go.sum:
		# build in a writable copy.
		cp -r "$dir" "$WORK/compose-src"
		chmod -R u+w "$WORK/compose-src"
		mkdir -p "$CACHE/bin"
		(cd "$WORK/compose-src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath \
			-ldflags "-s -w -X $COMPOSE_MODULE/internal.Version=$COMPOSE_VERSION" \
			-o "$cached.tmp" ./cmd)
		mv "$cached.tmp" "$cached"
		RESULT="built $COMPOSE_VERSION"
	else
		RESULT="installed $COMPOSE_VERSION from cache"
	fi
	mkdir -p "$plugin_dir"
	install -m 0755 "$cached" "$plugin_dir/docker-compose"
	docker compose version
}

# -------------------------------------------------------------- goreleaser --

step_goreleaser() {
	local cached=$CACHE/bin/goreleaser-$GORELEASER_VERSION
	if [[ -x $GORELEASER_BIN && $("$GORELEASER_BIN" --version 2>/dev/null) == *"$GORELEASER_VERSION"* ]]; then
		RESULT="skipped ($GORELEASER_VERSION present)"
		return
	fi
	go_tool "$cached" goreleaser "$GORELEASER_PACKAGE@$GORELEASER_VERSION"
	if [[ $GO_TOOL_BUILT == 1 ]]; then
		RESULT="built $GORELEASER_VERSION"
	else
		RESULT="installed $GORELEASER_VERSION from cache"
	fi
	install -m 0755 "$cached/goreleaser" "$GORELEASER_BIN"
}

# ------------------------------------------------------------------ images --

step_registry() {
	local src=$REPO_ROOT/e2e/images/registry hash bin_dir=$CACHE/bin/registry-$REGISTRY_VERSION
	hash=$(inputs_hash "$REGISTRY_PACKAGE@$REGISTRY_VERSION" "$src/Dockerfile" "$src/config.yml")
	if image_current "$IMG_REGISTRY" "$hash"; then
		RESULT="skipped (image present)"
		return
	fi
	go_tool "$bin_dir" registry "$REGISTRY_PACKAGE@$REGISTRY_VERSION"
	if [[ $GO_TOOL_BUILT == 1 ]]; then
		RESULT="built registry $REGISTRY_VERSION, image"
	else
		RESULT="image built (registry binary from cache)"
	fi
	local ctx=$WORK/registry-ctx
	mkdir -p "$ctx"
	cp "$src/Dockerfile" "$src/config.yml" "$bin_dir/registry" "$ctx/"
	docker build -q --label "$INPUTS_LABEL=$hash" -t "$IMG_REGISTRY" "$ctx"
}

# debian_mirror: the Debian mirror of the machine's apt sources.
debian_mirror() {
	if [[ -n ${SWARMGEN_E2E_MIRROR:-} ]]; then
		echo "$SWARMGEN_E2E_MIRROR"
		return
	fi
	local m=""
	if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
		# deb822: the URIs of the first stanza whose Suites has the suite.
		m=$(awk -v suite="$SUITE" '
			/^[[:space:]]*$/ { if (uri != "" && ok) { print uri; exit } uri = ""; ok = 0; next }
			$1 == "URIs:" { uri = $2 }
			$1 == "Suites:" { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
			END { if (uri != "" && ok) print uri }' /etc/apt/sources.list.d/debian.sources | head -n 1)
	fi
	if [[ -z $m && -f /etc/apt/sources.list ]]; then
		m=$(awk -v suite="$SUITE" '$1 == "deb" {
				i = 2; if ($i ~ /^\[/) while ($i !~ /\]$/) i++
				if ($i ~ /^\[/ || $i ~ /\]$/) i++
				if ($(i + 1) == suite) { print $i; exit } }' /etc/apt/sources.list)
	fi
	echo "${m:-http://deb.debian.org/debian}"
}

# rootfs_tarball NAME INCLUDE: set ROOTFS_TARBALL to a cached, trimmed
# minbase rootfs tarball with the INCLUDE packages (debootstrapped first if not
# cached yet) and ROOTFS_RESULT to what was done.
ROOTFS_TARBALL=""
ROOTFS_RESULT=""
CHANGES=()
rootfs_tarball() {
	local name=$1 include=$2 mirror hash
	mirror=$(debian_mirror)
	hash=$(inputs_hash "$SUITE" "$include" "$mirror")
	ROOTFS_TARBALL=$CACHE/rootfs/$name-$SUITE-$hash.tar
	if [[ -f $ROOTFS_TARBALL ]]; then
		ROOTFS_RESULT="rootfs from cache"
		return
	fi
	local root=$WORK/$name-rootfs
	echo "debootstrap --include=$include $SUITE from $mirror"
	debootstrap --variant=minbase --include="$include" "$SUITE" "$root" "$mirror"
	# Trim what a container does not need (about 200 MB).
	rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin \
		"$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
		"$root"/usr/share/info/* "$root"/usr/share/locale/* "$root"/debootstrap
	mkdir -p "$CACHE/rootfs"
	rm -f "$CACHE/rootfs/$name-$SUITE-"*.tar # older variants
	tar -C "$root" --numeric-owner -cf "$ROOTFS_TARBALL.tmp" .
	mv "$ROOTFS_TARBALL.tmp" "$ROOTFS_TARBALL"
	rm -rf "$root"
	ROOTFS_RESULT="debootstrapped rootfs"
}

# import_rootfs TARBALL IMAGE HASH FILES... : docker import of TARBALL plus
# FILES (pairs SOURCE DEST-IN-ROOTFS; mode 0755 if SOURCE is executable, else
# 0644), with the --change options in the CHANGES array.
import_rootfs() {
	local tarball=$1 image=$2 hash=$3
	shift 3
	local tmp=$WORK/import.tar extra=$WORK/extra
	rm -rf "$extra"
	mkdir -p "$extra"
	cp "$tarball" "$tmp"
	local files=()
	while [[ $# -gt 0 ]]; do
		if [[ -x $1 ]]; then
			install -D -m 0755 "$1" "$extra/$2"
		else
			install -D -m 0644 "$1" "$extra/$2"
		fi
		files+=("./$2")
		shift 2
	done
	tar -C "$extra" --owner=0 --group=0 --numeric-owner -rf "$tmp" "${files[@]}"
	local args=() c
	for c in "${CHANGES[@]}"; do
		args+=(-c "$c")
	done
	docker import "${args[@]}" -c "LABEL $INPUTS_LABEL=$hash" "$tmp" "$image"
	rm -f "$tmp"
}

step_dind() {
	local src=$REPO_ROOT/e2e/images/dind hash
	hash=$(inputs_hash "$SUITE" "$DIND_INCLUDE" "$(debian_mirror)" "$src/entrypoint.sh")
	if image_current "$IMG_DIND" "$hash"; then
		RESULT="skipped (image present)"
		return
	fi
	rootfs_tarball dind "$DIND_INCLUDE"
	CHANGES=(
		'ENTRYPOINT ["/usr/local/bin/swarmgen-node-entrypoint"]'
		'CMD []'
		'VOLUME /var/lib/docker'
	)
	import_rootfs "$ROOTFS_TARBALL" "$IMG_DIND" "$hash" \
		"$src/entrypoint.sh" usr/local/bin/swarmgen-node-entrypoint
	RESULT="$ROOTFS_RESULT, imported image"
}

step_nginx() { go_image "$IMG_NGINX" e2e/images/nginx-proxy nginx-proxy; }

# go_image IMAGE DIR BINARY [PACKAGE_DIR...]: FROM scratch image of the Go
# program in DIR (relative to the repository root) with DIR/Dockerfile; the
# sources of the PACKAGE_DIRs it imports count among its inputs.
go_image() {
	local image=$1 dir=$2 bin=$3 hash ctx d sources=()
	for d in "$dir" "${@:4}"; do sources+=("$REPO_ROOT/$d"/*.go); done
	hash=$(inputs_hash "$(go env GOVERSION)" "${sources[@]}" "$REPO_ROOT/$dir/Dockerfile")
	if image_current "$image" "$hash"; then
		RESULT="skipped (image present)"
		return
	fi
	ctx=$WORK/$bin-ctx
	mkdir -p "$ctx"
	gobuild "$ctx/$bin" "./$dir"
	cp "$REPO_ROOT/$dir/Dockerfile" "$ctx/"
	docker build -q --label "$INPUTS_LABEL=$hash" -t "$image" "$ctx"
	RESULT="built image"
}

step_echo() { go_image "$IMG_ECHO" examples/echo echo internal/echoserver; }

# -------------------------------------------------------------------- main --

main() {
	if [[ $(id -u) -ne 0 ]]; then
		echo "provision: must run as root" >&2
		exit 1
	fi
	command -v go >/dev/null 2>&1 || {
		echo "provision: go is required" >&2
		exit 1
	}
	local t0
	t0=$(now)
	step packages step_packages
	step engine step_engine
	# The Go builds (CPU) run while debootstrap (network, disk) works.
	bg_step compose step_compose
	bg_step registry step_registry
	bg_step goreleaser step_goreleaser
	step dind step_dind
	step nginx-proxy step_nginx
	step echo step_echo
	bg_wait compose
	bg_wait registry
	bg_wait goreleaser
	print_step total "" "$t0" "$(now)"
	echo
	docker images | awk -v want="$IMG_REGISTRY $IMG_DIND $IMG_ECHO $IMG_NGINX" \
		'NR == 1 || index(" " want " ", " " $1 ":" $2 " ")'
}

main "$@"
