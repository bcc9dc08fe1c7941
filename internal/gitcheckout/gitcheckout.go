// Package gitcheckout gives tests a git checkout of the working tree that
// the Go toolchain can stamp with its VCS revision. In a linked worktree
// (.git is a file) go cannot (golang/go#58218), and a build tool that writes
// next to the sources (goreleaser's dist/) must not touch the real tree.
package gitcheckout

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Clone makes a clone of the repository at root, checked out at HEAD in a
// temp dir, with the working tree's files (tracked and untracked, not
// ignored) copied over it, so it builds what the working tree holds. It
// returns the clone's directory and HEAD's revision.
func Clone(t testing.TB, root string) (dir, rev string) {
	t.Helper()
	rev = strings.TrimSpace(Run(t, root, "git", "rev-parse", "HEAD"))
	dir = filepath.Join(t.TempDir(), filepath.Base(root))
	Run(t, root, "git", "clone", "--quiet", "--no-checkout", root, dir)
	Run(t, dir, "git", "checkout", "--quiet", rev)
	copyWorkingTree(t, root, dir)
	return dir, rev
}

// Run runs name in dir and returns its combined output; a failure ends the
// test with that output.
func Run(t testing.TB, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// copyWorkingTree puts the files of the working tree at from into the
// checkout at to, and removes there the ones deleted from it.
func copyWorkingTree(t testing.TB, from, to string) {
	t.Helper()
	for _, name := range strings.Split(Run(t, from, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"), "\x00") {
		if name == "" {
			continue
		}
		src, dst := filepath.Join(from, name), filepath.Join(to, name)
		fi, err := os.Lstat(src)
		if os.IsNotExist(err) {
			os.Remove(dst)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			// a link is copied as a link, never read through: the golden
			// bad cases hold links to /dev/zero and out of the tree
			target, err := os.Readlink(src)
			if err != nil {
				t.Fatal(err)
			}
			os.Remove(dst)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, dst); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if fi.Mode()&0o111 != 0 {
			mode = 0o755
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, mode); err != nil {
			t.Fatal(err)
		}
	}
}
