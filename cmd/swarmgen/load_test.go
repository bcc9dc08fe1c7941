package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// load --archive checks the archive before anything is written: a
// directory given as the archive leaves the output directory empty.
func TestLoadChecksTheArchiveFirst(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "swarm.yaml")
	if err := os.WriteFile(spec, []byte("apiVersion: swarmgen.dev/v1alpha1\nkind: Lab\nimages:\n  - {source: nginx:1.27}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, _, stderr := swarmgen(t, "load", "-f", spec, "-o", out, "--archive", dir)
	if code == 0 || !strings.Contains(stderr, "is not a regular file") {
		t.Fatalf("exit %d, stderr %q; want the archive refused", code, stderr)
	}
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
		t.Errorf("load wrote %d entries before refusing the archive", len(entries))
	}
}
