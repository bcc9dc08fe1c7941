package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const classicSpec = "../../examples/classic/swarm.yaml"

// -f and -o work before the verb as after it (as `docker -H ... ps`); after
// the verb wins, and a flag given anywhere beats $SWARMGEN_FILE.
func TestLabFlagsBeforeOrAfterTheVerb(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	t.Setenv(specEnv, missing)
	for _, args := range [][]string{
		{"-f", classicSpec, "validate"},
		{"--file", classicSpec, "validate"},
		{"validate", "-f", classicSpec},
		{"-f", missing, "validate", "-f", classicSpec},
	} {
		if code, out, stderr := swarmgen(t, args...); code != 0 || !strings.Contains(out, classicSpec+" is valid") {
			t.Errorf("swarmgen %s: exit %d\n%s%s", strings.Join(args, " "), code, out, stderr)
		}
	}
	if code, _, stderr := swarmgen(t, "validate"); code != exitUser || !strings.Contains(stderr, missing) {
		t.Errorf("without -f, $%s is the spec: exit %d %q", specEnv, code, stderr)
	}

	dir := t.TempDir()
	if code, _, stderr := swarmgen(t, "-f", classicSpec, "-o", dir, "render"); code != 0 {
		t.Fatalf("render with flags before the verb: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "docker-compose.yml")); err != nil {
		t.Errorf("-o before the verb: %v", err)
	}
	if code, out, _ := swarmgen(t, "-o", t.TempDir(), "render", "--check", "-f", classicSpec, "-o", dir); code != 0 || !strings.Contains(out, "up to date") {
		t.Errorf("-o after the verb should win: exit %d %q", code, out)
	}
}

// $SWARMGEN_OUT is the directory of generated files when no -o says
// otherwise (the CI action sets it with $SWARMGEN_FILE for later steps).
func TestOutDirFromTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(specEnv, classicSpec)
	t.Setenv(outEnv, dir)
	if code, _, stderr := swarmgen(t, "render"); code != 0 {
		t.Fatalf("render: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "docker-compose.yml")); err != nil {
		t.Errorf("$%s is not where render wrote: %v", outEnv, err)
	}
	other := t.TempDir()
	if code, _, stderr := swarmgen(t, "-o", other, "render"); code != 0 {
		t.Fatalf("render -o: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(other, "docker-compose.yml")); err != nil {
		t.Errorf("-o does not beat $%s: %v", outEnv, err)
	}
}

// The passthrough takes -f from before the verb too; the spec is read
// before docker is run, so a missing one stops it with exit 1.
func TestDockerTakesTheSpecFromBeforeTheVerb(t *testing.T) {
	t.Setenv(specEnv, "")
	missing := filepath.Join(t.TempDir(), "lab.yaml")
	code, _, stderr := swarmgen(t, "-f", missing, "docker", "node", "ls")
	if code != exitUser || !strings.Contains(stderr, missing) {
		t.Errorf("exit %d %q; want exit 1 naming %s", code, stderr, missing)
	}
}

func TestLabArgs(t *testing.T) {
	file, out, _, rest := labArgs([]string{"-f", "a.yaml", "--out", "d", "service", "scale", "echo=6"}, "swarm.yaml", ".", "")
	if file != "a.yaml" || out != "d" || strings.Join(rest, " ") != "service scale echo=6" {
		t.Errorf("got %q %q %q", file, out, rest)
	}
	file, out, _, rest = labArgs([]string{"node", "ls"}, "given.yaml", "dir", "")
	if file != "given.yaml" || out != "dir" || len(rest) != 2 {
		t.Errorf("defaults: got %q %q %q", file, out, rest)
	}
}
