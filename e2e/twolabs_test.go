package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func smallLab(name string, port int) string {
	return fmt.Sprintf(`apiVersion: swarmgen.dev/v1alpha1
kind: Lab
name: %s
routing_mesh: false
registry: {image: swarmgen-e2e/registry:3, port: %d}
nodes: {image: swarmgen-e2e/dind:bookworm, privileged: false}
managers: 1
workers: 1
images:
  - source: yutsuki/echo:latest
services:
  - name: echo
    image: registry:5000/yutsuki/echo:latest
    replicas: 2
`, name, port)
}

// TestTwoLabsSideBySide: two labs with different names run at once, each
// with its own registry, network and ports; down of one leaves the other.
func TestTwoLabsSideBySide(t *testing.T) {
	needEngine(t)
	a := newHarness(t, smallLab("e2e-a", 15003))
	b := newHarness(t, smallLab("e2e-b", 15004))
	a.must("up", "--wait", "4m")
	b.must("up", "--wait", "4m")
	a.waitFor("lab a converged", time.Minute, converged("echo"))
	b.waitFor("lab b converged", time.Minute, converged("echo"))
	out, err := execCommand(a.bin, "list").CombinedOutput()
	if err != nil {
		t.Fatalf("swarmgen list: %v\n%s", err, out)
	}
	list := string(out)
	t.Logf("$ swarmgen list\n%s", list)
	for _, want := range []string{"e2e-a", "e2e-b"} {
		if !strings.Contains(list, want) {
			t.Errorf("list lacks %s:\n%s", want, list)
		}
	}
	a.must("down")
	if left := docker(t, "ps", "-aq", "--filter", "label=dev.swarmgen.lab=e2e-a"); left != "" {
		t.Errorf("lab a left containers: %s", left)
	}
	b.waitFor("lab b still converged after a's down", time.Minute, converged("echo"))
}
