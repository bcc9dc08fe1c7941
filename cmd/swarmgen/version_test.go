package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
	rev := strings.TrimSpace(command(t, root, "git", "rev-parse", "HEAD"))
	src := root
	// In a linked worktree (.git is a file) go cannot stamp the revision
	// (golang/go#58218): build in a clone at the same commit, with the
	// working tree's files over it.
	if fi, err := os.Stat(filepath.Join(root, ".git")); err != nil || !fi.IsDir() {
		src = filepath.Join(t.TempDir(), "swarmgen")
		command(t, root, "git", "clone", "--quiet", "--no-checkout", root, src)
		command(t, src, "git", "checkout", "--quiet", rev)
		copyWorkingTree(t, root, src)
	}
	bin := filepath.Join(t.TempDir(), "swarmgen")
	// -buildvcs=true: a GOFLAGS=-buildvcs=false in the environment must not
	// hide the revision this test is about.
	command(t, src, "go", "build", "-buildvcs=true", "-o", bin, "./cmd/swarmgen")
	out := command(t, src, bin, "--version")
	t.Logf("%s", out)
	if !strings.HasPrefix(out, "swarmgen version ") || !strings.Contains(out, "revision "+rev) {
		t.Errorf("swarmgen --version = %q, want the revision %s", out, rev)
	}
}

func command(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// copyWorkingTree puts the files of the working tree at from (tracked and
// untracked, not ignored) into the checkout at to, and removes there the
// ones deleted from it.
func copyWorkingTree(t *testing.T, from, to string) {
	t.Helper()
	for _, name := range strings.Split(command(t, from, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"), "\x00") {
		if name == "" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(from, name))
		if os.IsNotExist(err) {
			os.Remove(filepath.Join(to, name))
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(to, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
