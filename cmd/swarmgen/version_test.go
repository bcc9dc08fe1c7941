package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmgen/swarmgen/internal/gitcheckout"
)

// A swarmgen built by `go build` from a git checkout says which revision
// it is, from the build info the Go toolchain records (not -ldflags).
func TestVersionShowsTheRevision(t *testing.T) {
	if testing.Short() {
		t.Skip("builds swarmgen; skipped in -short")
	}
	for _, tool := range []string{"go", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("SKIPPED: %s is not on PATH", tool)
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	src, rev := gitcheckout.Clone(t, root)
	bin := filepath.Join(t.TempDir(), "swarmgen")
	// -buildvcs=true: a GOFLAGS=-buildvcs=false in the environment must not
	// hide the revision this test is about.
	gitcheckout.Run(t, src, "go", "build", "-buildvcs=true", "-o", bin, "./cmd/swarmgen")
	out := gitcheckout.Run(t, src, bin, "--version")
	t.Logf("%s", out)
	if !strings.HasPrefix(out, "swarmgen version ") || !strings.Contains(out, "revision "+rev) {
		t.Errorf("swarmgen --version = %q, want the revision %s", out, rev)
	}
}
