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
#   INPUT_ARGS     more flags of `swarmgen up` (e.g. --yes for a lab of
#                  machines): words split on blanks and newlines, never
#                  evaluated by a shell; each must be a flag (-x, --name,
#                  --name=value); -f, -o and --wait are the inputs spec, dir
#                  and wait
# Outputs ($GITHUB_OUTPUT): lab, spec, dir, bin, logs (only after a failure),
# context (the lab's docker context, unless docker_endpoint: false).
# Environment of later steps ($GITHUB_ENV): SWARMGEN_FILE and SWARMGEN_OUT
# (so `swarmgen status` needs no flags), SWARMGEN_LAB; $GITHUB_PATH gets the
# directory of the swarmgen binary.
#
# Every failure prints a ::error:: line. Inputs reach the log only escaped
# as GitHub's workflow commands escape data (% %0D %0A), so no input can
# start a line the runner takes for a command of its own.
set -eEuo pipefail

ACTION_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TEMP=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
BIN_DIR=$TEMP/swarmgen-bin
LOGS_DIR=$TEMP/swarmgen-logs
MODULE=github.com/swarmgen/swarmgen

# escape TEXT: TEXT as a workflow command's data: %, CR and LF escaped
# (https://docs.github.com/actions/reference/workflow-commands-for-github-actions).
escape() {
	local s=$1
	s=${s//[%]/%25}
	s=${s//$'\r'/%0D}
	s=${s//$'\n'/%0A}
	printf '%s' "$s"
}

# say TEXT...: a line of the log, escaped.
say() { printf '%s\n' "$(escape "$*")"; }

# error TEXT...: a ::error:: line, escaped.
error() { printf '::error::%s\n' "$(escape "$*")" >&2; }

fail() {
	error "$@"
	exit 1
}

# a command that fails outside fail (set -e) still says so
trap 'rc=$?; error "action/run.sh line $LINENO: $BASH_COMMAND failed (exit $rc)"; exit "$rc"' ERR

# emit FILE KEY VALUE: one KEY=VALUE line for the runner (no-op outside it).
emit() {
	local file=$1 key=$2 value=$3
	[[ $value != *$'\n'* && $value != *$'\r'* ]] || fail "$key has a newline: $value"
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
		[[ $INPUT_VERSION =~ ^v?[0-9A-Za-z][0-9A-Za-z.+-]*$ ]] ||
			fail "input version: '$INPUT_VERSION' is not a version (e.g. v0.4.0, latest, or a commit)"
		say "installing swarmgen $INPUT_VERSION"
		CGO_ENABLED=0 GOBIN=$BIN_DIR go install "$MODULE/cmd/swarmgen@$INPUT_VERSION" ||
			fail "go install $MODULE/cmd/swarmgen@$INPUT_VERSION failed (input version); its output is above"
	else
		say "building swarmgen from $ACTION_ROOT"
		(cd "$ACTION_ROOT" && CGO_ENABLED=0 go build -o "$BIN_DIR/swarmgen" ./cmd/swarmgen) ||
			fail "building swarmgen from $ACTION_ROOT failed; its output is above"
	fi
	"$BIN_DIR/swarmgen" --version || fail "$BIN_DIR/swarmgen --version failed"
}

# up_args: INPUT_ARGS as words into UP_ARGS: split on blanks and newlines
# (read: no quotes, no globs, no expansion), each a flag; refused, naming
# the input, otherwise.
UP_ARGS=()
up_args() {
	local words=() w
	[[ -n ${INPUT_ARGS:-} ]] || return 0
	IFS=$' \t\n' read -r -d '' -a words <<<"$INPUT_ARGS" || true
	for w in ${words[@]+"${words[@]}"}; do
		case $w in
		-f | -f=* | --file | --file=* | -o | -o=* | --out | --out=* | --wait | --wait=*)
			fail "input args: $w is set by the action's inputs (spec, dir, wait); use those" ;;
		esac
		[[ $w =~ ^(-[A-Za-z]|--[a-z][a-z0-9-]*(=[-A-Za-z0-9._:/@+,=]*)?)$ ]] ||
			fail "input args: '$w' is not a flag of swarmgen up; give flags only (-y, --yes, --name=value), separated by blanks"
		UP_ARGS+=("$w")
	done
}

# outside_flag: --allow-outside-spec-dir when args has it: render and down
# read the same spec as up.
outside_flag() {
	case " ${UP_ARGS[*]-} " in
	*" --allow-outside-spec-dir "*) printf '%s\n' --allow-outside-spec-dir ;;
	esac
}

# lab_name DIR: the lab's name, from the files render wrote in DIR, as the
# CLI names it: a lab of machines has LAB= in bootstrap.sh's header (and no
# docker-compose.yml), a lab of containers is the compose project.
lab_name() {
	local name=""
	if [[ -f $1/bootstrap.sh ]]; then
		name=$(sed -n -e "/^# --- runtime ---/q" -e "s/^LAB='\(.*\)'\$/\1/p" "$1/bootstrap.sh")
	fi
	if [[ -z $name && -f $1/docker-compose.yml ]]; then
		name=$(sed -n 's/^name: "\(.*\)"$/\1/p' "$1/docker-compose.yml")
	fi
	[[ $name =~ ^[a-z0-9][a-z0-9_-]*$ ]] ||
		fail "no lab name in $1 (LAB= in bootstrap.sh's header, or name: in docker-compose.yml); is $1 swarmgen's output?"
	printf '%s\n' "$name"
}

cmd_up() {
	local spec dir lab rc=0
	spec=$(absolute "${INPUT_SPEC:-swarm.yaml}")
	[[ -f $spec ]] || fail "no spec at $spec (input spec)"
	dir=$(absolute "${INPUT_DIR:-$(dirname "$spec")}")
	up_args
	install_swarmgen
	[[ -z ${GITHUB_PATH:-} ]] || printf '%s\n' "$BIN_DIR" >>"$GITHUB_PATH"
	local sg=$BIN_DIR/swarmgen

	# Render first: a bad spec stops here with its file:line errors, and the
	# lab's name (the compose project) is known before anything starts, so
	# down and the logs find the lab even when up fails.
	# shellcheck disable=SC2046 # one word or none
	"$sg" render -f "$spec" -o "$dir" $(outside_flag) ||
		fail "swarmgen render failed (exit $?) for $spec (input spec); its errors are above"
	lab=$(lab_name "$dir") || exit 1 # lab_name said why
	emit "${GITHUB_OUTPUT:-}" lab "$lab"
	emit "${GITHUB_OUTPUT:-}" spec "$spec"
	emit "${GITHUB_OUTPUT:-}" dir "$dir"
	emit "${GITHUB_OUTPUT:-}" bin "$sg"
	emit "${GITHUB_ENV:-}" SWARMGEN_FILE "$spec"
	emit "${GITHUB_ENV:-}" SWARMGEN_OUT "$dir"
	emit "${GITHUB_ENV:-}" SWARMGEN_LAB "$lab"

	"$sg" up -f "$spec" -o "$dir" --wait="${INPUT_WAIT:-5m}" ${UP_ARGS[@]+"${UP_ARGS[@]}"} || rc=$?
	if [[ $rc -ne 0 ]]; then
		local bundle=$LOGS_DIR/swarmgen-logs-$lab.tar.gz
		mkdir -p "$LOGS_DIR"
		if "$sg" export-logs -f "$spec" -o "$dir" "$bundle"; then
			emit "${GITHUB_OUTPUT:-}" logs "$bundle"
			error "swarmgen up failed (exit $rc); the lab's logs are in $bundle"
		else
			error "swarmgen up failed (exit $rc), and so did export-logs"
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
	up_args
	[[ -x $sg ]] || install_swarmgen
	# mode down is the request: a lab of machines is not asked about again
	# shellcheck disable=SC2046 # one word or none
	"$sg" down -f "$spec" -o "$dir" --yes $(outside_flag) || fail "swarmgen down failed (exit $?) for $spec; see its output above"
}

mode=${1:-${INPUT_MODE:-up}}
case $mode in
up) cmd_up ;;
down) cmd_down ;;
*) fail "usage: run.sh [up|down] (or INPUT_MODE); got '$mode'" ;;
esac
