package golden

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runSteps runs the generated bootstrap.sh of the classic case up to its
// first step, with body appended: its helpers and step machinery, against
// stand-ins for the real work.
func runSteps(t *testing.T, body string) (string, error) {
	t.Helper()
	raw, err := os.ReadFile("classic/out/bootstrap.sh")
	if err != nil {
		t.Fatal(err)
	}
	script := string(raw)
	cut := strings.Index(script, "\nstep preflight preflight\n")
	if cut < 0 {
		t.Fatal("bootstrap.sh has no `step preflight preflight` line")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "bootstrap-part.sh")
	if err := os.WriteFile(file, []byte(script[:cut]+"\n"+body), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("bash", file).CombinedOutput()
	return string(out), err
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

// Joins run JOIN_PARALLEL at a time, every node is joined, and one failed
// join fails the step.
func TestJoinsAreThrottled(t *testing.T) {
	stubs := `
MANAGERS=(m1) MANAGER_ADDRS=(10.0.0.1)
WORKERS=(w1 w2 w3 w4 w5 w6 w7 w8 w9) WORKER_ADDRS=(a b c d e f g h i)
JOIN_PARALLEL=3
on() { :; } # the leader: no nodes yet, empty tokens, no labels
join_one() {
  mkdir "$RUN_DIR/running-$1"
  n=0 # a glob reads the directory without a stat, so other jobs may come and go
  for f in "$RUN_DIR"/running-*; do n=$((n + 1)); done
  echo "$n" >>"$RUN_DIR/counts"
  sleep 0.2
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

// A join the CLI gave up waiting for is awaited; one that ends in error is
// left and tried again, three times at most.
func TestJoinRetries(t *testing.T) {
	stubs := `
KNOWN_IDS="" WORKER_TOKEN=t WAIT=5
docker() { echo "inactive "; } # the node's state before the join
on() {
  case "$*" in
    *"swarm join"*)
      n=$(($(cat "$RUN_DIR/joins" 2>/dev/null || echo 0) + 1)); echo "$n" >"$RUN_DIR/joins"
      if [ "$n" -ge "${JOIN_OK_AT:-99}" ]; then return 0; fi
      echo "Timeout was reached before node joined. The attempt to join the swarm will continue in the background." >&2; return 1 ;;
    *"swarm leave"*) echo left >>"$RUN_DIR/leaves" ;;
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

// A node whose engine has not loaded its swarm state yet (no node ID) is
// waited for, not made to leave: leaving would give it a new node ID. Only
// a node ID the swarm does not know makes it leave and join again.
func TestJoinWaitsForTheNodeID(t *testing.T) {
	stubs := `
KNOWN_IDS=$'id1\nid2' WORKER_TOKEN=t WAIT=5
docker() { # docker exec NODE docker info: no ID for the first two asks
  n=$(($(cat "$RUN_DIR/asks" 2>/dev/null || echo 0) + 1)); echo "$n" >"$RUN_DIR/asks"
  if [ "$n" -le 2 ]; then echo "pending "; else echo "active $NODE_ID"; fi
}
on() { echo "$*" >>"$RUN_DIR/on"; }
`
	out, err := runSteps(t, stubs+`
NODE_ID=id2
join_one w1 10.0.0.2 worker
echo "asks $(cat "$RUN_DIR/asks") calls $(cat "$RUN_DIR/on" 2>/dev/null | wc -l)"
`)
	if err != nil || !strings.Contains(out, "asks 3 calls 0") || strings.Contains(out, "joined") {
		t.Errorf("a known node reconnecting: %v\n%s", err, out)
	}
	out, err = runSteps(t, stubs+`
NODE_ID=id9
join_one w1 10.0.0.2 worker
cat "$RUN_DIR/on"
`)
	if err != nil || !strings.Contains(out, "swarm leave --force") || !strings.Contains(out, "w1 joined as worker") {
		t.Errorf("a node of another swarm: %v\n%s", err, out)
	}
}
