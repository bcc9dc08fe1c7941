package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	swarmlab "github.com/swarmgen/swarmgen/internal/lab"
)

const haSpec = `apiVersion: swarmgen.dev/v1alpha1
kind: Lab
name: e2e-ha
routing_mesh: false
registry:
  image: swarmgen-e2e/registry:3
  port: 15001
nodes:
  image: swarmgen-e2e/dind:bookworm
  privileged: false
managers: 3
workers: 1
images:
  - source: yutsuki/echo:latest
services:
  - name: echo
    image: registry:5000/yutsuki/echo:latest
    replicas: 2
`

// TestManagerFailover: with 3 managers, killing the leader elects a new
// one and services keep running; killing a second loses the quorum, which
// status explains; starting the lab again restores it. Losing two for good
// is mended by recover, then up.
func TestManagerFailover(t *testing.T) {
	needEngine(t)
	h := newHarness(t, haSpec)
	h.must("up", "--wait", "4m")
	st := h.waitFor("3 managers, 1 leader", time.Minute, converged("echo"))
	oldLeader := leaderOf(st)
	if oldLeader == "" {
		t.Fatalf("no leader: %+v", st.Nodes)
	}

	killed := time.Now()
	docker(t, "kill", "e2e-ha-"+oldLeader)
	var newLeader string
	for deadline := time.Now().Add(time.Minute); newLeader == "" || newLeader == oldLeader; {
		if time.Now().After(deadline) {
			t.Fatalf("no new leader within a minute of killing %s", oldLeader)
		}
		if st, err := h.tryStatus(); err == nil {
			newLeader = leaderOf(st)
		}
		if newLeader == "" || newLeader == oldLeader {
			time.Sleep(200 * time.Millisecond)
		}
	}
	t.Logf("FAILOVER: %s killed, %s leads after %s", oldLeader, newLeader, time.Since(killed).Round(10*time.Millisecond))
	// a leader just elected knows the other nodes' state only from their
	// next heartbeats (unknown until then)
	h.waitFor("the new leader sees the other manager ready", time.Minute, managersReady(2))
	out := h.must("status")
	if !strings.Contains(out, "leader: "+newLeader) || !strings.Contains(out, "managers up: 2 of 3") {
		t.Errorf("status does not show the new leader and the down manager:\n%s", out)
	}
	if ls := h.must("docker", "node", "ls"); !strings.Contains(ls, newLeader) || !strings.Contains(ls, "Leader") {
		t.Errorf("swarmgen docker did not reach the new leader:\n%s", ls)
	}
	h.waitFor("echo still 2/2", time.Minute, converged("echo"))

	second := ""
	for _, n := range []string{"manager01", "manager02", "manager03"} {
		if n != oldLeader && n != newLeader {
			second = n
		}
	}
	docker(t, "kill", "e2e-ha-"+newLeader)
	var msg string
	for deadline := time.Now().Add(time.Minute); !strings.Contains(msg, "lost its quorum"); time.Sleep(time.Second) {
		if time.Now().After(deadline) {
			t.Fatalf("status never reported the lost quorum; last:\n%s", msg)
		}
		msg, _ = h.swarmgen("status")
	}
	for _, want := range []string{"1 of 3 managers are up", "keep running", "swarmgen start", "swarmgen recover", "e2e-ha-" + second} {
		if !strings.Contains(msg, want) {
			t.Errorf("quorum message lacks %q:\n%s", want, msg)
		}
	}

	h.must("start", "--wait", "4m")
	st = h.waitFor("quorum back", 2*time.Minute, func(st *swarmlab.Status) error {
		if err := managersReady(3)(st); err != nil {
			return err
		}
		return converged("echo")(st)
	})
	t.Logf("after start: leader %s", leaderOf(st))
	// the context named the first leader, killed then started again, maybe
	// on another host port: start points it at a running manager
	if ls := docker(t, "--context", "swarmgen-e2e-ha", "node", "ls", "--format", "{{.Hostname}}"); len(strings.Fields(ls)) != 4 {
		t.Errorf("docker --context swarmgen-e2e-ha node ls after start:\n%s", ls)
	}

	// Two managers gone for good: recover makes the survivor the sole
	// manager, scheduling works again, and up brings the others back.
	survivor := leaderOf(st)
	for _, n := range []string{"manager01", "manager02", "manager03"} {
		if n != survivor {
			docker(t, "kill", "e2e-ha-"+n)
		}
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Second) {
		if msg, _ = h.swarmgen("status"); strings.Contains(msg, "lost its quorum") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status never reported the lost quorum; last:\n%s", msg)
		}
	}
	out = h.must("recover", "--yes")
	if !strings.Contains(out, survivor+" now leads") || !strings.Contains(out, "swarmgen up") {
		t.Errorf("recover output:\n%s", out)
	}
	st = h.waitFor("survivor leads", time.Minute, func(st *swarmlab.Status) error {
		if l := leaderOf(st); l != survivor {
			return fmt.Errorf("leader %q, want %s", l, survivor)
		}
		return nil
	})
	// recover pointed the context at the survivor, the one manager running
	if ls := docker(t, "--context", "swarmgen-e2e-ha", "node", "ls", "--format", "{{.Hostname}} {{.ManagerStatus}}"); !strings.Contains(ls, survivor+" Leader") {
		t.Errorf("docker --context swarmgen-e2e-ha node ls after recover does not reach the survivor %s:\n%s", survivor, ls)
	}
	h.must("docker", "service", "scale", "--detach", "echo=3")
	h.waitFor("echo scaled to 3 after recover", 2*time.Minute, converged("echo"))
	if svc := service(h.status(), "echo"); svc == nil || svc.Desired != 3 {
		t.Errorf("echo after scale: %+v", svc)
	}

	h.must("up", "--wait", "4m")
	h.waitFor("3 managers again after up", 2*time.Minute, func(st *swarmlab.Status) error {
		managers := 0
		for _, n := range st.Nodes {
			if n.Role == "manager" && n.State == "ready" {
				managers++
			}
		}
		if managers != 3 || len(st.Nodes) != 4 {
			return fmt.Errorf("%d managers ready, %d nodes listed (want 3 and 4: no stale entries)", managers, len(st.Nodes))
		}
		return converged("echo")(st)
	})
}

func leaderOf(st *swarmlab.Status) string {
	for _, n := range st.Nodes {
		if n.Leader && n.State == "ready" {
			return n.Name
		}
	}
	return ""
}

// buildSwarmgen builds the binary of this tree into a temporary directory.
func buildSwarmgen(t *testing.T) string {
	t.Helper()
	root, _ := filepath.Abs("..")
	bin := filepath.Join(t.TempDir(), "swarmgen")
	build := execCommand("go", "build", "-o", bin, "./cmd/swarmgen")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // static: it is also the visualizer image
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// newHarness builds the binary and writes spec into a fresh lab directory,
// with the lab brought down at the end. env (e.g. DOCKER_HOST=unix://...)
// is added to the environment of h's swarmgen commands; pass h.env to
// dockerEnv for docker commands against the same engine.
func newHarness(t *testing.T, spec string, env ...string) *harness {
	t.Helper()
	root, _ := filepath.Abs("..")
	h := &harness{t: t, bin: buildSwarmgen(t), dir: t.TempDir(), env: env}
	if err := os.WriteFile(filepath.Join(h.dir, "swarm.yaml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _ = h.swarmgen("down")
	t.Cleanup(func() {
		if t.Failed() {
			_, _ = h.swarmgen("export-logs", filepath.Join(root, "e2e", "out", "logs-"+t.Name()))
		}
		_, _ = h.swarmgen("down")
	})
	return h
}

// managersReady: exactly n managers are ready.
func managersReady(n int) func(*swarmlab.Status) error {
	return func(st *swarmlab.Status) error {
		ready := 0
		for _, node := range st.Nodes {
			if node.Role == "manager" && node.State == "ready" {
				ready++
			}
		}
		if ready != n {
			return fmt.Errorf("%d managers ready, want %d", ready, n)
		}
		return nil
	}
}
