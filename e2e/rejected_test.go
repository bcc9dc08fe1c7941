package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rejectedSpec names an image that is nowhere: of a registry the nodes
// cannot reach (this host is offline), on no node.
const rejectedSpec = `apiVersion: swarmgen.dev/v1alpha1
kind: Lab
name: e2e-mac2-reject
routing_mesh: false
registry:
  image: swarmgen-e2e/registry:3
  port: 15043
nodes:
  image: swarmgen-e2e/dind:bookworm
  privileged: false
managers: 1
workers: 1
services:
  - name: nowhere
    image: ghcr.io/swarmgen/mac2-nowhere:1
    replicas: 1
`

// TestUpFailsFastOnAnImageThatIsNowhere: swarm rejects the task of a
// service whose image cannot be pulled and tries again forever; up stops
// at once (not at the end of --wait) saying which service, node and image.
func TestUpFailsFastOnAnImageThatIsNowhere(t *testing.T) {
	needEngine(t)
	// the nodes and swarm first, then the bad service alone is timed
	h := newHarness(t, strings.Split(rejectedSpec, "services:")[0])
	h.must("up", "--wait", "3m")
	if err := os.WriteFile(filepath.Join(h.dir, "swarm.yaml"), []byte(rejectedSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	out, err := h.swarmgen("up", "--wait", "3m")
	took := time.Since(start)
	if err == nil {
		t.Fatalf("up succeeded with an image that is nowhere:\n%s", out)
	}
	if !strings.Contains(out, "service nowhere: swarm rejected its task on ") ||
		!strings.Contains(out, "No such image: ghcr.io/swarmgen/mac2-nowhere:1") {
		t.Errorf("up's error does not name the service, node and image:\n%s", out)
	}
	if took > 30*time.Second {
		t.Errorf("up took %s to fail (want under 30 s):\n%s", took, out)
	}
	t.Logf("up failed in %s:\n%s", took.Round(time.Second), out)
}
