package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	swarmlab "github.com/swarmgen/swarmgen/internal/lab"
)

// A lab of its own: no other e2e test uses this name or port.
const (
	opsLab          = "e2e-ops"
	opsRegistryPort = 15008
)

// TestNodeOpsAndLoad: swarmgen node stops a worker (status shows it Down
// and its tasks run elsewhere) and starts it again with the same node ID;
// a killed worker stays down in spite of the restart policy, and one up
// brings back a killed worker and a paused manager. swarmgen load puts an
// image built on the host into the lab registry, a service of it
// converges, a second load pushes nothing, and --archive loads a tar.
func TestNodeOpsAndLoad(t *testing.T) {
	needEngine(t)
	h := newHarness(t, smallLab(opsLab, opsRegistryPort))
	h.must("up", "--wait", "4m")
	st := h.waitFor("2 nodes ready, echo converged", time.Minute, nodesReadyAnd(2, converged("echo")))
	ids := nodeIDs(st)

	if out, err := h.swarmgen("node", "stop", "worker09"); err == nil || !strings.Contains(out, `no node "worker09" in this lab; its nodes: manager, worker01`) {
		t.Errorf("node stop of an unknown node: %v\n%s", err, out)
	}

	t.Run("stop and start a worker", func(t *testing.T) {
		stopped := time.Now()
		h.must("node", "stop", "worker01")
		h.waitFor("worker01 down and echo's tasks elsewhere", 2*time.Minute, func(st *swarmlab.Status) error {
			if s := nodeState(st, "worker01"); s != "down" {
				return fmt.Errorf("worker01 is %q", s)
			}
			return convergedOff("worker01", "echo")(st)
		})
		t.Logf("TIMING worker01 down and echo's tasks moved %s after node stop", time.Since(stopped).Round(100*time.Millisecond))
		if out := h.must("status"); !strings.Contains(out, "worker01") || !strings.Contains(strings.ToLower(out), "down") {
			t.Errorf("status does not show worker01 down:\n%s", out)
		}
		h.must("node", "start", "worker01")
		st := h.waitFor("worker01 ready again", 2*time.Minute, nodesReadyAnd(2, converged("echo")))
		if again := nodeIDs(st); again != ids {
			t.Errorf("node IDs changed across node stop/start:\n%s\nthen\n%s", ids, again)
		}
	})

	t.Run("up brings back a killed worker and a paused manager", func(t *testing.T) {
		h.must("node", "kill", "worker01")
		h.must("node", "pause", "manager")
		time.Sleep(3 * time.Second) // a restart policy would have started it by now
		if s := docker(t, "inspect", "--format", "{{.State.Status}} {{.RestartCount}}", opsLab+"-worker01"); s != "exited 0" {
			t.Errorf("killed worker01 is %q, want it to stay exited (a kill is a stop by hand for the restart policy)", s)
		}
		if s := docker(t, "inspect", "--format", "{{.State.Status}}", opsLab+"-manager"); s != "paused" {
			t.Errorf("paused manager is %q", s)
		}
		h.must("up", "--wait", "4m")
		st := h.waitFor("both nodes ready after up", 2*time.Minute, nodesReadyAnd(2, converged("echo")))
		if again := nodeIDs(st); again != ids {
			t.Errorf("node IDs changed across kill/pause and up:\n%s\nthen\n%s", ids, again)
		}
	})

	t.Run("load", func(t *testing.T) {
		const tiny = "swarmgen-e2e-ops/tiny"
		pushRef := fmt.Sprintf("localhost:%d/%s", opsRegistryPort, tiny)
		t.Cleanup(func() { // only the tags this test made
			for _, ref := range []string{tiny + ":1", tiny + ":2", pushRef + ":1", pushRef + ":2"} {
				_ = exec.Command("docker", "rmi", ref).Run()
			}
		})
		// a tiny image of the host, from an image already there (no pull)
		build := exec.Command("docker", "build", "-q", "-t", tiny+":1", "-")
		build.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
		build.Stdin = strings.NewReader("FROM yutsuki/echo:latest\nLABEL dev.swarmgen.e2e=" + fmt.Sprint(time.Now().UnixNano()) + "\n")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("docker build: %v\n%s", err, out)
		}
		out := h.must("load", tiny+":1")
		if !strings.Contains(out, "registry:5000/"+tiny+":1 pushed") {
			t.Errorf("load does not say it pushed registry:5000/%s:1:\n%s", tiny, out)
		}
		h.must("docker", "service", "create", "--detach", "--name", "tiny", "--replicas", "2", "registry:5000/"+tiny+":1")
		h.waitFor("service tiny converged", 2*time.Minute, converged("tiny"))

		out = h.must("load", tiny+":1")
		if !strings.Contains(out, "registry:5000/"+tiny+":1 unchanged") || strings.Contains(out, "pushed") {
			t.Errorf("a second load of the same image pushed again or did not say so:\n%s", out)
		}

		archive := filepath.Join(t.TempDir(), "tiny.tar")
		docker(t, "tag", tiny+":1", tiny+":2")
		docker(t, "save", "-o", archive, tiny+":2")
		docker(t, "rmi", tiny+":2")
		out = h.must("load", "--archive", archive)
		if !strings.Contains(out, "registry:5000/"+tiny+":2 pushed") {
			t.Errorf("load --archive does not say it pushed registry:5000/%s:2:\n%s", tiny, out)
		}
		tags, err := httpGet(fmt.Sprintf("http://127.0.0.1:%d/v2/%s/tags/list", opsRegistryPort, tiny))
		if err != nil || !strings.Contains(tags, `"1"`) || !strings.Contains(tags, `"2"`) {
			t.Errorf("registry tags of %s: %s (%v), want 1 and 2", tiny, tags, err)
		}
	})
}

func nodeState(st *swarmlab.Status, name string) string {
	for _, n := range st.Nodes {
		if n.Name == name {
			return n.State
		}
	}
	return "missing"
}

// convergedOff holds when the services are converged with no task on node.
func convergedOff(node string, services ...string) func(*swarmlab.Status) error {
	return func(st *swarmlab.Status) error {
		if err := converged(services...)(st); err != nil {
			return err
		}
		for _, name := range services {
			for _, task := range service(st, name).Tasks {
				if task.Node == node {
					return fmt.Errorf("%s still on %s", task.Name, node)
				}
			}
		}
		return nil
	}
}
