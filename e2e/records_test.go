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

const (
	recordsLab          = "e2e-records"
	recordsRegistryPort = 15021
)

// recordsSpec is a 3-manager lab with the stacks named in stacks, each one
// echo service.
func recordsSpec(stacks ...string) string {
	spec := fmt.Sprintf(`apiVersion: swarmgen.dev/v1alpha1
kind: Lab
name: %s
routing_mesh: false
registry:
  image: swarmgen-e2e/registry:3
  port: %d
nodes:
  image: swarmgen-e2e/dind:bookworm
  privileged: false
managers: 3
workers: 0
images:
  - source: yutsuki/echo:latest
stacks:
`, recordsLab, recordsRegistryPort)
	for _, s := range stacks {
		spec += fmt.Sprintf("  - name: %s\n    services:\n      web:\n        image: registry:5000/yutsuki/echo:latest\n", s)
	}
	return spec
}

// TestRecordsSurviveALeaderChange: the lab's records (which file each
// stack was deployed from) are in the swarm, not on the disk of the
// manager that led when it deployed: after the leader's container is
// killed and another manager leads, up with a stack dropped from the spec
// leaves the unchanged stack alone and removes the dropped one.
func TestRecordsSurviveALeaderChange(t *testing.T) {
	needEngine(t)
	h := newHarness(t, recordsSpec("keep", "drop"))
	h.must("up", "--wait", "4m")
	st := h.waitFor("both stacks up", 2*time.Minute, converged("keep_web", "drop_web"))
	oldLeader := leaderOf(st)
	if oldLeader == "" {
		t.Fatalf("no leader: %+v", st.Nodes)
	}
	version := func() string {
		return strings.TrimSpace(h.must("docker", "service", "inspect", "--format", "{{.Version.Index}}", "keep_web"))
	}
	before := version()

	docker(t, "kill", recordsLab+"-"+oldLeader)
	newLeader := ""
	for deadline := time.Now().Add(2 * time.Minute); newLeader == "" || newLeader == oldLeader; {
		if time.Now().After(deadline) {
			t.Fatalf("no new leader within 2 minutes of killing %s", oldLeader)
		}
		if st, err := h.tryStatus(); err == nil {
			newLeader = leaderOf(st)
		}
		if newLeader == "" || newLeader == oldLeader {
			time.Sleep(250 * time.Millisecond)
		}
	}
	t.Logf("%s killed, %s leads", oldLeader, newLeader)

	if err := os.WriteFile(filepath.Join(h.dir, "swarm.yaml"), []byte(recordsSpec("keep")), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := h.must("plan")
	if !strings.Contains(plan, "drop") || strings.Contains(plan, "keep") {
		t.Errorf("plan after the leader change: want the dropped stack removed and nothing of keep:\n%s", plan)
	}
	h.must("up", "--wait", "4m")
	if after := version(); after != before {
		t.Errorf("stack keep was redeployed (its service's version %s -> %s): its record was lost with the leader", before, after)
	}
	h.waitFor("stack drop removed", time.Minute, func(st *swarmlab.Status) error {
		if service(st, "drop_web") != nil {
			return fmt.Errorf("drop_web still runs")
		}
		return converged("keep_web")(st)
	})
	if ls := h.must("docker", "service", "ls", "--format", "{{.Name}}"); strings.Contains(ls, "drop_") || !strings.Contains(ls, "keep_web") {
		t.Errorf("services after up: want keep_web and nothing of stack drop:\n%s", ls)
	}
}
