package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/testkit/stubdocker"
)

// up and down on machines show the plan and ask; with nobody to answer
// (stdin not a terminal) and no --yes they refuse and change nothing;
// --yes goes on without asking.
func TestMachinesAskUnlessYes(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "swarm.yaml")
	if err := os.WriteFile(spec, []byte(`apiVersion: swarmgen.dev/v1alpha1
kind: Lab
name: fleet
managers:
  - {name: m1, endpoint: "ssh://admin@192.0.2.11"}
workers:
  - {name: w1, endpoint: "ssh://admin@192.0.2.12"}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	stub := stubdocker.New(t, `case "$*" in
  "info --format {{.Swarm.LocalNodeState}}") echo inactive ;;
  "info --format {{.Name}}"*) case "$DOCKER_HOST" in *192.0.2.11) echo "m1 inactive  " ;; *) echo "w1 inactive  " ;; esac ;;
esac`)
	stub.Use(t)
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	stdin := os.Stdin
	os.Stdin = devnull
	defer func() { os.Stdin = stdin }()

	for _, cmd := range [][]string{{"up"}, {"down"}} {
		code, out, stderr := swarmgen(t, append(cmd, "-f", spec, "-o", dir)...)
		if code != 1 || !strings.Contains(stderr, "pass --yes") {
			t.Errorf("%s without --yes: exit %d\n%s\n%s", cmd[0], code, out, stderr)
		}
		if cmd[0] == "up" && !strings.Contains(out, "+ node m1") {
			t.Errorf("up did not show its plan first:\n%s", out)
		}
	}
	checkNever := func(calls string, never ...string) {
		t.Helper()
		for _, n := range never {
			if strings.Contains(calls, n) {
				t.Errorf("a call has %q:\n%s", n, calls)
			}
		}
	}
	checkNever(stub.Calls(), "swarm init", "swarm join", "swarm leave", "node update", "exec")

	// down --yes on machines with no swarm of the lab: nothing to leave
	code, out, stderr := swarmgen(t, "down", "--yes", "-f", spec, "-o", dir)
	if code != 0 {
		t.Errorf("down --yes: exit %d\n%s\n%s", code, out, stderr)
	}
	checkNever(stub.Calls(), "swarm leave", "exec")
	if _, err := os.Stat(filepath.Join(dir, "docker-compose.yml")); err == nil {
		t.Error("a lab of machines got a compose file")
	}
}
