package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const rolloutSpec = `apiVersion: swarmgen.dev/v1alpha1
kind: Lab
name: e2e-roll
routing_mesh: false
registry:
  image: swarmgen-e2e/registry:3
  port: 15041
nodes:
  image: NODE_IMAGE
  privileged: false
managers:
  - name: manager01
  - name: manager02
    ports: MANAGER02_PORTS
  - name: manager03
workers: 2
images:
  - source: yutsuki/echo:latest
stacks:
  - name: web
    services:
      api:
        image: registry:5000/yutsuki/echo:latest
        deploy:
          replicas: 4
`

// TestRolloutNodeImage: a lab of 3 managers and 2 workers with a
// replicated stack moves to another node image. plan lists the five nodes;
// up recreates them one at a time while a poll every second always finds
// a leader, at least two reachable managers and running tasks of the
// stack; the node IDs stay; plan then has no changes. A port added to one
// manager recreates it alone. A service scaled by hand is planned and set
// back by up.
func TestRolloutNodeImage(t *testing.T) {
	needEngine(t)
	const oldImage, newImage = "swarmgen-e2e/dind:bookworm", "swarmgen-e2e/dind:rollout-e2e"
	docker(t, "tag", oldImage, newImage)
	t.Cleanup(func() { _, _ = execCommand("docker", "rmi", newImage).CombinedOutput() })
	spec := func(image, ports string) string {
		return strings.NewReplacer("NODE_IMAGE", image, "MANAGER02_PORTS", ports).Replace(rolloutSpec)
	}
	h := newHarness(t, spec(oldImage, "[]"))
	h.must("up", "--wait", "5m")
	st := h.waitFor("the stack converged", 2*time.Minute, converged("web_api"))
	ids := nodeIDs(st)

	write := func(s string) {
		if err := os.WriteFile(filepath.Join(h.dir, "swarm.yaml"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(spec(newImage, "[]"))
	out := h.must("plan")
	recreate := regexp.MustCompile(`(?m)node (\S+): recreate \(image ` + regexp.QuoteMeta(oldImage) + ` -> ` + regexp.QuoteMeta(newImage) + `\)`)
	if got := recreate.FindAllStringSubmatch(out, -1); len(got) != 5 {
		t.Fatalf("plan lists %d nodes to recreate, want 5:\n%s", len(got), out)
	}

	// the swarm, every second while up rolls the change out
	var (
		mu       sync.Mutex
		problems []string
		polls    int
		stop     = make(chan struct{})
		done     = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
			}
			st, err := h.tryStatus()
			mu.Lock()
			polls++
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: no status: %v", time.Now().Format("15:04:05"), strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", " | ")))
				mu.Unlock()
				continue
			}
			reachable, managers := 0, []string{}
			for _, n := range st.Nodes {
				if n.Role == "manager" {
					managers = append(managers, fmt.Sprintf("%s %s leader=%t reachable=%t", n.Name, n.State, n.Leader, n.Reachable))
					// "unknown" is no outage: a new leader's dispatcher marks
					// every node unknown until it hears from it, and the
					// leader's handoff makes a new leader (seen: manager03
					// unknown for a second, then ready, raft reachable)
					if (n.State == "ready" && (n.Leader || n.Reachable)) || n.State == "unknown" {
						reachable++
					}
				}
			}
			svc := service(st, "web_api")
			switch {
			case st.Leader == "":
				problems = append(problems, time.Now().Format("15:04:05")+": no leader")
			case reachable < 2:
				problems = append(problems, fmt.Sprintf("%s: %d reachable managers (%s)", time.Now().Format("15:04:05"), reachable, strings.Join(managers, "; ")))
			case svc == nil || svc.Running == 0:
				problems = append(problems, time.Now().Format("15:04:05")+": no running task of web_api")
			}
			mu.Unlock()
		}
	}()
	start := time.Now()
	out, err := h.swarmgen("up", "--wait", "5m")
	close(stop)
	<-done
	if err != nil {
		t.Fatalf("up: %v\n%s", err, out)
	}
	t.Logf("ROLLOUT: 5 nodes in %s, %d polls", time.Since(start).Round(100*time.Millisecond), polls)
	for _, p := range problems {
		t.Errorf("during the roll-out: %s", p)
	}
	if polls < 5 {
		t.Errorf("only %d polls during the roll-out", polls)
	}
	for _, n := range []string{"worker01", "worker02", "manager01", "manager02", "manager03"} {
		if img := docker(t, "inspect", "--format", "{{.Config.Image}}", "e2e-roll-"+n); img != newImage {
			t.Errorf("node %s runs %s, want %s", n, img, newImage)
		}
	}
	st = h.waitFor("the stack converged after the roll-out", 2*time.Minute, converged("web_api"))
	if got := nodeIDs(st); got != ids {
		t.Errorf("node IDs changed:\n%s\nwant:\n%s", got, ids)
	}
	if out := h.must("plan"); !strings.Contains(out, "No changes") {
		t.Errorf("plan after the roll-out:\n%s", out)
	}

	// a port added to one manager: it alone is recreated
	containers := func() map[string]string {
		m := map[string]string{}
		for _, n := range []string{"worker01", "worker02", "manager01", "manager02", "manager03"} {
			m[n] = docker(t, "inspect", "--format", "{{.Id}}", "e2e-roll-"+n)
		}
		return m
	}
	before := containers()
	write(spec(newImage, `["18741:8080"]`))
	out = h.must("plan")
	if got := recreateLines(out); got != "manager02: recreate (ports)" {
		t.Errorf("plan for a port added to manager02: %q\n%s", got, out)
	}
	h.must("up", "--wait", "5m")
	after := containers()
	for n := range before {
		if (before[n] != after[n]) != (n == "manager02") {
			t.Errorf("node %s: container %s -> %s; only manager02 should be recreated", n, before[n][:12], after[n][:12])
		}
	}

	// a service scaled by hand: plan shows it, up sets it back
	h.must("docker", "service", "scale", "--detach", "web_api=6")
	out = h.must("plan")
	if !strings.Contains(out, "web_api: replicas 6 -> 4 (changed outside swarmgen)") {
		t.Errorf("plan does not show the scaled service:\n%s", out)
	}
	h.must("up", "--wait", "5m")
	st = h.waitFor("web_api back at 4", 2*time.Minute, converged("web_api"))
	if svc := service(st, "web_api"); svc.Desired != 4 {
		t.Errorf("web_api wants %d replicas after up, want 4", svc.Desired)
	}
	if out := h.must("plan"); !strings.Contains(out, "No changes") {
		t.Errorf("plan after up set the service back:\n%s", out)
	}
}

// recreateLines are the "NODE: recreate (...)" of a plan's output.
func recreateLines(out string) string {
	var lines []string
	for _, m := range regexp.MustCompile(`(?m)node (\S+: recreate \([^)]*\))`).FindAllStringSubmatch(out, -1) {
		lines = append(lines, m[1])
	}
	return strings.Join(lines, "\n")
}
