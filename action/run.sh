#!/usr/bin/env bash
# action/run.sh — every shell step of the swarmgen GitHub action (action.yml).
# e2e/action_test.go runs it against a real engine, so the action cannot rot.
#
#   run.sh up     install swarmgen, bring the lab up (swarmgen up --wait) and
#                 tell later steps where it is; if up fails, export the lab's
#                 logs to $RUNNER_TEMP/swarmgen-logs/ (action.yml uploads them)
#   run.sh down   take the lab down (swarmgen down); the spec is the one up
#                 exported in $SWARMGEN_FILE unless INPUT_SPEC says otherwise
#
# The mode is the first argument, else INPUT_MODE, else up.
# Inputs (the action's `with:`, as GitHub names them for actions):
#   INPUT_SPEC     the lab spec (default swarm.yaml; for down, $SWARMGEN_FILE)
#   INPUT_DIR      where the generated files go (default: the spec's directory)
#   INPUT_WAIT     swarmgen up --wait (default 5m)
#   INPUT_VERSION  a swarmgen version to `go install` (default: build the
#                  action's own checkout)
# Outputs ($GITHUB_OUTPUT): lab, spec, dir, bin, logs (only after a failure),
# context (the lab's docker context, unless docker_endpoint: false).
# Environment of later steps ($GITHUB_ENV): SWARMGEN_FILE and SWARMGEN_OUT
# (so `swarmgen status` needs no flags), SWARMGEN_LAB; $GITHUB_PATH gets the
# directory of the swarmgen binary.
set -euo pipefail

ACTION_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TEMP=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
BIN_DIR=$TEMP/swarmgen-bin
LOGS_DIR=$TEMP/swarmgen-logs
MODULE=github.com/swarmgen/swarmgen

fail() {
	echo "::error::$*" >&2
	exit 1
}

# emit FILE KEY VALUE: one KEY=VALUE line for the runner (no-op outside it).
emit() {
	local file=$1 key=$2 value=$3
	[[ $value != *$'\n'* ]] || fail "$key has a newline: $value"
	if [[ -n $file ]]; then
		printf '%s=%s\n' "$key" "$value" >>"$file"
	fi
}

absolute() { # absolute PATH: PATH from the current directory, made absolute
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$PWD" "${1#./}" ;;
	esac
}

# install_swarmgen: swarmgen into $BIN_DIR, static (up copies it into the
# builtin images), from INPUT_VERSION or from the action's own checkout.
install_swarmgen() {
	mkdir -p "$BIN_DIR"
	if [[ -n ${INPUT_VERSION:-} ]]; then
		echo "installing swarmgen $INPUT_VERSION"
		CGO_ENABLED=0 GOBIN=$BIN_DIR go install "$MODULE/cmd/swarmgen@$INPUT_VERSION"
	else
		echo "building swarmgen from $ACTION_ROOT"
		(cd "$ACTION_ROOT" && CGO_ENABLED=0 go build -o "$BIN_DIR/swarmgen" ./cmd/swarmgen)
	fi
	"$BIN_DIR/swarmgen" --version
}

cmd_up() {
	local spec dir lab rc=0
	spec=$(absolute "${INPUT_SPEC:-swarm.yaml}")
	[[ -f $spec ]] || fail "no spec at $spec (input spec)"
	dir=$(absolute "${INPUT_DIR:-$(dirname "$spec")}")
	install_swarmgen
	[[ -z ${GITHUB_PATH:-} ]] || printf '%s\n' "$BIN_DIR" >>"$GITHUB_PATH"
	local sg=$BIN_DIR/swarmgen

	# Render first: a bad spec stops here with its file:line errors, and the
	# lab's name (the compose project) is known before anything starts, so
	# down and the logs find the lab even when up fails.
	"$sg" render -f "$spec" -o "$dir"
	lab=$(sed -n 's/^name: "\(.*\)"$/\1/p' "$dir/docker-compose.yml")
	[[ -n $lab ]] || fail "no project name in $dir/docker-compose.yml"
	emit "${GITHUB_OUTPUT:-}" lab "$lab"
	emit "${GITHUB_OUTPUT:-}" spec "$spec"
	emit "${GITHUB_OUTPUT:-}" dir "$dir"
	emit "${GITHUB_OUTPUT:-}" bin "$sg"
	emit "${GITHUB_ENV:-}" SWARMGEN_FILE "$spec"
	emit "${GITHUB_ENV:-}" SWARMGEN_OUT "$dir"
	emit "${GITHUB_ENV:-}" SWARMGEN_LAB "$lab"

	"$sg" up -f "$spec" -o "$dir" --wait "${INPUT_WAIT:-5m}" || rc=$?
	if [[ $rc -ne 0 ]]; then
		local bundle=$LOGS_DIR/swarmgen-logs-$lab.tar.gz
		mkdir -p "$LOGS_DIR"
		if "$sg" export-logs -f "$spec" -o "$dir" "$bundle"; then
			emit "${GITHUB_OUTPUT:-}" logs "$bundle"
			echo "::error::swarmgen up failed (exit $rc); the lab's logs are in $bundle" >&2
		else
			echo "::error::swarmgen up failed (exit $rc), and so did export-logs" >&2
		fi
		exit "$rc"
	fi
	# the docker context bootstrap.sh registered (none with docker_endpoint: false)
	local ctx
	ctx=$(sed -n "s/^API_CONTEXT='\(.*\)'\$/\1/p" "$dir/bootstrap.sh")
	if [[ -n $ctx ]] && docker context inspect "$ctx" >/dev/null 2>&1; then
		emit "${GITHUB_OUTPUT:-}" context "$ctx"
	fi
}

cmd_down() {
	local spec=${INPUT_SPEC:-${SWARMGEN_FILE:-}} dir sg=$BIN_DIR/swarmgen
	if [[ -z $spec ]]; then
		echo "::warning::no lab to take down: neither input spec nor \$SWARMGEN_FILE (did up run?)" >&2
		return 0
	fi
	spec=$(absolute "$spec")
	if [[ -n ${INPUT_SPEC:-} ]]; then
		dir=$(absolute "${INPUT_DIR:-$(dirname "$spec")}")
	else
		dir=${SWARMGEN_OUT:-$(dirname "$spec")}
	fi
	[[ -x $sg ]] || install_swarmgen
	"$sg" down -f "$spec" -o "$dir"
}

mode=${1:-${INPUT_MODE:-up}}
case $mode in
up) cmd_up ;;
down) cmd_down ;;
*) fail "usage: run.sh [up|down] (or INPUT_MODE); got '$mode'" ;;
esac
