package golden

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/swarmgen/swarmgen/internal/ownlabels"
	"github.com/swarmgen/swarmgen/internal/testkit/fakelab"
	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// runSteps runs the generated bootstrap.sh of the classic case up to its
// first step, with body appended: its helpers and step machinery, against
// stand-ins for the real work.
func runSteps(t *testing.T, body string) (string, error) {
	t.Helper()
	out, _, err := runScenario(t, "", body)
	return out, err
}

// checkInOrder fails t unless calls holds each of inOrder, in that order.
func checkInOrder(t *testing.T, calls string, inOrder []string) {
	t.Helper()
	at := 0
	for _, want := range inOrder {
		i := strings.Index(calls[at:], want)
		if i < 0 {
			t.Fatalf("no call %q after the ones before it; calls:\n%s", want, calls)
		}
		at += i
	}
}

// checkCalls fails t unless some docker call has each of want and none
// has any of never.
func checkCalls(t *testing.T, calls string, want, never []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(calls, w) {
			t.Errorf("no call %q; calls:\n%s", w, calls)
		}
	}
	for _, n := range never {
		if strings.Contains(calls, n) {
			t.Errorf("a call has %q; calls:\n%s", n, calls)
		}
	}
}

// runScenario is runSteps with a stub docker on PATH that answers as
// scenario says (see stubdocker); it also returns the docker calls the
// script made. The commands named in also (e.g. curl) are stubbed too.
func runScenario(t *testing.T, scenario, body string, also ...string) (out, calls string, err error) {
	t.Helper()
	return runScript(t, t.TempDir(), scriptPart(t, "classic", body), nil, scenario, also...)
}

// scriptPart is the golden case's bootstrap.sh (its header and the
// runtime) up to where main runs: its variables, helpers and step
// functions, the provider chosen and setup done; then body.
func scriptPart(t *testing.T, golden, body string) string {
	t.Helper()
	script := bootstrapScript(t, golden)
	cut := strings.Index(script, fakelab.MainLine)
	if cut < 0 {
		t.Fatalf("the runtime has no line %q", strings.TrimSpace(fakelab.MainLine))
	}
	return script[:cut] + "\n" + body
}

// runScript runs script as bootstrap.sh in dir with args, with a stub
// docker (and the commands in also) answering as scenario says.
func runScript(t *testing.T, dir, script string, args []string, scenario string, also ...string) (out, calls string, err error) {
	t.Helper()
	stub := stubdocker.New(t, scenario, also...)
	file := filepath.Join(dir, "bootstrap.sh")
	if err := os.WriteFile(file, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", append([]string{file}, args...)...)
	cmd.Env = stub.Env()
	b, err := cmd.CombinedOutput()
	return string(b), stub.Calls(), err
}

// A step stops at its first failing command (set -e is live in it), and
// the script stops at the failing step.
func TestStepStopsAtTheFirstFailure(t *testing.T) {
	out, err := runSteps(t, `
broken() { false; echo "went on after a failure"; }
step broken broken
echo "went on after a failed step"
`)
	if err == nil {
		t.Fatalf("a failing step exited 0:\n%s", out)
	}
	if !strings.Contains(out, "<== broken FAILED") || strings.Contains(out, "went on") {
		t.Errorf("output:\n%s", out)
	}
}

// The pushes run in the background; their step waits for them and fails
// with their output when they fail.
func TestBackgroundPushReportsItsFailure(t *testing.T) {
	out, err := runSteps(t, `
push_images() { say "pushing one"; false; say "went on after a failure"; }
start_push
step push-images pushed
echo "went on after a failed step"
`)
	if err == nil {
		t.Fatalf("a failing push exited 0:\n%s", out)
	}
	for _, want := range []string{"==> push-images", "pushing one", "<== push-images FAILED"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "went on") {
		t.Errorf("went on after a failure:\n%s", out)
	}

	out, err = runSteps(t, `
push_images() { sleep 0.3; say "pushed two"; }
start_push
step push-images pushed
`)
	if err != nil || !strings.Contains(out, "pushed two") || !strings.Contains(out, "<== push-images ok") {
		t.Errorf("a good push: %v\n%s", err, out)
	}
}

// Joins run at most JOIN_PARALLEL at a time, every node is joined, and one
// failed join fails the step.
func TestJoinsAreThrottled(t *testing.T) {
	stubs := `
MANAGERS=(m1) MANAGER_ADDRS=(10.0.0.1)
WORKERS=(w1 w2 w3 w4 w5 w6 w7 w8 w9) WORKER_ADDRS=(a b c d e f g h i)
JOIN_PARALLEL=3
on() { :; } # the leader: empty tokens, no labels; the stub docker: no nodes yet
join_one() {
  mkdir "$RUN_DIR/running-$1"
  n=0 # a glob reads the directory without a stat, so other jobs may come and go
  for f in "$RUN_DIR"/running-*; do n=$((n + 1)); done
  echo "$n" >>"$RUN_DIR/counts"
  sleep 0.4
  rmdir "$RUN_DIR/running-$1"
  echo "$1" >>"$RUN_DIR/joined"
  [ "$1" != "${FAIL_NODE:-}" ]
}
`
	out, err := runSteps(t, stubs+`
step swarm-join swarm_join
echo "max $(sort -n "$RUN_DIR/counts" | tail -n 1) joined $(wc -l <"$RUN_DIR/joined")"
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "max 3 joined 10") {
		t.Errorf("want at most 3 joins at once and 10 joined:\n%s", out)
	}
	out, err = runSteps(t, stubs+`
FAIL_NODE=w5
step swarm-join swarm_join
`)
	if err == nil || !strings.Contains(out, "<== swarm-join FAILED") {
		t.Errorf("a failed join did not fail the step: %v\n%s", err, out)
	}
	out, err = runSteps(t, stubs+`
JOIN_PARALLEL=x
step swarm-join swarm_join
`)
	if err == nil || !strings.Contains(out, "SWARMGEN_JOIN_PARALLEL must be a whole number") {
		t.Errorf("a bad SWARMGEN_JOIN_PARALLEL: %v\n%s", err, out)
	}
}

// The joins pace themselves: two at first, more while joins go well; after
// a join that met a busy or unreachable manager, half as many, and a pause
// that doubles while the trouble lasts.
func TestJoinsPaceThemselves(t *testing.T) {
	stubs := `
MANAGERS=(m1) MANAGER_ADDRS=(10.0.0.1)
WORKERS=(w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14) WORKER_ADDRS=(a b c d e f g h i j k l m n)
on() { :; }
join_one() {
  mkdir "$RUN_DIR/running-$1"
  n=0
  for f in "$RUN_DIR"/running-*; do n=$((n + 1)); done
  echo "$n" >>"$RUN_DIR/counts"
  case " $TROUBLE " in *" $1 "*) join_trouble "$1" "dial tcp 10.0.0.1:2377: connect: no route to host" ;; esac
  sleep 1
  rmdir "$RUN_DIR/running-$1"
  echo "$1" >>"$RUN_DIR/joined"
}
`
	// widening: joins that go well
	out, err := runSteps(t, stubs+`
JOIN_PARALLEL=32 TROUBLE=""
step swarm-join swarm_join
echo "first $(head -n 2 "$RUN_DIR/counts" | sort -n | tail -n 1) max $(sort -n "$RUN_DIR/counts" | tail -n 1) joined $(wc -l <"$RUN_DIR/joined")"
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var first, most, joined int
	if _, err := fmt.Sscanf(out[strings.Index(out, "first "):], "first %d max %d joined %d", &first, &most, &joined); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if first > 2 || most < 3 || joined != 15 {
		t.Errorf("want 2 joins at first, then more (3 or more at once), and 15 joined; got %d at first, %d at most, %d joined:\n%s", first, most, joined, out)
	}
	if strings.Contains(out, "busy") {
		t.Errorf("joins that went well were slowed down:\n%s", out)
	}

	// narrowing: the joins of w2, w3 and w4 meet an unreachable manager
	out, err = runSteps(t, stubs+`
JOIN_PARALLEL=4 TROUBLE="w2 w3 w4"
step swarm-join swarm_join
echo "joined $(wc -l <"$RUN_DIR/joined")"
`)
	if err != nil || !strings.Contains(out, "joined 15") {
		t.Fatalf("%v\n%s", err, out)
	}
	windows := regexp.MustCompile(`busy or unreachable; (\d+) at a time, next in (\d+)s`).FindAllStringSubmatch(out, -1)
	if len(windows) < 2 {
		t.Fatalf("the joins did not slow down after unreachable managers:\n%s", out)
	}
	if !strings.Contains(out, "; 1 at a time") {
		t.Errorf("after three unreachable managers in a row, want one join at a time:\n%s", out)
	}
	if windows[0][2] != "1" || !strings.Contains(out, "next in 2s") {
		t.Errorf("want a pause of 1 s, then 2 s while the trouble lasts:\n%s", out)
	}
	if !strings.Contains(out, "w2: no route to host") {
		t.Errorf("the join's trouble is not said:\n%s", out)
	}
}

// A join that meets a manager it cannot reach, or one that answers too
// late, is tried again until --wait ends; but a node is never joined again
// while its first join may still go through.
func TestJoinTransientErrors(t *testing.T) {
	const unreachable = `Error response from daemon: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing dial tcp 10.0.0.1:2377: connect: no route to host"`
	stubs := `
KNOWN_IDS="" CLUSTER_ID="" WORKER_TOKEN=t
docker() {
  case "$*" in
    *"swarm join"*)
      n=$(($(cat "$RUN_DIR/joins" 2>/dev/null || echo 0) + 1)); echo "$n" >"$RUN_DIR/joins"
      if [ "$n" -ge "${JOIN_OK_AT:-99}" ]; then return 0; fi
      [ -z "${JOINED_AS:-}" ] || echo "error $JOINED_AS " >"$RUN_DIR/membership"
      echo "$JOIN_ERROR" >&2; return 1 ;;
    *"Swarm.Error"*) echo "${SWARM_ERROR:-}" ;;
    *) cat "$RUN_DIR/membership" 2>/dev/null || echo "inactive " ;; # not in a swarm before the join
  esac
}
on() {
  case "$*" in
    *"swarm leave"*) echo left >>"$RUN_DIR/leaves"; rm -f "$RUN_DIR/membership" ;;
    *"node rm --force"*) echo "$1 $*" >>"$RUN_DIR/removed" ;;
    *) docker "$@" ;;
  esac
}
LEADER=m1
# the node's swarm state after each join: STATES, one a call (none: no
# answer), the last kept
swarm_state() {
  n=$(($(cat "$RUN_DIR/states" 2>/dev/null || echo 0) + 1)); echo "$n" >"$RUN_DIR/states"
  set -- $STATES; [ "$n" -le "$#" ] || n=$#; eval "s=\${$n}"; [ "$s" = none ] || echo "$s"
}
join_one w1 10.0.0.2 worker
echo "joins $(cat "$RUN_DIR/joins") leaves $(cat "$RUN_DIR/leaves" 2>/dev/null | wc -l) troubles $(wc -l <"$RUN_DIR/join-trouble")"
cat "$RUN_DIR/removed" 2>/dev/null || true
`
	for _, c := range []struct {
		name, vars, want string
		fails            bool
	}{
		{name: "no route to host, the node not in a swarm: joined again, no leave",
			vars: `WAIT=20 JOIN_OK_AT=2 STATES=inactive JOIN_ERROR='` + unreachable + `'`, want: "joins 2 leaves 0 troubles 1"},
		{name: "deadline exceeded, but the node did join: never joined twice",
			vars: `WAIT=20 STATES=active JOIN_ERROR='Error response from daemon: context deadline exceeded'`, want: "joins 1 leaves 0 troubles 1"},
		{name: "deadline exceeded, the node pending, then in: waited for, never joined twice",
			vars: `WAIT=20 STATES='pending none pending active' JOIN_ERROR='Error response from daemon: context deadline exceeded'`, want: "joins 1 leaves 0 troubles 1"},
		{name: "the join went on in the background and failed on an unreachable manager: left, tried again, not counted as a try",
			vars: `WAIT=30 JOIN_OK_AT=4 STATES=error SWARM_ERROR='` + unreachable + `' JOIN_ERROR='Timeout was reached before node joined. The attempt to join the swarm will continue in the background.'`,
			want: "joins 4 leaves 3 troubles 3"},
		{name: "a join that failed after the node got its ID: the entry it left goes, from the leader",
			vars: `WAIT=30 JOIN_OK_AT=2 STATES=error SWARM_ERROR='` + unreachable + `' JOIN_ERROR='Error response from daemon: context deadline exceeded'
JOINED_AS=id-w1-first`,
			want: "joins 2 leaves 1 troubles 1\nm1 m1 node rm --force id-w1-first"},
		{name: "unreachable until --wait ends: fails, saying why",
			vars: `WAIT=2 STATES=inactive JOIN_ERROR='` + unreachable + `'`, want: "could not join the swarm within 2s: " + unreachable, fails: true},
		{name: "another error: fails at once",
			vars: `WAIT=20 STATES=inactive JOIN_ERROR='Error response from daemon: invalid join token'`, want: "invalid join token", fails: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := runSteps(t, c.vars+"\n: >\"$RUN_DIR/join-trouble\"\n"+stubs)
			if (err != nil) != c.fails || !strings.Contains(out, c.want) {
				t.Errorf("want %q (fails: %v); got %v:\n%s", c.want, c.fails, err, out)
			}
			if !c.fails && !strings.Contains(out, "w1 joined as worker") {
				t.Errorf("w1 did not join:\n%s", out)
			}
			if c.fails && strings.Contains(out, "joins 2") {
				t.Errorf("a node that failed to join was joined again:\n%s", out)
			}
		})
	}
}

// In a swarm this run made, up joins a node at once (one exec) and asks
// where it belongs only when its engine refuses ("already part of a
// swarm"), which an engine does while it is in a swarm or on its way into
// one: a node in another swarm leaves only on the leader's word, one in
// this swarm is left alone, and an engine that refuses yet says it is in
// no swarm stops the step. In a swarm that was there, up asks first.
func TestJoinFirstInANewSwarm(t *testing.T) {
	stubs := `
KNOWN_IDS="id-m1 id-w1" CLUSTER_ID=C WORKER_TOKEN=t WAIT=5 LEADER=m1
: >"$RUN_DIR/join-trouble"
[ -z "${MEMBERSHIP:-}" ] || echo "$MEMBERSHIP" >"$RUN_DIR/membership"
docker() {
  case "$*" in
    *"swarm join"*)
      echo x >>"$RUN_DIR/joins"
      if [ -z "${ALWAYS_REFUSE:-}" ] && [ ! -e "$RUN_DIR/membership" ]; then echo "active id-w1-new C" >"$RUN_DIR/membership"; return 0; fi
      echo 'Error response from daemon: This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.' >&2; return 1 ;;
    *"info --format"*) echo x >>"$RUN_DIR/infos"; cat "$RUN_DIR/membership" 2>/dev/null || echo "inactive  " ;;
    *) echo "stub docker: no answer for: $*" >&2; return 1 ;;
  esac
}
on() {
  case "$*" in
    *"swarm leave"*) echo x >>"$RUN_DIR/leaves"; rm -f "$RUN_DIR/membership" ;;
    *) docker "$@" ;;
  esac
}
leader_knows() { echo "${LEADER_SAYS:-unsure}"; }
count() { cat "$RUN_DIR/$1" 2>/dev/null | wc -l | tr -d ' '; }
join_one w1 10.0.0.2 worker
echo "joins $(count joins) infos $(count infos) leaves $(count leaves)"
`
	for _, c := range []struct {
		name, vars, want string
		joined, fails    bool
	}{
		{name: "a node in no swarm: joined in one exec, never asked",
			vars: `touch "$RUN_DIR/new-swarm"`, want: "joins 1 infos 0 leaves 0", joined: true},
		{name: "a node in another swarm: refused, asked, left on the leader's word, joined",
			vars: `touch "$RUN_DIR/new-swarm"; MEMBERSHIP="active id-old OTHER" LEADER_SAYS=no`, want: "joins 2 infos 1 leaves 1", joined: true},
		{name: "a node of this swarm: refused, asked, left alone",
			vars: `touch "$RUN_DIR/new-swarm"; MEMBERSHIP="active id-w1 C"`, want: "joins 1 infos 1 leaves 0"},
		{name: "an engine that refuses yet says it is in no swarm: the step stops",
			vars: `touch "$RUN_DIR/new-swarm"; ALWAYS_REFUSE=1`, want: "refuses to join the swarm ('already part of a swarm') yet does not say it is in one", fails: true},
		{name: "a swarm that was there: asked first, then joined",
			vars: ``, want: "joins 1 infos 1 leaves 0", joined: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := runSteps(t, c.vars+"\n"+stubs)
			if (err != nil) != c.fails || !strings.Contains(out, c.want) {
				t.Errorf("want %q (fails: %v); got %v:\n%s", c.want, c.fails, err, out)
			}
			if joined := strings.Contains(out, "w1 joined as worker"); joined != c.joined {
				t.Errorf("joined: %v, want %v:\n%s", joined, c.joined, out)
			}
			if c.fails && strings.Contains(out, "joins 4") {
				t.Errorf("an engine that refused three times was asked to join again:\n%s", out)
			}
		})
	}
}

// The kernel's neighbour table is one for every container of the host:
// past about 31 nodes the default (1024) cannot hold the lab's, and
// preflight says what to run.
func TestNeighbourTableCheck(t *testing.T) {
	stubs := "neighbour_limit() { echo 1024; }\n"
	out, err := runSteps(t, stubs+`NODES=(n1 n2 n3 n4 n5 n6 n7 n8 n9 n10 n11 n12 n13 n14 n15 n16 n17 n18 n19 n20 n21 n22 n23 n24 n25 n26 n27 n28 n29 n30 n31)
neighbour_check && echo "31 nodes fit"
`)
	if err != nil || !strings.Contains(out, "31 nodes fit") {
		t.Errorf("31 nodes (992 entries) in 1024: %v\n%s", err, out)
	}
	forty := `NODES=(); for i in $(seq 40); do NODES+=("n$i"); done` + "\n"
	out, err = runSteps(t, stubs+forty+"neighbour_check\necho went on\n")
	want := "this lab's 40 nodes need about 1640 entries in the kernel's neighbour (ARP) table, and it holds at most 1024"
	fix := "sudo sysctl -w net.ipv4.neigh.default.gc_thresh1=1024 net.ipv4.neigh.default.gc_thresh2=2048 net.ipv4.neigh.default.gc_thresh3=4096"
	if err == nil || !strings.Contains(out, want) || !strings.Contains(out, fix) || strings.Contains(out, "went on") {
		t.Errorf("40 nodes in 1024 entries: want a failure saying %q and %q; got %v:\n%s", want, fix, err, out)
	}
	out, err = runSteps(t, stubs+forty+"SWARMGEN_FORCE=1 neighbour_check\necho went on\n")
	if err != nil || !strings.Contains(out, "warning: the kernel's neighbour table holds 1024 entries") || !strings.Contains(out, "went on") {
		t.Errorf("SWARMGEN_FORCE=1: want a warning and to go on; got %v:\n%s", err, out)
	}
	out, err = runSteps(t, stubs+forty+"DOCKER_HOST=ssh://lab neighbour_check\necho went on\n")
	if err != nil || !strings.Contains(out, "went on") || strings.Contains(out, "neighbour") {
		t.Errorf("a remote engine's kernel is not checked: %v\n%s", err, out)
	}
}

// A join the CLI gave up waiting for is awaited; one that ends in error is
// left and tried again, three times at most.
func TestJoinRetries(t *testing.T) {
	stubs := `
KNOWN_IDS="" WORKER_TOKEN=t WAIT=5
docker() {
  case "$*" in
    *"swarm join"*)
      n=$(($(cat "$RUN_DIR/joins" 2>/dev/null || echo 0) + 1)); echo "$n" >"$RUN_DIR/joins"
      if [ "$n" -ge "${JOIN_OK_AT:-99}" ]; then return 0; fi
      echo "Timeout was reached before node joined. The attempt to join the swarm will continue in the background." >&2; return 1 ;;
    *) echo "inactive " ;; # the node's state before the join
  esac
}
on() {
  case "$*" in
    *"swarm leave"*) echo left >>"$RUN_DIR/leaves" ;;
    *) docker "$@" ;; # the node's state before the join
  esac
}
swarm_state() { echo error; }
`
	out, err := runSteps(t, stubs+`
JOIN_OK_AT=3
join_one w1 10.0.0.2 worker
echo "joins $(cat "$RUN_DIR/joins") leaves $(wc -l <"$RUN_DIR/leaves")"
`)
	if err != nil || !strings.Contains(out, "w1 joined as worker") || !strings.Contains(out, "joins 3 leaves 2") {
		t.Errorf("join that succeeds at the third try: %v\n%s", err, out)
	}
	out, err = runSteps(t, stubs+`
join_one w1 10.0.0.2 worker
`)
	if err == nil || !strings.Contains(out, "could not join the swarm in 3 tries") {
		t.Errorf("join that never succeeds: %v\n%s", err, out)
	}
}

// Membership decisions under the answers a slow or busy engine gives: a
// node leaves its swarm (and so gets a new ID) only when the raft leader
// itself says, right then, that it does not know the node; the manager the
// script talks to never leaves; a node with no ID yet is waited for.
func TestJoinMembershipDecisions(t *testing.T) {
	// Three managers p-m1 p-m2 p-m3 (10.0.0.1-3) and a worker p-w1; the
	// script talks to p-m3, the leader of cluster C.
	const lab = `
MANAGERS=(p-m1 p-m2 p-m3) MANAGER_ADDRS=(10.0.0.1 10.0.0.2 10.0.0.3)
WORKERS=(p-w1) WORKER_ADDRS=(10.0.0.4) NODES=(p-m1 p-m2 p-m3 p-w1)
CONTAINER_PREFIX=p- LEADER=p-m3 LEADER_ADDR=10.0.0.3
HAVE_LABELS=""
node_labels() { :; }
step swarm-join swarm_join
`
	// what every engine answers unless a case says otherwise
	const defaults = `
    *"docker swarm join-token -q manager && docker swarm join-token -q worker &&"*) printf 'tok-manager\ntok-worker\nactive id-m3 C\n' ;;
    *"swarm join-token -q manager"*) echo tok-manager ;;
    *"swarm join-token -q worker"*) echo tok-worker ;;
    *"docker swarm join "*) [ -n "$SWARMGEN_JOIN_TOKEN" ] ;; # the token comes in the environment
    *"docker swarm leave"*) ;;
    "exec p-m3 docker node inspect --format"*) ;; # the labels: none
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`
	// the leader's read of the swarm (read_swarm): cluster C, node IDs
	members := func(list string) string { return readAs("C", list) }
	// what `docker swarm join` says when the CLI stops waiting on a busy host
	const joinTimesOut = `    *"p-w1 sh -c exec docker swarm join "*)
      echo 'Timeout was reached before node joined. The attempt to join the swarm will continue in the background. Use the "docker info" command to see the current swarm status of your node.' >&2; exit 1 ;;
`
	knows := func(answer string) string { // the leader's answer to leader_knows
		return `    "exec p-m3 sh -c"*"node inspect self"*) echo ` + answer + ` ;;`
	}
	for _, tc := range []struct {
		name, scenario string
		fails          bool     // after WAIT=3 s; else WAIT is long, so a busy host's pace decides nothing
		want, never    []string // substrings of the docker calls
		once           []string // substrings of exactly one docker call
		say            string   // a substring of the output
	}{{
		// seen in CI after a recover: the survivor, which the script
		// talks to, was told to leave its own swarm, and the managers
		// joining it then found nobody at its address
		name: "the leader is never made to leave, whatever a partial list says",
		scenario: `case "$*" in
` + readAs("", "id-w1") + `
    "exec p-m1 docker info"* | "exec p-m2 docker info"*) echo "inactive  " ;;
    "exec p-m3 docker info"*) echo "active id-m3 C" ;;
    "exec p-w1 docker info"*) echo "active id-w1 " ;;
` + knows("no") + defaults,
		want: []string{`exec -e SWARMGEN_JOIN_TOKEN p-m1 sh -c exec docker swarm join --token "$SWARMGEN_JOIN_TOKEN" --advertise-addr "$1" "$2" join 10.0.0.1 10.0.0.3:2377`,
			`exec -e SWARMGEN_JOIN_TOKEN p-m2 sh -c exec docker swarm join --token "$SWARMGEN_JOIN_TOKEN" --advertise-addr "$1" "$2" join 10.0.0.2 10.0.0.3:2377`},
		never: []string{"exec p-m3 docker swarm leave", "exec p-m3 docker info", "exec p-w1 docker swarm"},
	}, {
		name: "a node missing from a lagging list that the leader knows stays",
		scenario: `case "$*" in
` + members("id-m1\nid-m2\nid-m3") + `
    "exec p-m"[12]" docker info"*) echo "active id-${2#p-} C" ;;
    "exec p-w1 docker info"*) echo "active id-w1 " ;;
` + knows("yes") + defaults,
		want:  []string{"node inspect self"},
		never: []string{"swarm leave", "swarm join "},
	}, {
		name: "the leader cannot tell at first (an election, a busy engine), then knows the node",
		scenario: `case "$*" in
` + members("id-m1\nid-m2\nid-m3") + `
    "exec p-m"[12]" docker info"*) echo "active id-${2#p-} C" ;;
    "exec p-w1 docker info"*) echo "pending id-w1 " ;;
    "exec p-m3 sh -c"*"node inspect self"*) if [ "$(nth knows)" -le 2 ]; then echo unsure; else echo yes; fi ;;
` + defaults,
		never: []string{"swarm leave", "swarm join "},
	}, {
		name: "a node the leader says it does not know leaves and joins again",
		scenario: `case "$*" in
` + members("id-m1\nid-m2\nid-m3") + `
    "exec p-m"[12]" docker info"*) echo "active id-${2#p-} C" ;;
    "exec p-w1 docker info"*) echo "error id-old " ;;
` + knows("no") + defaults,
		want: []string{"exec p-w1 docker swarm leave --force", `exec -e SWARMGEN_JOIN_TOKEN p-w1 sh -c exec docker swarm join --token "$SWARMGEN_JOIN_TOKEN" --advertise-addr "$1" "$2" join 10.0.0.4 10.0.0.3:2377`},
		say:  "p-w1 left a swarm this lab's leader does not know",
	}, {
		name: "a manager of this very cluster missing from the list stays, without asking",
		scenario: `case "$*" in
` + members("id-m1\nid-m3\nid-w1") + `
    "exec p-m"[12]" docker info"*) echo "active id-${2#p-} C" ;;
    "exec p-w1 docker info"*) echo "active id-w1 " ;;
` + defaults,
		never: []string{"swarm leave", "swarm join ", "node inspect self"},
	}, {
		name: "a manager of another cluster leaves when the leader confirms it does not know it",
		scenario: `case "$*" in
` + members("id-m1\nid-m3\nid-w1") + `
    "exec p-m1 docker info"*) echo "active id-m1 C" ;;
    "exec p-m2 docker info"*) echo "active id-m2 OTHER" ;;
    "exec p-w1 docker info"*) echo "active id-w1 " ;;
` + knows("no") + defaults,
		want: []string{"exec p-m2 docker swarm leave --force", `exec -e SWARMGEN_JOIN_TOKEN p-m2 sh -c exec docker swarm join --token "$SWARMGEN_JOIN_TOKEN" --advertise-addr "$1" "$2" join 10.0.0.2 10.0.0.3:2377`},
	}, {
		name: "the leader never answers: the step fails and nothing changes",
		scenario: `case "$*" in
` + members("id-m1\nid-m2\nid-m3") + `
    "exec p-m"[12]" docker info"*) echo "active id-${2#p-} C" ;;
    "exec p-w1 docker info"*) echo "active id-w9 " ;;
    "exec p-m3 sh -c"*"node inspect self"*) echo "Error response from daemon: context deadline exceeded" >&2; exit 1 ;;
` + defaults,
		fails: true,
		never: []string{"swarm leave", "swarm join "},
		say:   "the leader p-m3 cannot tell whether it is in the swarm",
	}, {
		name: "just restarted: no node ID yet, waited for, then known",
		scenario: `case "$*" in
` + members("id-m1\nid-m2\nid-m3\nid-w1") + `
    "exec p-m"[12]" docker info"*) echo "active id-${2#p-} C" ;;
    "exec p-w1 docker info"*) if [ "$(nth w1)" -le 2 ]; then echo "pending  "; else echo "active id-w1 "; fi ;;
` + defaults,
		never: []string{"swarm leave", "swarm join ", "node inspect self"},
	}, {
		name: "just restarted and missing from a lagging list: no ID for a while, then one only the leader knows",
		scenario: `case "$*" in
` + members("id-m1\nid-m2\nid-m3") + `
    "exec p-m"[12]" docker info"*) echo "active id-${2#p-} C" ;;
    "exec p-w1 docker info"*) if [ "$(nth w1)" -le 2 ]; then echo "pending  "; else echo "pending id-w1 "; fi ;;
` + knows("yes") + defaults,
		want:  []string{"node inspect self"},
		never: []string{"swarm leave", "swarm join "},
	}, {
		// a busy host: the CLI stops waiting after 20 s, the join goes on
		name: "a join the CLI gave up waiting for goes through: awaited, never repeated",
		scenario: `case "$*" in
` + members("id-m1\nid-m2\nid-m3") + `
    "exec p-m"[12]" docker info"*) echo "active id-${2#p-} C" ;;
    "exec p-w1 docker info --format {{.Swarm.LocalNodeState}}") if [ "$(nth w1)" -le 2 ]; then echo pending; else echo active; fi ;;
    "exec p-w1 docker info"*) echo "inactive  " ;;
` + joinTimesOut + defaults,
		once:  []string{"docker swarm join "},
		never: []string{"swarm leave"},
		say:   "p-w1 joined as worker",
	}, {
		name: "the node's engine does not answer for a moment after the CLI gave up: still awaited",
		scenario: `case "$*" in
` + members("id-m1\nid-m2\nid-m3") + `
    "exec p-m"[12]" docker info"*) echo "active id-${2#p-} C" ;;
    "exec p-w1 docker info --format {{.Swarm.LocalNodeState}}")
      if [ "$(nth w1)" -le 2 ]; then echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1; fi
      echo active ;;
    "exec p-w1 docker info"*) echo "inactive  " ;;
` + joinTimesOut + defaults,
		once:  []string{"docker swarm join "},
		never: []string{"swarm leave"},
		say:   "p-w1 joined as worker",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			wait := "WAIT=600\n"
			if tc.fails {
				wait = "WAIT=3\n"
			}
			out, calls, err := runScenario(t, tc.scenario, wait+lab)
			if (err != nil) != tc.fails {
				t.Fatalf("err = %v (want failure: %v)\n%s\ncalls:\n%s", err, tc.fails, out, calls)
			}
			checkCalls(t, calls, tc.want, tc.never)
			for _, o := range tc.once {
				if n := strings.Count(calls, o); n != 1 {
					t.Errorf("%d calls have %q, want 1; calls:\n%s", n, o, calls)
				}
			}
			if !strings.Contains(out, tc.say) {
				t.Errorf("output lacks %q:\n%s", tc.say, out)
			}
		})
	}
}

// readAs is a stub docker's case for p-m3's swarm read (read_swarm): in
// cluster (may be empty), leading a swarm whose node IDs are list ("\n"
// between them), each ID id-NAME for node NAME.
func readAs(cluster, list string) string {
	return `    "exec p-m3 sh -c "*"t=\$(mktemp -d)"*) echo "from p-m3"; echo "state p-m3 active id-m3 ` + cluster + `"
      printf '` + list + `\nid-m3\n' | sort -u | awk 'NF { print "node", $1, substr($1, 4), "Ready", ($1 == "id-m3" ? "Leader" : "") }' ;;`
}

// swarmRead is a stub docker's answer to the swarm read (read_swarm) of
// manager $2: its state in cluster C and the node list given ("ID
// HOSTNAME STATUS [MANAGERSTATUS]" lines).
func swarmRead(nodes string) string {
	return `echo "from $2"; echo "state $2 active id-${2#p-} C"; printf '` + nodes + `' | sed 's/^/node /'`
}

// The steps after swarm-init talk to the raft leader, read from the first
// manager that answers and then from the leader itself.
func TestFindLeader(t *testing.T) {
	const lab = `
MANAGERS=(p-m1 p-m2 p-m3) MANAGER_ADDRS=(10.0.0.1 10.0.0.2 10.0.0.3) CONTAINER_PREFIX=p-
find_leader || echo "no leader"
echo "read from $(swarm_lines from)"
`
	for _, tc := range []struct{ name, scenario, want string }{
		{"the first manager answers; another leads", `case "$*" in
    "exec p-m1 sh -c "*) ` + swarmRead(`a m1 Ready Reachable\nc m3 Ready Leader\nb m2 Down Unreachable\n`) + ` ;;
    "exec p-m3 sh -c "*) ` + swarmRead(`a m1 Ready Reachable\nc m3 Ready Leader\n`) + ` ;;
    *) exit 1 ;;
  esac`, "p-m3 10.0.0.3\nread from p-m3"},
		{"the first manager is down (after recover); the survivor leads", `case "$*" in
    "exec p-m1 "*) echo "Error response from daemon: container p-m1 is not running" >&2; exit 1 ;;
    "exec p-m2 sh -c "*) echo "from p-m2"; echo "state p-m2 inactive  " ;;
    "exec p-m3 sh -c "*) ` + swarmRead(`c m3 Ready Leader\n`) + ` ;;
    *) exit 1 ;;
  esac`, "p-m3 10.0.0.3\nread from p-m3"},
		{"an election: no leader listed yet", `case "$*" in
    "exec p-m"*" sh -c "*) ` + swarmRead(`a m1 Ready Reachable\nb m2 Ready Reachable\nc m3 Unknown Unreachable\n`) + ` ;;
    *) exit 1 ;;
  esac`, "no leader\nread from"},
		{"the leader says it is not (an election meanwhile): the first read stays", `case "$*" in
    "exec p-m1 sh -c "*) ` + swarmRead(`a m1 Ready Reachable\nc m3 Ready Leader\n`) + ` ;;
    "exec p-m3 sh -c "*) ` + swarmRead(`a m1 Ready Leader\nc m3 Ready Reachable\n`) + ` ;;
    *) exit 1 ;;
  esac`, "p-m3 10.0.0.3\nread from p-m1"},
		{"a leader the spec no longer has: the manager that answered relays", `case "$*" in
    "exec p-m1 sh -c "*) ` + swarmRead(`a m1 Ready Reachable\nz old Ready Leader\n`) + ` ;;
    *) exit 1 ;;
  esac`, "p-m1 10.0.0.1\nread from p-m1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, calls, err := runScenario(t, tc.scenario, lab)
			if err != nil || strings.TrimSpace(out) != tc.want {
				t.Errorf("find_leader printed %q (%v), want %q; calls:\n%s", out, err, tc.want, calls)
			}
			if n := strings.Count(calls, "\n"); n > 4 {
				t.Errorf("%d reads, want at most 4 (each manager until one names a leader, then the leader); calls:\n%s", n, calls)
			}
		})
	}
}

// remove-nodes never removes the manager the script talks to.
func TestRemoveNodesKeepsTheLeader(t *testing.T) {
	out, calls, err := runScenario(t, `case "$*" in
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`, `
printf 'node a m1\nnode b m2\nnode c m3\n' >"$RUN_DIR/swarm" # the leader's read
KEEP_NODES=" m1 m2 " LEADER=m3 CONTAINER_PREFIX=""
step remove-nodes remove_nodes
`)
	if err == nil || !strings.Contains(out, "node m3 leads the swarm") {
		t.Errorf("removing the leader: %v\n%s", err, out)
	}
	if strings.Contains(calls, "drain") || strings.Contains(calls, "node rm") || strings.Contains(calls, "leave") {
		t.Errorf("the leader was touched; calls:\n%s", calls)
	}
}

// remove-nodes: a node the spec dropped is drained, demoted (a manager),
// leaves, is removed from the swarm, and its container and volume go; a
// removal that would cost the quorum while a manager is down is refused
// before anything changes, unless forced.
func TestRemoveNodes(t *testing.T) {
	const lab = `
MANAGERS=(p-m1 p-m2 p-m3) KEEP_NODES=" m1 m2 m3 w1 " LEADER=p-m1 CONTAINER_PREFIX=p- VOLUME_PREFIX=p_ WAIT=3
NODES=(p-m1 p-m2 p-m3 p-w1) REGISTRY=p-registry
compose() { echo "compose $*" >>"$STUB_DIR/calls"; }
step remove-nodes remove_nodes
`
	// the leader's read lists the nodes: "NAME STATUS MANAGERSTATUS" lines
	read := func(listed string) string {
		return "printf '" + listed + "' | sed 's/^/node id /' >\"$RUN_DIR/swarm\"\n"
	}
	const scenario = `case "$*" in
    "exec p-m1 docker node ps --filter desired-state=running -q "*) ;; # drained at once
    "exec p-m1 docker node inspect --format {{.Status.State}} "*) echo down ;;
    "exec p-m1 docker node "* | "exec p-"*" docker swarm leave") ;;
    "ps -a --filter label=com.docker.compose.project=p --format {{.Names}} {{.ID}} {{.State}} {{.Ports}}")
      printf '%s id running \n' p-m1 p-m2 p-m3 p-w1 p-m4 p-w2 p-registry ;;
    "volume ls -q --filter label=dev.swarmgen.lab=p") printf 'p_m1-docker\np_m4-docker\np_w2-docker\np_registry-data\n' ;;
    "volume rm "*) ;;
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`
	healthy := `m1 Ready Leader\nm2 Ready Reachable\nm3 Ready Reachable\nm4 Ready Reachable\nw1 Ready \nw2 Ready \n`
	out, calls, err := runScenario(t, scenario, read(healthy)+lab)
	if err != nil {
		t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
	}
	inOrder := []string{
		"exec p-m1 docker node update --availability drain m4", "exec p-m1 docker node demote m4",
		"exec p-m4 docker swarm leave", "exec p-m1 docker node rm --force m4",
		"exec p-m1 docker node update --availability drain w2", "exec p-w2 docker swarm leave", "exec p-m1 docker node rm --force w2",
		"compose up -d --remove-orphans", "volume rm p_m4-docker",
	}
	checkInOrder(t, calls, inOrder)
	for _, never := range []string{"demote w2", "rm --force m1", "rm --force w1", "volume rm p_m1-docker", "volume rm p_registry-data"} {
		if strings.Contains(calls, never) {
			t.Errorf("a call has %q; calls:\n%s", never, calls)
		}
	}
	if !strings.Contains(calls, "volume rm p_w2-docker") {
		t.Errorf("w2's volume stayed; calls:\n%s", calls)
	}

	// 4 managers -> 3 with two of them down: 1 may fail, 2 are down
	degraded := strings.NewReplacer("m2 Ready Reachable", "m2 Down Unreachable", "m3 Ready Reachable", "m3 Down Unreachable").Replace(healthy)
	out, calls, err = runScenario(t, scenario, read(degraded)+lab)
	if err == nil || !strings.Contains(out, "removing manager(s) m4 leaves 3 manager(s) of which 1 may fail (2 are down now)") || !strings.Contains(out, "nothing was changed") {
		t.Errorf("a removal that loses the quorum: %v\n%s", err, out)
	}
	if strings.Contains(calls, "drain") || strings.Contains(calls, "leave") || strings.Contains(calls, " rm ") {
		t.Errorf("the refused removal changed something; calls:\n%s", calls)
	}
	out, calls, err = runScenario(t, "SWARMGEN_FORCE=1\n"+scenario, "export SWARMGEN_FORCE=1\n"+read(degraded)+lab)
	if err != nil || !strings.Contains(calls, "node rm --force m4") {
		t.Errorf("a forced removal: %v\n%s\ncalls:\n%s", err, out, calls)
	}

	// 5 managers -> 3, the two removed are the down ones: the three that
	// stay are all Ready, a majority; those removed count for nothing
	twoDown := "m1 Ready Leader\\nm2 Ready Reachable\\nm3 Ready Reachable\\nm4 Down Unreachable\\nm5 Down Unreachable\\nw1 Ready \\n"
	out, calls, err = runScenario(t, scenario, read(twoDown)+lab)
	if err != nil || !strings.Contains(calls, "node rm --force m4") || !strings.Contains(calls, "node rm --force m5") {
		t.Errorf("removing the two down managers of five: %v\n%s\ncalls:\n%s", err, out, calls)
	}
}

// A join token is on no command line of the host and in no output, even
// with -v and a join that fails (whose captured output the step prints);
// the node gets it through the exec's environment.
func TestJoinTokenIsNeverShown(t *testing.T) {
	const token = "SWMTKN-1-secretsecretsecret-secret"
	out, calls, err := runScenario(t, `case "$*" in
    *"docker swarm join "*)
      [ "$SWARMGEN_JOIN_TOKEN" = "`+token+`" ] && echo "the node got the token" >&2
      echo "Error response from daemon: rpc error: code = InvalidArgument" >&2; exit 1 ;;
    *"docker info"*) echo "inactive  " ;;
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`, `
SWARMGEN_VERBOSE=1 KNOWN_IDS="" WORKER_TOKEN='`+token+`' LEADER=p-m1 LEADER_ADDR=10.0.0.1 WAIT=3
join_one p-w1 10.0.0.2 worker
`)
	if err == nil {
		t.Fatalf("a failed join succeeded:\n%s", out)
	}
	if !strings.Contains(out, "the node got the token") || !strings.Contains(out, "InvalidArgument") {
		t.Errorf("the join did not run as expected:\n%s\ncalls:\n%s", out, calls)
	}
	if !strings.Contains(out, "$ docker exec -e SWARMGEN_JOIN_TOKEN p-w1") {
		t.Errorf("-v shows no join command:\n%s", out)
	}
	if strings.Contains(out, "secret") || strings.Contains(calls, "secret") {
		t.Errorf("the token is shown:\noutput:\n%s\ncalls:\n%s", out, calls)
	}
	// trace masks any token that reaches a command line all the same
	out, _, _ = runScenario(t, `exit 0`, `SWARMGEN_VERBOSE=1; trace docker swarm join --token `+token+` 10.0.0.1:2377`)
	if strings.Contains(out, "secret") || !strings.Contains(out, "--token SWMTKN-... 10.0.0.1:2377") {
		t.Errorf("trace shows: %s", out)
	}
}

// has_line matches whole lines, without a pipe that a busy machine can
// break (see its comment): many lines, the last one the match.
func TestHasLine(t *testing.T) {
	out, err := runSteps(t, `
big=$(seq 1 20000)
has_line "$big" 20000 && echo last
has_line "$big" 1 && echo first
has_line "$big" 2000 && echo middle
has_line "$big" 200000 || echo "no longer line"
has_line "$big" 0 || echo "no part of a line"
has_line $'zone=a\ndev.swarmgen.labels=zone' zone=a && echo label
`)
	if err != nil || out != "last\nfirst\nmiddle\nno longer line\nno part of a line\nlabel\n" {
		t.Errorf("has_line: %v\n%s", err, out)
	}
}

// A node container that stops before its engine answers is reported at
// once, with its log; a node that is still starting is waited for, and
// its answer kept.
func TestWaitEngine(t *testing.T) {
	// the node's own loop runs here, its docker asks answered below
	scenario := `case "$*" in
    "exec p-w1 sh -c "*) shift 4; sh -c "$@" ;;
    "info --format state p-w1 "*) [ "$(nth info)" -ge 3 ] && echo "state p-w1 inactive  " ;; # answers at the third ask
    "exec p-w2 sh -c "*) exit 1 ;; # a stopped container
    "inspect --format {{.State.Status}} p-w1") echo running ;;
    "inspect --format {{.State.Status}} p-w2") echo exited ;;
    "logs --tail 20 p-w2") echo "dockerd: unknown flag: --bogus" ;;
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`
	out, calls, err := runScenario(t, scenario, "WAIT=300\nwait_engine p-w1 && echo p-w1 answers\ncat \"$RUN_DIR/engine-p-w1\"\n")
	// what it answered is its membership, as the swarm read's state line
	if err != nil || !strings.Contains(out, "p-w1 answers\nstate p-w1 inactive  \n") || strings.Count(calls, "exec p-w1 sh -c") != 1 || strings.Count(calls, "\ninfo --format") != 3 {
		t.Errorf("a starting node: %v\n%s\ncalls:\n%s", err, out, calls)
	}
	out, calls, err = runScenario(t, scenario, "WAIT=5\nstart=$SECONDS\nwait_engine p-w2 || echo \"failed after $((SECONDS - start))s\"\n")
	if err != nil || !strings.Contains(out, "node p-w2 stopped (exited) before its Docker engine answered") ||
		!strings.Contains(out, "unknown flag: --bogus") || strings.Count(calls, "exec p-w2 sh -c") != 1 {
		t.Errorf("a stopped node: %v\n%s\ncalls:\n%s", err, out, calls)
	}
}

// A standalone service is created when new, removed and created again when
// its definition changed, and left alone when unchanged.
func TestServiceCreate(t *testing.T) {
	scenario := `case "$*" in
    "exec p-m1 docker service rm "* | "exec p-m1 docker service create "*) ;;
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`
	body := `LEADER=p-m1 SERVICE_HASHES=$'same h1\nchanged old'
step deploy deploy_all
`
	_, calls, err := runScenario(t, scenario, `deploy_all() {
  service_create same h1 img --name same img
  service_create changed h2 img --name changed img
  service_create fresh h3 img --name fresh img
}
`+body)
	if err != nil {
		t.Fatalf("%v\ncalls:\n%s", err, calls)
	}
	want := "exec p-m1 docker service rm changed\n" +
		"exec p-m1 docker service create --label dev.swarmgen.hash=h2 --name changed img\n"
	if !strings.Contains(calls, want) || !strings.Contains(calls, "exec p-m1 docker service create --label dev.swarmgen.hash=h3 --name fresh img") {
		t.Errorf("calls:\n%s", calls)
	}
	if strings.Contains(calls, "service rm fresh") || strings.Contains(calls, " same") {
		t.Errorf("an unchanged or new service was removed or touched; calls:\n%s", calls)
	}
}

// bootstrap.sh load (swarmgen load) pushes a host image into the running
// lab's registry with put_image, skips one whose digest is already there,
// and stops with a clear error on a missing image, a registry that is not
// running or an argument that is not an image reference.
func TestLoadImages(t *testing.T) {
	// the stub registry holds app:1 with digest $REMOTE (none if empty);
	// the host's app:1 was pushed as $LOCAL (none if empty)
	const scenario = `case "$CMD $*" in
    "docker inspect --format {{.State.Running}} registry") echo "${RUNNING:-true}" ;;
    "docker image inspect -- app:1") ;;
    "docker image inspect --format {{.Id}} -- app:1 localhost:5000/app:1")
      echo sha256:app; [ -n "$TAGGED" ] || { echo "Error: No such image: localhost:5000/app:1" >&2; exit 1; }; echo "$TAGGED" ;;
    "docker image inspect -- gone:1") echo "Error: No such image: gone:1" >&2; exit 1 ;;
    "docker tag -- app:1 localhost:5000/app:1") ;;
    "docker image inspect --format "*" localhost:5000/app:1") [ -z "$LOCAL" ] || echo "localhost:5000/app@sha256:$LOCAL" ;;
    "curl -fsS -o /dev/null http://localhost:5000/v2/") ;;
    "curl -fsSI "*" http://localhost:5000/v2/app/manifests/1")
      [ -n "$REMOTE" ] || exit 22
      printf 'HTTP/1.1 200 OK\r\nDocker-Content-Digest: sha256:%s\r\n' "$REMOTE" ;;
    "docker push --quiet -- localhost:5000/app:1") ;;
    *) echo "stub: no answer for: $CMD $*" >&2; exit 1 ;;
  esac`
	const app = "app:1 localhost:5000/app:1 app 1 registry:5000/app:1"
	const push = "push --quiet -- localhost:5000/app:1"
	for _, tc := range []struct {
		name, env, args string
		fails           bool
		say             string
		pushes, tags    bool
		never           []string
	}{
		{name: "a new image is pushed", args: app, say: "registry:5000/app:1 pushed", pushes: true},
		{name: "the same digest is skipped", env: "REMOTE=aaa LOCAL=aaa TAGGED=sha256:app", args: app, say: "registry:5000/app:1 unchanged", never: []string{"tag "}},
		{name: "the push tag names another image: tagged again", env: "REMOTE=aaa LOCAL=aaa TAGGED=sha256:older", args: app, say: "registry:5000/app:1 unchanged", tags: true},
		{name: "no push tag yet: tagged", args: app, say: "registry:5000/app:1 pushed", pushes: true, tags: true},
		{name: "a changed image under the same tag is pushed", env: "REMOTE=bbb LOCAL=aaa", args: app, say: "registry:5000/app:1 pushed", pushes: true},
		{name: "an image not on the host", args: "gone:1 localhost:5000/gone:1 gone 1 registry:5000/gone:1", fails: true,
			say: "image gone:1 is not on this host; build or pull it first", never: []string{"tag ", "push "}},
		{name: "the lab is not running", env: "RUNNING=false", args: app, fails: true,
			say: "the lab registry (registry) is not running; start the lab with swarmgen up", never: []string{"tag ", "push ", "image inspect"}},
		{name: "an option where an image goes", args: "-q localhost:5000/app:1 app 1 registry:5000/app:1", fails: true,
			say: "'-q' is not an image reference", never: []string{"inspect", "tag ", "push "}},
		{name: "fields missing", args: "app:1 localhost:5000/app:1", fails: true, say: "usage: bootstrap.sh load", never: []string{"inspect"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, calls, err := runScenario(t, scenario, "export REMOTE= LOCAL= TAGGED= "+tc.env+"\nload_images "+tc.args+"\n", "curl")
			if (err != nil) != tc.fails {
				t.Fatalf("err = %v (want failure: %v)\n%s\ncalls:\n%s", err, tc.fails, out, calls)
			}
			if !strings.Contains(out, tc.say) {
				t.Errorf("output lacks %q:\n%s", tc.say, out)
			}
			if got := strings.Contains(calls, push); got != tc.pushes {
				t.Errorf("pushed: %v, want %v; calls:\n%s", got, tc.pushes, calls)
			}
			if tc.tags && !strings.Contains(calls, "tag -- app:1 localhost:5000/app:1\n") {
				t.Errorf("not tagged; calls:\n%s", calls)
			}
			for _, n := range tc.never {
				if strings.Contains(calls, "\n"+n) || strings.HasPrefix(calls, n) {
					t.Errorf("a call starts with %q; calls:\n%s", n, calls)
				}
			}
		})
	}
}

// compose up refuses to start a paused container: nodes-up unpauses the
// lab's paused containers (swarmgen node pause) before it, so up brings
// every node back.
func TestNodesUpUnpausesPausedNodes(t *testing.T) {
	out, calls, err := runScenario(t, `case "$*" in
    "ps -a --filter label=com.docker.compose.project=swarmgen --format {{.Names}} {{.ID}} {{.State}} {{.Ports}}")
      if [ -e "$STUB_DIR/unpaused" ]; then echo "worker02 id2 running "; else echo "worker02 id2 paused "; fi ;;
    "unpause -- worker02") touch "$STUB_DIR/unpaused" ;;
    "ps -a --filter label=com.docker.compose.project=swarmgen --format have "*) ;; # nodes-up's decision: nothing to recreate
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`, `
: >docker-compose.yml
compose() { echo "compose $*" >>"$STUB_DIR/calls"; }
wait_engine() { :; }
step nodes-up nodes_up
`)
	if err != nil {
		t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
	}
	unpause, up := strings.Index(calls, "unpause -- worker02\n"), strings.Index(calls, "compose up -d")
	if unpause < 0 || up < unpause {
		t.Errorf("want unpause -- worker02 before compose up -d; calls:\n%s", calls)
	}
	if !strings.Contains(out, "worker02 unpaused") {
		t.Errorf("output:\n%s", out)
	}
}

// The summary lays out the swarm read's rows as docker node ls and docker
// service ls do: want is what docker 20.10 printed for the same lab.
func TestDockerTable(t *testing.T) {
	const want = `ID                            HOSTNAME   STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION
nc3u541q282wis95znevh60jn *   manager    Ready     Active         Leader           20.10.24+dfsg1
tpeyfz1xux3n130hd5wqydxw4     worker01   Ready     Active                          20.10.24+dfsg1

ID             NAME             MODE         REPLICAS   IMAGE                                          PORTS
n175zj9jqm91   echo             replicated   1/1        registry:5000/yutsuki/echo:latest              
pmr4myk8gw7w   echo_nginx       global       3/3        registry:5000/gihyodocker/nginx-proxy:latest   
vjj2bouw90m7   visualizer_app   replicated   1/1        registry:5000/swarmgen/visualizer:latest       *:9000->9000/tcp
`
	out, _, err := runScenario(t, `exit 1`, `
printf 'nc3u541q282wis95znevh60jn *\tmanager\tReady\tActive\tLeader\t20.10.24+dfsg1\ntpeyfz1xux3n130hd5wqydxw4\tworker01\tReady\tActive\t\t20.10.24+dfsg1\n' |
  docker_table 'ID\tHOSTNAME\tSTATUS\tAVAILABILITY\tMANAGER STATUS\tENGINE VERSION'
echo
printf '%b' 'n175zj9jqm91\techo\treplicated\t1/1\tregistry:5000/yutsuki/echo:latest\t\npmr4myk8gw7w\techo_nginx\tglobal\t3/3\tregistry:5000/gihyodocker/nginx-proxy:latest\t\n' \
  'vjj2bouw90m7\tvisualizer_app\treplicated\t1/1\tregistry:5000/swarmgen/visualizer:latest\t*:9000->9000/tcp\n' |
  docker_table 'ID\tNAME\tMODE\tREPLICAS\tIMAGE\tPORTS'
`)
	if err != nil || out != want {
		t.Errorf("docker_table: %v\n got:\n%s\nwant:\n%s", err, out, want)
	}
}

// wait-converged: the manager polls in one exec (its loop runs here, its
// docker asks answered below) until every node is Ready and every service
// at its replicas; a lab that does not converge within the wait fails,
// saying what is pending and why (docker service ps).
func TestWaitConverged(t *testing.T) {
	scenario := `case "$*" in
    "exec manager sh -c "*) shift 4; sh -c "$@" ;;
    "node ls --format node {{.Hostname}} {{.Status}}") echo "node manager Ready" ;;
    "service ls --format service {{.Name}} {{.Replicas}}")
      if [ -n "${NEVER:-}" ] || [ "$(nth svc)" -lt 3 ]; then echo "service api 0/3"; else echo "service api 3/3"; fi ;;
    "exec manager docker service ps --no-trunc api") echo "api.1  Pending  no suitable node" ;;
    # the swarm read, once converged (read_script): the manager lists itself
    "node ls --format node {{.ID}} "*) printf 'node id-m manager Ready Leader\nnoderow id-m *\tmanager\tReady\tActive\tLeader\t20.10.24\n' ;;
    "node inspect --format "* | "network ls "* | "config ls "* | "secret ls "*) ;;
    "service ls --format service {{.Name}} {{.Replicas}}\nservicerow "*) printf 'service api 3/3\nservicerow s-api\tapi\treplicated\t3/3\timage\t\n' ;;
    "service inspect --format "*) printf 'spec api\treplicated 3\timage\t\t\t\n' ;;
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`
	// (converged, the swarm read for the summary comes in the same exec)
	out, calls, err := runScenario(t, scenario, "WAIT=60\nLEADER=manager\nwait_converged && echo converged\nswarm_lines servicerow\n")
	if err != nil || !strings.Contains(out, "converged\ns-api\tapi\treplicated\t3/3\timage\t\n") || strings.Count(calls, "exec manager sh -c") != 1 ||
		strings.Count(calls, "\nservice ls --format service {{.Name}} {{.Replicas}}\n") != 3 || strings.Count(calls, "\nnode ls --format node {{.Hostname}}") != 1 {
		t.Errorf("a lab that converges at the third ask: %v\n%s\ncalls:\n%s", err, out, calls)
	}
	out, calls, err = runScenario(t, "NEVER=1\n"+scenario, "WAIT=1\nwait_converged\necho went on\n")
	if err == nil || !strings.Contains(out, "error: services did not converge within 1s:\napi 0/3") ||
		!strings.Contains(out, "no suitable node") || strings.Contains(out, "went on") {
		t.Errorf("a lab that does not converge: %v\n%s\ncalls:\n%s", err, out, calls)
	}
}

// The swarm read begun in the background before the first step is taken
// when nothing changed meanwhile, and read again after any change (a
// certificate too: it restarts a manager); a plan changes nothing, so it
// keeps the early read.
func TestEarlyRead(t *testing.T) {
	scenario := `case "$*" in
    "exec manager sh -c "*"t=\$(mktemp -d)"*) echo "from manager"; echo "state manager active read-$(nth read) C" ;;
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`
	for _, tc := range []struct{ name, between, want string }{
		{"nothing changed: the early read", "", "manager active read-1 C"},
		{"a node changed: read again", "act . node manager '' true", "manager active read-2 C"},
		{"a certificate made: read again", "act . certificate x '' true", "manager active read-2 C"},
		{"plan mode: the early read", "PLAN=1\nact + node manager 'join' true", "manager active read-1 C"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, calls, err := runScenario(t, scenario, "start_read\n"+tc.between+"\nswarm_lines state\n")
			if err != nil || !strings.Contains(out, tc.want) {
				t.Errorf("%v\nwant %q in:\n%s\ncalls:\n%s", err, tc.want, out, calls)
			}
		})
	}
}

// A node whose container and volume were made anew joined again under a
// new ID; the swarm lists its old ID too, Down. That twin is removed by
// ID (and shown in a plan), never the ID the node's engine holds now,
// and never a twin of a node that does not answer.
func TestRemoveStaleTwin(t *testing.T) {
	const body = `
printf 'node id-m1 m1 Ready Leader\nnode old-w2 w2 Down \nnode new-w2 w2 Ready \nnode old-w3 w3 Down \nnode new-w3 w3 Ready \nnode id-w1 w1 Ready \n' >"$RUN_DIR/swarm"
KEEP_NODES=" m1 w1 w2 w3 " LEADER=p-m1 CONTAINER_PREFIX=p-
remove_stale
`
	const scenario = `case "$*" in
    "exec p-w2 docker info --format {{.Swarm.NodeID}}") echo new-w2 ;;
    "exec p-w3 docker info --format {{.Swarm.NodeID}}") exit 1 ;; # not answering
    "exec p-m1 docker node rm --force "*) ;;
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`
	out, calls, err := runScenario(t, scenario, body)
	if err != nil {
		t.Fatalf("%v\n%s\ncalls:\n%s", err, out, calls)
	}
	checkCalls(t, calls, []string{"exec p-m1 docker node rm --force old-w2"}, []string{"new-w2", "old-w3", "rm --force w2", "id-"})
	out, calls, err = runScenario(t, scenario, "PLAN=1\n"+body)
	if err != nil || !strings.Contains(out, "plan\t-\tnode\tw2\tstale") || strings.Contains(calls, "node rm") {
		t.Errorf("plan: %v\n%s\ncalls:\n%s", err, out, calls)
	}
}

// wait-converged ends at once when swarm rejects a service's task since
// its image cannot be pulled (engine 20.10 rejects it about 2 s after
// create with "No such image: IMAGE" and tries again forever): it names
// the service, the node and the image, with the node's own pull's reason.
func TestWaitConvergedRejectedTask(t *testing.T) {
	scenario := `case "$*" in
    "exec manager sh -c "*) shift 4; sh -c "$@" ;;
    "service ls --format service {{.Name}} {{.Replicas}}") echo "service api 0/1"; echo "service ok 1/1" ;;
    "service ps --no-trunc --filter desired-state=shutdown --format {{.Name}}|{{.Node}}|{{.Image}}|{{.Error}} api")
      [ "$(nth ps)" -lt 2 ] || echo "api.1|worker01|nowhere/app:1|No such image: nowhere/app:1" ;;
    "exec worker01 docker pull --quiet nowhere/app:1")
      echo 'Error response from daemon: pull access denied for nowhere/app, repository does not exist' >&2; exit 1 ;;
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`
	start := time.Now()
	out, calls, err := runScenario(t, scenario, "WAIT=60\nwait_converged\necho went on\n")
	const want = "error: service api: swarm rejected its task on worker01: No such image: nowhere/app:1 (docker pull there: pull access denied for nowhere/app, repository does not exist)"
	if err == nil || !strings.Contains(out, want) || strings.Contains(out, "went on") {
		t.Errorf("want failure %q: %v\n%s\ncalls:\n%s", want, err, out, calls)
	}
	if strings.Count(calls, "exec manager sh -c") != 1 || time.Since(start) > 20*time.Second {
		t.Errorf("want one exec and no wait for the deadline (took %s); calls:\n%s", time.Since(start), calls)
	}
}

// The swarm read runs its commands inside the manager (the stub runs the
// in-node script for real, its docker calls answered per node). A manager
// whose listings fail (just after an election, or without quorum) gives
// its state and no swarm: a service it could not list must never read as
// one to create (seen in CI: start after a lost quorum created a service
// that existed).
func TestSwarmReadFailedListing(t *testing.T) {
	const lab = `
MANAGERS=(p-m1 p-m2 p-m3) MANAGER_ADDRS=(10.0.0.1 10.0.0.2 10.0.0.3) CONTAINER_PREFIX=p-
find_leader || echo "no leader"
echo "read from $(swarm_lines from)"
echo "states: $(swarm_lines state | awk '{ print $1, $2 }' | tr '\n' ' ')"
echo "services: $(swarm_lines service | tr '\n' ' ')"
`
	// node NAME's engine: NAME in swarm C, which m2 leads; m1 lists the
	// nodes but not the services (a case may have m2 answer as m1 does);
	// m3's container is stopped
	const engines = `case "$*" in
    "exec p-m3 "*) echo "Error response from daemon: container p-m3 is not running" >&2; exit 1 ;;
    "exec "*" sh -c "*) n=$2; shift 4; STUB_NODE=$n exec sh -c "$@" ;;
  esac
  case "$STUB_NODE $*" in
    *" info --format state "*) n=${3#state }; n=${n%% *}; echo "state $n active id-${n#p-} C" ;;
    "p-m1 service ls"*) echo "Error response from daemon: rpc error: code = Unknown desc = The swarm does not have a leader." >&2; exit 1 ;;
    *" node ls"*) # its own row marked, as docker node ls marks it
      printf 'node id-m1 m1 Ready Reachable\nnode id-m2 m2 Ready Leader\n'
      for m in m1 m2; do if [ "$STUB_NODE" = "p-$m" ]; then printf 'noderow id-%s *\t%s\n' $m $m; else printf 'noderow id-%s\t%s\n' $m $m; fi; done ;;
    *" node inspect"*) ;;
    *" service ls"*) echo "service echo 2/2" ;;
    *" service inspect"*) ;;
    *" network ls"* | *" config ls"* | *" secret ls"*) ;;
    *) echo "stub docker: no answer for: $*" >&2; exit 1 ;;
  esac`
	for _, tc := range []struct{ name, m2, want string }{
		{"the leader reads the swarm", "", "p-m2 10.0.0.2\nread from p-m2\nstates: p-m1 active p-m2 active\nservices: echo 2/2"},
		{"the leader's container is stopped: no leader, no services, the states kept",
			`    "exec p-m2 "*) echo "Error response from daemon: container p-m2 is not running" >&2; exit 1 ;;`,
			"no leader\nread from\nstates: p-m1 active\nservices:"},
		{"the leader cannot list its services yet",
			`    "exec p-m2 sh -c "*"service ls"*) STUB_NODE=p-m1 exec sh -c "$5" sh p-m2 ;;`,
			"no leader\nread from\nstates: p-m1 active p-m2 active\nservices:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scenario := strings.Replace(engines, "case \"$*\" in\n", "case \"$*\" in\n"+tc.m2+"\n", 1)
			out, calls, err := runScenario(t, scenario, lab)
			if got := regexp.MustCompile(` +\n`).ReplaceAllString(out, "\n"); err != nil || strings.TrimSpace(got) != tc.want {
				t.Errorf("got %q (%v), want %q; calls:\n%s", got, err, tc.want, calls)
			}
		})
	}
}

// A builtin image is built FROM the base that holds swarmgen: there, it is
// used; a release's is pulled; a devel one that is not there stops the
// push with what to do (bootstrap.sh alone on another machine).
func TestBuiltinBase(t *testing.T) {
	for _, tc := range []struct {
		name, base, published, scenario, say string
		fails                                bool
		want, never                          []string
	}{
		{"on this host", "swarmgen/swarmgen:devel", "false", `"image inspect --format {{.Id}} -- swarmgen/swarmgen:devel") echo sha256:b4se ;;`, "", false,
			nil, []string{"pull"}},
		{"a release's, not here: pulled", "ghcr.io/swarmgen/swarmgen:v1.2.3", "true", `"image inspect "*) exit 1 ;;
  "pull --quiet -- ghcr.io/swarmgen/swarmgen:v1.2.3") ;;`, "", false,
			[]string{"pull --quiet -- ghcr.io/swarmgen/swarmgen:v1.2.3"}, nil},
		{"a release's, not here, offline", "ghcr.io/swarmgen/swarmgen:v1.2.3", "true", `"image inspect "*) exit 1 ;;
  "pull "*) echo "dial tcp: lookup ghcr.io: no such host" >&2; exit 1 ;;`, "swarmgen images load a bundle", true, nil, nil},
		{"a devel one, not here", "swarmgen/swarmgen:devel", "false", `"image inspect "*) exit 1 ;;`,
			"run swarmgen up once on this host, or swarmgen images load a bundle", true, nil, []string{"pull"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, calls, err := runScenario(t, "case \"$*\" in\n  "+tc.scenario+"\n  *) exit 1 ;;\nesac", `
BUILTIN_BASE=`+tc.base+` BUILTIN_BASE_PUBLISHED=`+tc.published+`
viz() { prepared '' ./builtin visualizer.Dockerfile localhost:5000/swarmgen/visualizer:latest swarmgen/visualizer latest registry:5000/swarmgen/visualizer:latest true; }
step push-images viz
`)
			if (err != nil) != tc.fails || !strings.Contains(out, tc.say) {
				t.Errorf("err %v (want failure: %v), output lacks %q:\n%s", err, tc.fails, tc.say, out)
			}
			checkCalls(t, calls, tc.want, tc.never)
		})
	}
}

// The faults swarmgen net put in force are node labels in the swarm: up's
// summary says they are in force (up heals none) from the read it has, a
// line a node, and says nothing of other labels.
func TestSummarySaysNetFaults(t *testing.T) {
	body := `cat >"$RUN_DIR/swarm" <<'SNAP'
from manager
node m1 manager Ready Leader
node w1 worker01 Ready
label manager zone=a
label worker01 ` + ownlabels.NetCut + `=manager,worker02
label worker01 ` + ownlabels.NetDelay + `=delay 200ms 20ms loss 5%
label manager ` + ownlabels.NetCut + `=worker01
label worker02 ` + ownlabels.NetCut + `=
SNAP
summary
`
	out, _, err := runScenario(t, `exit 1`, body)
	want := `    warning: network faults are in force, and up does not heal them (swarmgen net heal does):
      worker01: cut off from manager,worker02; delay 200ms 20ms loss 5%
      manager: cut off from worker01
`
	if err != nil || !strings.HasSuffix(out, want) {
		t.Errorf("summary with faults recorded: %v\n got:\n%s\nwant it to end:\n%s", err, out, want)
	}
	body = strings.ReplaceAll(body, ownlabels.Prefix+"net.", "other.")
	if out, _, err := runScenario(t, `exit 1`, body); err != nil || strings.Contains(out, "warning") {
		t.Errorf("summary with no fault recorded: %v\n%s", err, out)
	}
}

// The builtin base's ID is asked once a run, however many builtin images
// need it (prepared and build_digest each ask for every one).
func TestBaseIDAskedOnce(t *testing.T) {
	out, calls, err := runScenario(t, `case "$*" in
  "image inspect --format {{.Id}} -- swarmgen/swarmgen:devel") echo sha256:b4se ;;
  *) exit 1 ;;
esac`, `
BUILTIN_BASE=swarmgen/swarmgen:devel
for i in 1 2; do prepared '' ./builtin v.Dockerfile r n t x true; base_id; done
`)
	if err != nil || out != "sha256:b4se\nsha256:b4se\n" || strings.Count(calls, "image inspect") != 1 {
		t.Errorf("base ID: %v\n%s\ncalls:\n%s", err, out, calls)
	}
}

// On an unchanged lab, a node the leader lists once and Ready gets no join
// job at all (a process a node costs seconds at 100 nodes); one that is
// not Ready does.
func TestJoinSkipsReadyNodes(t *testing.T) {
	out, err := runSteps(t, `
MANAGERS=(m1) MANAGER_ADDRS=(10.0.0.1)
WORKERS=(w1 w2 w3) WORKER_ADDRS=(a b c)
NODES=(m1 w1 w2 w3) CONTAINER_PREFIX= LEADER=m1
on() { :; }
cat >"$RUN_DIR/swarm" <<'SNAP'
state m1 active id1 c1
node id1 m1 Ready Leader
node id2 w1 Ready
node id3 w2 Ready
node id4 w3 Down
SNAP
touch "$RUN_DIR/containers-unchanged"
join_one() { echo "$1" >>"$RUN_DIR/jobs"; }
step swarm-join swarm_join
echo "jobs: $(tr '\n' ' ' <"$RUN_DIR/jobs")"
`)
	if err != nil || !strings.Contains(out, "jobs: w3 \n") {
		t.Errorf("want a join job for w3 alone: %v\n%s", err, out)
	}
}

// A read that names no leader (a manager under load failed it) is made
// again, a plan too, before the script says no manager answers.
func TestWaitLeaderReadsAgain(t *testing.T) {
	out, _, err := runScenario(t, `exit 1`, `
MANAGERS=(m1) MANAGER_ADDRS=(10.0.0.1) CONTAINER_PREFIX= PLAN=1
rm -f "$RUN_DIR/early"
read_snapshot() {
  echo x >>"$RUN_DIR/reads"
  if [ "$(wc -l <"$RUN_DIR/reads")" -lt 2 ]; then
    echo "state m1 active id1 c1" >"$1"
  else
    printf 'state m1 active id1 c1\nnode id1 m1 Ready Leader\n' >"$1"
  fi
}
wait_leader && echo "reads $(wc -l <"$RUN_DIR/reads")"
`)
	if err != nil || !strings.Contains(out, "m1 10.0.0.1\nreads 2\n") {
		t.Errorf("want the leader from the second read: %v\n%s", err, out)
	}
}

// deployCall is the end of the call that deploys stack name from
// stack/file.yml (with its record: stack_deploy) up to its hash.
func deployCall(name, file string) string {
	return " sh " + name + " /stack/" + file + ".yml "
}
