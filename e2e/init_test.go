package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestInitFromNothing: `swarmgen init` then `swarmgen up`, with nothing
// built beforehand but the node and registry images this machine cannot
// pull (the echo app is builtin: up builds it from the swarmgen binary),
// and the URL the summary prints answers from the echo service. Only what
// this machine needs is changed in the starter spec: offline images, no
// privileged containers, no routing mesh (no IPVS here: the echo service
// is then published in host mode, so it runs on the manager), and ports and
// a name of its own beside the other e2e labs.
func TestInitFromNothing(t *testing.T) {
	needEngine(t)
	h := newHarness(t, "")
	if out, err := execCommand(h.bin, "init", "--dir", h.dir, "--force").CombinedOutput(); err != nil {
		t.Fatalf("swarmgen init: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(h.dir, "swarm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	spec := string(raw)
	for _, r := range [][2]string{
		{"# name: lab-a ", "name: e2e-init #"},
		{"# routing_mesh: true ", "routing_mesh: false #"},
		{"image: registry:3.0.0", "image: swarmgen-e2e/registry:3"},
		{"port: 5000 ", "port: 15007 "},
		{"image: docker:28.5.2-dind", "image: swarmgen-e2e/dind:bookworm"},
		{"privileged: true ", "privileged: false "},
		{`"8000:8000"`, `"18000:8000"`},
		{`"9000:9000"`, `"19007:9000"`},
		{"image: gihyodocker/nginx-proxy:latest", "image: registry:5000/gihyodocker/nginx-proxy:latest"},
		{"    name: yutsuki/echo:latest ", "    name: yutsuki/echo:latest\n  - source: swarmgen-e2e/nginx-proxy:latest\n    name: gihyodocker/nginx-proxy:latest #"},
		{"    replicas: 1\n", "    replicas: 1\n    constraints: [node.role == manager]\n"},
	} {
		if !strings.Contains(spec, r[0]) {
			t.Fatalf("the starter spec has no %q any more; update this test:\n%s", r[0], spec)
		}
		spec = strings.Replace(spec, r[0], r[1], 1)
	}
	if err := os.WriteFile(filepath.Join(h.dir, "swarm.yaml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	out := h.must("up", "--wait", "4m")
	if !strings.Contains(out, "http://127.0.0.1:18000") {
		t.Errorf("the summary does not name the echo URL:\n%s", out)
	}
	var body string
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Second) {
		if body, err = httpGet("http://127.0.0.1:18000/"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the echo URL does not answer: %v", err)
		}
	}
	if !strings.HasPrefix(body, "Hello Docker!! from ") {
		t.Errorf("the echo URL answered %q, not the echo app", body)
	}
	if _, err := httpGet("http://127.0.0.1:19007/"); err != nil {
		t.Errorf("the visualizer URL: %v", err)
	}
}
