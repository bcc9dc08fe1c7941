package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestUpDownLeavesTheHostsImages: up, a rebuild (the image's context
// changed) and down add nothing to `docker images`: down removes the tags
// the lab made to push, and a rebuild removes the image it replaced
// instead of leaving it dangling. Twice, so nothing piles up. (An image
// this lab left dangling before, on a machine that ran older versions,
// may go: only what is added counts.)
func TestUpDownLeavesTheHostsImages(t *testing.T) {
	needEngine(t)
	h := newHarness(t, `apiVersion: swarmgen.dev/v1alpha1
kind: Lab
name: e2e-img
routing_mesh: false
registry: {image: swarmgen-e2e/registry:3, port: 15009}
nodes: {image: swarmgen-e2e/dind:bookworm, privileged: false}
managers: 1
workers: 0
images:
  - build: app
    name: e2e-img/app:1
  - source: yutsuki/echo:latest
`)
	app := filepath.Join(h.dir, "app")
	if err := os.MkdirAll(app, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(app, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Dockerfile", "FROM scratch\nCOPY version /version\n")
	before := hostImages(t)
	for cycle := 1; cycle <= 2; cycle++ {
		write("version", "first\n")
		h.must("up", "--wait", "3m")
		write("version", "second\n") // a changed context: rebuilt, pushed
		if out := h.must("plan"); !strings.Contains(out, "registry:5000/e2e-img/app:1") {
			t.Errorf("cycle %d: plan does not show the image to rebuild:\n%s", cycle, out)
		}
		h.must("up", "--wait", "3m")
		if out := h.must("plan"); !strings.Contains(out, "No changes") {
			t.Errorf("cycle %d: after up, plan still shows changes:\n%s", cycle, out)
		}
		h.must("down")
		var added []string
		for _, img := range hostImages(t) {
			if !slices.Contains(before, img) {
				added = append(added, img)
			}
		}
		if len(added) > 0 {
			t.Errorf("cycle %d: up, a rebuild and down left images that were not there before:\n%s", cycle, strings.Join(added, "\n"))
		}
	}
}

// hostImages is `docker images -a`: every image ID with its name, sorted.
func hostImages(t *testing.T) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(docker(t, "images", "-a", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}")), "\n")
	slices.Sort(lines)
	return lines
}
